"""Indexes that evaluation builds for itself, cached under ``$WENDA_HOME/indexes``.

A run over a folder or a SQuAD file should not pay for embedding twice: the index is kept
under a name made from what it holds and the embedder, and refreshed incrementally (unchanged
text is not re-embedded) on every later use.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

from embeddings import DEFAULT_EMBEDDER, wenda_home
from rag import CorpusIndexError, KnowledgeBase
from rag.index import CorpusIndex, store_kind


def index_cache() -> Path:
    return wenda_home() / "indexes"


def cached_kb(sources: Sequence[str | Path], name: str, model: str | None = None,
              cache_dir: Path | None = None, progress: bool = True,
              dense: bool = True, store: str | None = None) -> KnowledgeBase:
    """The index ``<cache_dir>/<name>-<embedder>`` of ``sources``, built or refreshed.
    Without ``dense``, a separate index that holds no vectors: searched by BM25 alone.
    ``store`` (a ``--store`` value): where its vectors are; each kind has its own index.
    A cached index this wenda cannot read (an older format) or built with other settings
    than today's defaults is rebuilt; its vectors come back from the embedding cache."""
    model = model or DEFAULT_EMBEDDER
    safe_model = re.sub(r"[^\w.-]+", "_", model)
    kind = store_kind(store)
    suffix = ("" if dense else "-bm25") + ("" if kind == "faiss" else f"-{kind}")
    path = (cache_dir or index_cache()) / f"{name}-{safe_model}{suffix}"
    try:
        return KnowledgeBase.build(list(sources), path, model=model, progress=progress,
                                   dense=dense, store=store, rebuild=CorpusIndex.exists(path)
                                   and not CorpusIndex.has_default_settings(path))[0]
    except CorpusIndexError:
        return KnowledgeBase.build(list(sources), path, model=model, progress=progress,
                                   dense=dense, store=store, rebuild=True)[0]


def folder_kb(folder: str | Path, model: str | None = None, cache_dir: Path | None = None,
              progress: bool = True, store: str | None = None) -> KnowledgeBase:
    """A cached index of one corpus folder (or file), keyed by its absolute path."""
    folder = Path(folder)
    if not folder.exists():
        raise FileNotFoundError(f"no such corpus folder: {folder}")
    key = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:12]
    return cached_kb([folder], f"corpus-{key}", model, cache_dir, progress, store=store)
