"""A corpus index on disk: documents, chunks, their vectors, and a manifest saying how it was built.

Layout of an index folder::

    manifest.json     embedder, dimension, chunker/normaliser versions, counts, fingerprint
    docstore.sqlite   documents (original text), chunks (spans, text, BM25 tokens, vector row)
    bm25.npz          BM25 weights, stamped with the docstore generation they were built from
    vectors.f32       append-only float32 vectors; the docstore says how many rows count
    vectors.hnsw      (large indexes) an HNSW graph over the older vector rows

An ingest is two phases (``rag.index.phases``): documents and BM25 first, then vectors in
committed batches; killed at any moment, the index opens in its last committed state and
the same ingest resumes it. Searches use the vectors that exist (BM25 alone before the
first batch). No pickle anywhere.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import overload

import faiss
import numpy as np
from langchain_core.embeddings import Embeddings

from embeddings import wenda_home
from rag.documents import Chunk, SourceDocument
from rag.index.bm25 import BM25
from rag.index.docstore import Docstore
from rag.index.phases import (
    DENSE_BATCH,
    IngestReport,
    build_bm25,
    dense_phase,
    lexical_phase,
)
from rag.index.settings import DEFAULT_INDEX, IndexSettings
from rag.index.vectors import GRAPH_MIN, DenseIndex, VectorFile, build_graph, load_graph
from rag.ingest.chunking import CHUNKER_VERSION
from rag.ingest.normalize import NORMALIZER_VERSION

# 3: documents carry author and located sections, chunks their location; vectors are
# appended in committed batches (docstore + vectors.f32), BM25 saved as arrays.
INDEX_FORMAT = 4
DEFAULT_CHUNK_SIZE = DEFAULT_INDEX.chunk_size
DEFAULT_OVERLAP = DEFAULT_INDEX.overlap


class CorpusIndexError(RuntimeError):
    """The index is missing or does not match this wenda; the message says how to fix it."""


def default_index_dir() -> Path:
    return wenda_home() / "indexes" / "seeds"


def default_corpus() -> Path:
    """The seed articles shipped with the project."""
    return Path(os.environ.get("WENDA_SEEDS") or Path(__file__).resolve().parents[2] / "seeds")


class _Chunks(Sequence[Chunk]):
    """The chunks of an index in order, read from the docstore when asked for."""

    def __init__(self, store: Docstore, rows: Sequence[int]) -> None:
        self._store, self._rows = store, rows

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, i: int) -> Chunk: ...
    @overload
    def __getitem__(self, i: slice) -> list[Chunk]: ...
    def __getitem__(self, i: int | slice) -> Chunk | list[Chunk]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        chunk = self._store.chunk(int(self._rows[i]))
        if chunk is None:
            raise CorpusIndexError("the index changed during this search (another ingest); "
                                   "search again")
        return chunk

    def __iter__(self) -> Iterator[Chunk]:
        return (self[i] for i in range(len(self)))


class _Documents(Sequence[SourceDocument]):
    """The documents of an index, counted without reading them."""

    def __init__(self, store: Docstore) -> None:
        self._store = store
        self._count = store.count_documents()

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, i):  # noqa: ANN001, ANN204 - Sequence protocol
        return list(self)[i]

    def __iter__(self) -> Iterator[SourceDocument]:
        return self._store.documents()


@dataclass(frozen=True)
class _State:
    """One committed state of the index: what a search reads from start to end."""

    generation: int
    committed: int
    chunks: Sequence[Chunk]
    documents: Sequence[SourceDocument]
    vectors: DenseIndex
    bm25: BM25 | None


class CorpusIndex:
    """Documents + chunks + vectors of one corpus, built with one embedder and one chunker.

    ``chunks``, ``vectors`` and ``bm25`` belong to one committed state. ``refresh`` (which
    a search calls first) takes up a newer one that another process or thread committed, and
    pins it for the calling thread, so that a search never mixes two states.
    """

    def __init__(self, path: Path, manifest: dict) -> None:
        self.path = path
        self.manifest = manifest
        self._store = Docstore(path / "docstore.sqlite")
        self._vector_file = VectorFile(path / "vectors.f32", manifest["dimension"])
        self._lock = threading.Lock()
        self._pinned = threading.local()
        self._graph_key: tuple[int, int] | None = None
        self._graph_index: faiss.Index | None = None
        self._latest = self._read_state(require_bm25=False)

    def _read_state(self, require_bm25: bool) -> _State | None:
        """The committed state on disk; None (with ``require_bm25``) while an ingest is
        between its first document batch and its BM25 file."""
        generation, committed = self._store.generation, self._store.committed_vectors
        bm25_file = self.path / "bm25.npz"
        current = BM25.stamp_of(bm25_file) == str(generation)
        if require_bm25 and not current:
            return None
        rows, vector_rows = self._store.layout()
        vectors = DenseIndex(self._vector_file.rows(committed), _invert(vector_rows, committed),
                             self._graph())
        return _State(generation, committed, _Chunks(self._store, rows),
                      _Documents(self._store), vectors, BM25.load(bm25_file) if current else None)

    def _graph(self) -> faiss.Index | None:
        """The HNSW graph, read again only when an ingest has rewritten it."""
        path = self.path / "vectors.hnsw"
        try:
            stat = path.stat()
            key = (stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            key = None
        if key != self._graph_key:
            self._graph_key, self._graph_index = key, load_graph(path) if key else None
        return self._graph_index

    @property
    def _state(self) -> _State:
        return getattr(self._pinned, "state", None) or self._latest

    @property
    def chunks(self) -> Sequence[Chunk]:
        return self._state.chunks

    @property
    def documents(self) -> Sequence[SourceDocument]:
        return self._state.documents

    @property
    def vectors(self) -> DenseIndex:
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
        return (path / "manifest.json").exists()

    @classmethod
    def is_current(cls, path: Path) -> bool:
        """Whether an index exists at ``path`` and this wenda can open it."""
        try:
            _check_compatible(json.loads((path / "manifest.json").read_text()), path)
        except (OSError, ValueError, CorpusIndexError):
            return False
        return True

    @classmethod
    def open(cls, path: Path) -> CorpusIndex:
        if not cls.exists(path):
            raise CorpusIndexError(
                f"no index at {path}; build one with `wenda ingest FOLDER --index {path}`"
            )
        manifest = json.loads((path / "manifest.json").read_text())
        _check_compatible(manifest, path)
        return cls(path, manifest)

    @classmethod
    def empty(cls, path: Path, embedder_name: str, dimension: int,
              settings: IndexSettings = DEFAULT_INDEX) -> CorpusIndex:
        """A new index at ``path`` (anything there is removed), its manifest written first
        so that an ingest killed at once still leaves an index that says how it was built."""
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        manifest = {
            "format": INDEX_FORMAT,
            "embedder": embedder_name,
            "dimension": dimension,
            "normalizer_version": NORMALIZER_VERSION,
            "chunker_version": CHUNKER_VERSION,
            **settings.to_dict(),
        }
        _write_json(path / "manifest.json", manifest)
        return cls(path, manifest)

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
            self._store.purge()
            changed = lexical_phase(self._store, roots, self.settings, report, progress)
            if changed or BM25.stamp_of(self.path / "bm25.npz") != str(self._store.generation):
                build_bm25(self._store, self.settings, self.path / "bm25.npz", progress)
                self._save_manifest()  # an unchanged corpus leaves the index files untouched
            self._reload()
            try:
                if dense:
                    dense_phase(self._store, self._vector_file, embedder, report, progress,
                                batch_size)
            finally:
                self._reload()
                report.pending = len(self.chunks) - len(self.vectors)
            if _graph_due(self.vectors):
                # extend a copy: searches may be reading the graph in use
                build_graph(self.vectors.matrix, self.path / "vectors.hnsw",
                            load_graph(self.path / "vectors.hnsw"))
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

    def _save_manifest(self) -> None:
        shas = sorted(sha for sha, _ in self._store.fingerprints().values())
        self.manifest.update(
            documents=len(shas),
            chunks=self._store.count_chunks(),
            corpus_fingerprint=hashlib.sha256("".join(shas).encode()).hexdigest(),
            saved_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        )
        _write_json(self.path / "manifest.json", self.manifest)


def _graph_due(vectors: DenseIndex) -> bool:
    """A large index gets its graph, extended once a tenth of its rows are outside it."""
    rows = len(vectors.matrix)
    covered = vectors.graph.ntotal if vectors.graph is not None else 0
    return rows >= GRAPH_MIN and rows - covered > rows // 10


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


def _invert(vector_rows: np.ndarray, committed: int) -> np.ndarray:
    """Chunk position of each committed vector row (-1: its chunk is gone)."""
    position_of_row = np.full(committed, -1, dtype=np.int64)
    has = (vector_rows >= 0) & (vector_rows < committed)
    position_of_row[vector_rows[has]] = np.nonzero(has)[0]
    return position_of_row


def _write_json(path: Path, obj: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2))
    os.replace(tmp, path)


def _check_compatible(manifest: dict, path: Path) -> None:
    expected = {"format": INDEX_FORMAT, "chunker_version": CHUNKER_VERSION,
                "normalizer_version": NORMALIZER_VERSION}
    for key, value in expected.items():
        if manifest.get(key) != value:
            raise CorpusIndexError(
                f"index at {path} was built with {key}={manifest.get(key)!r} but this wenda uses "
                f"{value!r}; rebuild it with `wenda ingest --rebuild PATH --index {path}`"
            )
