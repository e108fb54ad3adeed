"""The one object an application needs: open (or build) an index, retrieve, search, add.

It wires a ``CorpusIndex`` to the embedder it was built with, so callers never pair an
index with the wrong model.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from embeddings import DEFAULT_EMBEDDER, RayCluster, RayEmbeddings, cached, get_embedder
from rag.answering import AnswerChain
from rag.index.phases import DENSE_BATCH
from rag.index.retrieval import Hit, HybridRetriever
from rag.index.settings import DEFAULT_INDEX, IndexSettings
from rag.index.store import (
    CorpusIndex,
    CorpusIndexError,
    IngestReport,
    default_corpus,
    default_index_dir,
)


class KnowledgeBase:
    def __init__(self, index: CorpusIndex, embedder: Embeddings) -> None:
        self.index = index
        self.embedder = embedder
        self._retriever = HybridRetriever(index=index, embedder=embedder)

    @classmethod
    def open(cls, path: str | Path | None = None, model: str | None = None,
             progress: bool = True, store: str | None = None) -> KnowledgeBase:
        """Open the index at ``path`` (default: the seeds index, built on first use).
        ``store``: where its vectors are (``--store``; default: what its manifest says)."""
        path = Path(path) if path else default_index_dir()
        if path == default_index_dir() and not CorpusIndex.is_current(path, store):
            # The seeds index is wenda's own: (re)built when missing, from an older wenda, or
            # asked for in another vector store.
            print(f"wenda: building the seeds index at {path}", file=sys.stderr)
            return cls.build(default_corpus(), path, model=model, progress=progress,
                             rebuild=True, store=store)[0]
        index = CorpusIndex.open(path, store)
        if model and model != index.embedder_name:
            raise CorpusIndexError(
                f"index at {path} was built with embedder {index.embedder_name!r}, not {model!r}; "
                f"drop --model, or rebuild with `wenda ingest --rebuild --model {model} PATH "
                f"--index {path}`"
            )
        return cls(index, get_embedder(index.embedder_name))

    @classmethod
    def build(cls, sources: str | Path | Iterable[str | Path], path: str | Path | None = None,
              model: str | None = None, chunk_size: int | None = None,
              overlap: int | None = None, rebuild: bool = False, progress: bool = True,
              settings: IndexSettings = DEFAULT_INDEX, dense: bool = True,
              batch_size: int = DENSE_BATCH, cluster: RayCluster | None = None,
              store: str | None = None
              ) -> tuple[KnowledgeBase, IngestReport]:
        """Create (or, with ``rebuild``, replace) the index at ``path`` from ``sources``, or
        resume an ingest into it that was interrupted. A new index is built with
        ``settings``, ``chunk_size``/``overlap`` overriding theirs. Without ``dense`` it
        stops once the documents and BM25 are in (search works in BM25 mode); vectors come
        with a later ingest. ``batch_size`` chunks are embedded per commit (what a crash can
        cost). With a ``cluster``, the chunks are embedded by a pool of Ray workers.
        ``store`` (a ``--store`` value) says where a new index keeps its vectors."""
        path = Path(path) if path else default_index_dir()
        if CorpusIndex.exists(path) and not rebuild:
            kb = cls.open(path, model=model, store=store)
            return kb, kb.add(_as_list(sources), progress=progress, dense=dense,
                              batch_size=batch_size, cluster=cluster)
        name = model or DEFAULT_EMBEDDER
        embedder = get_embedder(name)
        if chunk_size is not None:
            settings = replace(settings, chunk_size=chunk_size)
        if overlap is not None:
            settings = replace(settings, overlap=overlap)
        with _ingest_embedder(name, embedder, cluster) as ingesting:
            index = CorpusIndex.empty(path, name, ingesting.dimension,  # type: ignore[attr-defined]
                                      settings=settings, store=store)
            report = index.ingest(_as_list(sources), ingesting, progress=progress, dense=dense,
                                  batch_size=batch_size)
        return cls(index, embedder), report

    def add(self, paths: Iterable[str | Path], progress: bool = True, dense: bool = True,
            batch_size: int = DENSE_BATCH, cluster: RayCluster | None = None) -> IngestReport:
        """Ingest new/changed files, drop deleted ones; unchanged text is not re-embedded.
        With a ``cluster``, the chunks are embedded by a pool of Ray workers."""
        with _ingest_embedder(self.index.embedder_name, self.embedder, cluster) as ingesting:
            return self.index.ingest(paths, ingesting, progress=progress, dense=dense,
                                     batch_size=batch_size)

    def retriever(self, **settings: Any) -> HybridRetriever:
        """A LangChain retriever over this index (``k``, ``mode``, ``fusion``... as keywords)."""
        return self._retriever.model_copy(update=settings)

    def search(self, query: str, k: int = 5) -> list[Hit]:
        return self._retriever.search(query, k=k)

    def ask(self, question: str, answerer: str = "extractive", k: int = 5,
            **options: Any) -> dict:
        """Answer from the top-``k`` passages, citing exact spans, or refuse when they do not
        hold the answer. ``answerer``: ``extractive`` (instant) or ``llm``; ``options`` go
        to ``rag.answering.make_answerer`` (``model``, ``endpoint``, ``endpoint_model``...)."""
        return AnswerChain.of(self.retriever(k=k), answerer, **options).invoke(question)

    def stream_ask(self, question: str, answerer: str = "extractive", k: int = 5,
                   **options: Any) -> Iterator[dict]:
        """Like ``ask``, streamed: ``{"delta": text}`` pieces, then the result dict."""
        return AnswerChain.of(self.retriever(k=k), answerer, **options).stream(question)


@contextmanager
def _ingest_embedder(model: str, local: Embeddings, cluster: RayCluster | None
                     ) -> Iterator[Embeddings]:
    """What embeds an ingest's chunks: ``local``, or ``model`` on the workers of ``cluster``
    behind this machine's cache, so that vectors it already holds are not computed again."""
    if cluster is None:
        yield local
        return
    with RayEmbeddings(model, cluster) as remote:
        yield cached(remote)


def _as_list(sources: str | Path | Iterable[str | Path]) -> list[str | Path]:
    return [sources] if isinstance(sources, str | Path) else list(sources)
