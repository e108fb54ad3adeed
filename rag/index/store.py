"""A corpus index on disk: documents, chunks, their vectors, and a manifest saying how it was built.

Layout of an index folder::

    manifest.json     embedder, dimension, chunker/normaliser versions, counts, fingerprint,
                      vector store (``rag.index.stores``)
    docstore.sqlite   documents (original text), chunks (spans, text, BM25 tokens, vector row)
    bm25.npz          BM25 weights, stamped with the docstore generation they were built from
    vectors.f32       (FAISS store) append-only float32 vectors; the docstore says how many
                      rows count
    vectors.hnsw      (FAISS store, large indexes) an HNSW graph over the older vector rows

With a Milvus store the vectors live in a Milvus collection instead, keyed by chunk row.
An ingest is two phases (``rag.index.phases``): documents and BM25 first, then vectors in
committed batches; killed at any moment, the index opens in its last committed state and
the same ingest resumes it. Searches use the vectors that exist (BM25 alone before the
first batch). No pickle anywhere.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from langchain_core.embeddings import Embeddings

from embeddings import wenda_home
from rag.documents import Chunk, SourceDocument
from rag.index.bm25 import BM25
from rag.index.docstore import Docstore
from rag.index.errors import CorpusIndexError
from rag.index.manifest import (
    MANIFEST,
    check_compatible,
    read_manifest,
    with_counts,
    write_manifest,
)
from rag.index.phases import (
    DENSE_BATCH,
    IngestReport,
    build_bm25,
    dense_phase,
    lexical_phase,
)
from rag.index.settings import DEFAULT_INDEX, IndexSettings
from rag.index.snapshot import Chunks, Documents, Snapshot
from rag.index.stores import chosen_store, drop_store, new_store_config, open_store
from rag.index.vector_store import VectorView
from rag.ingest.chunking import CHUNKER_VERSION
from rag.ingest.normalize import NORMALIZER_VERSION

# 4: documents carry their byline lines and chunks their sentence spans (what answering
# quotes), beside 3's authors, located sections, committed vector batches and BM25 arrays.
INDEX_FORMAT = 4
DEFAULT_CHUNK_SIZE = DEFAULT_INDEX.chunk_size
DEFAULT_OVERLAP = DEFAULT_INDEX.overlap

__all__ = ["CorpusIndex", "CorpusIndexError", "IngestReport", "default_corpus",
           "default_index_dir"]


def default_index_dir() -> Path:
    return wenda_home() / "indexes" / "seeds"


def default_corpus() -> Path:
    """The seed articles shipped with the project."""
    return Path(os.environ.get("WENDA_SEEDS") or Path(__file__).resolve().parents[2] / "seeds")


class CorpusIndex:
    """Documents + chunks + vectors of one corpus, built with one embedder and one chunker.

    ``chunks``, ``vectors`` and ``bm25`` belong to one committed state. ``refresh`` (which
    a search calls first) takes up a newer one that another process or thread committed, and
    pins it for the calling thread, so that a search never mixes two states. ``store`` is
    the ``--store`` value it was opened with (None: the one its manifest records).
    """

    def __init__(self, path: Path, manifest: dict, store: str | None = None) -> None:
        self.path = path
        self.manifest = manifest
        self.store = store
        self._store = Docstore(path / "docstore.sqlite")
        self.vector_store = open_store(chosen_store(manifest.get("store"), store, path), path,
                                       manifest["dimension"], self._store)
        self._lock = threading.Lock()
        self._pinned = threading.local()
        self._latest = self._read_state(require_bm25=False)

    def _read_state(self, require_bm25: bool) -> Snapshot | None:
        """The committed state on disk; None (with ``require_bm25``) while an ingest is
        between its first document batch and its BM25 file."""
        generation, committed = self._store.generation, self._store.committed_vectors
        bm25_file = self.path / "bm25.npz"
        current = BM25.stamp_of(bm25_file) == str(generation)
        if require_bm25 and not current:
            return None
        rows, vector_rows = self._store.layout()
        vectors = self.vector_store.view(rows, vector_rows, committed)
        return Snapshot(generation, committed, Chunks(self._store, rows),
                        Documents(self._store), vectors,
                        BM25.load(bm25_file) if current else None)

    @property
    def _state(self) -> Snapshot:
        return getattr(self._pinned, "state", None) or self._latest

    @property
    def chunks(self) -> Sequence[Chunk]:
        return self._state.chunks

    @property
    def documents(self) -> Sequence[SourceDocument]:
        return self._state.documents

    @property
    def vectors(self) -> VectorView:
        return self._state.vectors

    @property
    def bm25(self) -> BM25:
        """The sparse index; rebuilt in memory from the stored tokens if an ingest was killed
        before saving it (the next ingest saves it)."""
        state = self._state
        if state.bm25 is None:
            with self._lock:
                if self._latest.bm25 is None:
                    print(f"wenda: the BM25 index of {self.path} is behind its documents (an "
                          "ingest was interrupted); rebuilding it in memory", file=sys.stderr)
                    self._latest = replace(self._latest, bm25=build_bm25(self._store, self.settings,
                                                                         None, progress=False))
                state = self._latest
        return state.bm25

    def refresh(self) -> None:
        """Take up what was committed since (vectors, documents), by this process or another,
        and pin the latest state for this thread. Cheap: two reads of the docstore's meta."""
        with self._lock:
            latest = self._latest
            if (self._store.generation, self._store.committed_vectors) != (
                    latest.generation, latest.committed):
                self._latest = self._read_state(require_bm25=True) or latest
        self._pinned.state = self._latest

    @property
    def settings(self) -> IndexSettings:
        """How this index was chunked and tokenized (from its manifest)."""
        return IndexSettings.from_dict(self.manifest)

    # -- reading -------------------------------------------------------------------------
    @property
    def embedder_name(self) -> str:
        return self.manifest["embedder"]

    def document(self, doc_id: str) -> SourceDocument:
        doc = self._store.document(doc_id)
        if doc is None:
            raise KeyError(doc_id)
        return doc

    def status(self) -> dict:
        """How far the index is: documents, chunks, and the chunks that have vectors."""
        chunks = len(self.chunks)
        return {"documents": len(self.documents), "chunks": chunks,
                "vectors": len(self.vectors),
                "dense_progress": round(len(self.vectors) / chunks, 4) if chunks else 1.0,
                "search": "hybrid" if chunks and len(self.vectors) == chunks
                else "bm25+partial-dense" if len(self.vectors) else "bm25"}

    @classmethod
    def exists(cls, path: Path) -> bool:
        return (path / MANIFEST).exists()

    @classmethod
    def is_current(cls, path: Path, store: str | None = None) -> bool:
        """Whether an index exists at ``path`` and this wenda can open it (with ``store``)."""
        try:
            manifest = read_manifest(path)
            _check_compatible(manifest, path)
            chosen_store(manifest.get("store"), store, path)
        except (OSError, ValueError, CorpusIndexError):
            return False
        return True

    @classmethod
    def has_default_settings(cls, path: Path) -> bool:
        """Whether the index at ``path`` was built with today's ``DEFAULT_INDEX`` (False when
        there is none): a cache of indexes rebuilds one that was not."""
        try:
            return IndexSettings.from_dict(read_manifest(path)) == DEFAULT_INDEX
        except (OSError, ValueError):
            return False

    @classmethod
    def open(cls, path: Path, store: str | None = None) -> CorpusIndex:
        """The index at ``path``, its vectors in the store its manifest records (``store``:
        a ``--store`` value, which must name the same kind of store)."""
        if not cls.exists(path):
            raise CorpusIndexError(
                f"no index at {path}; build one with `wenda ingest FOLDER --index {path}`"
            )
        manifest = read_manifest(path)
        _check_compatible(manifest, path)
        return cls(path, manifest, store)

    @classmethod
    def empty(cls, path: Path, embedder_name: str, dimension: int,
              settings: IndexSettings = DEFAULT_INDEX, store: str | None = None) -> CorpusIndex:
        """A new index at ``path`` (anything there is removed, with the Milvus collection
        it used), its vectors in ``store`` (a ``--store`` value; None: FAISS). The manifest
        is written first so that an ingest killed at once still leaves an index that says
        how it was built."""
        store_config = new_store_config(store, path)
        if cls.exists(path):
            drop_store(read_manifest(path).get("store"))
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        manifest = {
            "format": INDEX_FORMAT,
            "embedder": embedder_name,
            "dimension": dimension,
            "normalizer_version": NORMALIZER_VERSION,
            "chunker_version": CHUNKER_VERSION,
            **settings.to_dict(),
            "store": store_config,
        }
        write_manifest(path, manifest)
        try:
            return cls(path, manifest, store)
        except CorpusIndexError:  # e.g. the Milvus server is down: leave no half-made index
            shutil.rmtree(path, ignore_errors=True)
            raise

    # -- writing -------------------------------------------------------------------------
    def ingest(self, paths: Iterable[str | Path], embedder: Embeddings,
               progress: bool = True, dense: bool = True,
               batch_size: int = DENSE_BATCH) -> IngestReport:
        """Add new and changed documents under ``paths`` and drop the ones deleted from them
        (searchable by BM25 from then on), then (``dense``) embed every chunk that has no
        vector yet, ``batch_size`` chunks a commit."""
        started = time.perf_counter()
        roots = [Path(p).resolve() for p in paths]
        report = IngestReport()
        with self._writing():
            self.vector_store.delete(self._store.retired_vectors())
            self._store.purge()
            changed = lexical_phase(self._store, roots, self.settings, report, progress)
            if changed or BM25.stamp_of(self.path / "bm25.npz") != str(self._store.generation):
                build_bm25(self._store, self.settings, self.path / "bm25.npz", progress)
                # an unchanged corpus leaves the index files untouched
                self.manifest = with_counts(self.manifest, self._store)
                write_manifest(self.path, self.manifest)
            self._reload()
            try:
                if dense:
                    dense_phase(self._store, self.vector_store, embedder, report, progress,
                                batch_size)
            finally:
                self._reload()
                report.pending = len(self.chunks) - len(self.vectors)
            self.vector_store.after_ingest()
            self._reload()
        report.chunks = len(self.chunks)
        report.seconds = time.perf_counter() - started
        return report

    def _reload(self) -> None:
        with self._lock:
            self._latest = self._read_state(require_bm25=False)
        self._pinned.state = None

    def _writing(self):  # noqa: ANN202 - a context manager
        return _IngestLock(self.path / "ingest.lock")


class _IngestLock:
    """One writer per index: a second ``wenda ingest`` is told, not interleaved."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        self._file = self.path.open("w")
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._file.close()
            raise CorpusIndexError(f"another ingest is writing {self.path.parent}; wait for it "
                                   "to finish (or stop it: a rerun resumes)") from None

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self._file, fcntl.LOCK_UN)
        self._file.close()


def _check_compatible(manifest: dict, path: Path) -> None:
    check_compatible(manifest, path, {"format": INDEX_FORMAT, "chunker_version": CHUNKER_VERSION,
                                      "normalizer_version": NORMALIZER_VERSION})
