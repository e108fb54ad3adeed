"""The manifest of an index (``manifest.json``): how it was built (embedder, dimension,
chunker and normaliser versions, settings, vector store) and what it holds, written
atomically so that a reader never sees half of one."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from rag.index.docstore import Docstore
from rag.index.errors import CorpusIndexError

MANIFEST = "manifest.json"


def read_manifest(folder: Path) -> dict:
    return json.loads((folder / MANIFEST).read_text())


def write_manifest(folder: Path, manifest: dict) -> None:
    tmp = folder / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2))
    os.replace(tmp, folder / MANIFEST)


def with_counts(manifest: dict, store: Docstore) -> dict:
    """``manifest`` updated with what the docstore holds now and a fingerprint of it."""
    shas = sorted(sha for sha, _ in store.fingerprints().values())
    return manifest | {
        "documents": len(shas),
        "chunks": store.count_chunks(),
        "corpus_fingerprint": hashlib.sha256("".join(shas).encode()).hexdigest(),
        "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def check_compatible(manifest: dict, folder: Path, expected: dict) -> None:
    """Refuse an index built with other versions than ``expected`` (key -> value)."""
    for key, value in expected.items():
        if manifest.get(key) != value:
            raise CorpusIndexError(
                f"index at {folder} was built with {key}={manifest.get(key)!r} but this wenda "
                f"uses {value!r}; rebuild it with `wenda ingest --rebuild PATH --index {folder}`"
            )
