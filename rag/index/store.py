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
from pathlib import Path
from typing import overload

import numpy as np
from langchain_core.embeddings import Embeddings

from embeddings import wenda_home
from rag.documents import Chunk, SourceDocument
from rag.index.bm25 import BM25
from rag.index.docstore import Docstore
from rag.index.phases import IngestReport, build_bm25, dense_phase, lexical_phase
from rag.index.vectors import GRAPH_MIN, DenseIndex, VectorFile, build_graph, load_graph
from rag.ingest.chunking import CHUNKER_VERSION
from rag.ingest.normalize import NORMALIZER_VERSION

INDEX_FORMAT = 2
DEFAULT_CHUNK_SIZE = 300
DEFAULT_OVERLAP = 60
REFRESH_SECONDS = 1.0  # how often a search looks for batches another process committed


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
        self._count = store.count("documents")

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, i):  # noqa: ANN001, ANN204 - Sequence protocol
        return list(self)[i]

    def __iter__(self) -> Iterator[SourceDocument]:
        return self._store.documents()


class CorpusIndex:
    """Documents + chunks + vectors of one corpus, built with one embedder and one chunker."""

    def __init__(self, path: Path, manifest: dict) -> None:
        self.path = path
        self.manifest = manifest
        self._store = Docstore(path / "docstore.sqlite")
        self._vector_file = VectorFile(path / "vectors.f32", manifest["dimension"])
        self._lock = threading.Lock()
        self._checked = 0.0
        self._load()

    def _load(self) -> None:
        """Take the committed state: chunk order, BM25 (if current), vector rows."""
        self._generation = self._store.generation
        self._committed = self._store.committed_vectors
        rows, vector_rows = self._store.layout()
        position_of_row = _invert(vector_rows, self._committed)
        self.chunks: Sequence[Chunk] = _Chunks(self._store, rows)
        self.documents: Sequence[SourceDocument] = _Documents(self._store)
        self.vectors = DenseIndex(self._vector_file.rows(self._committed), position_of_row,
                                  load_graph(self.path / "vectors.hnsw"))
        self._bm25: BM25 | None = None
        bm25_file = self.path / "bm25.npz"
        if BM25.stamp_of(bm25_file) == str(self._generation):
            self._bm25 = BM25.load(bm25_file)

    @property
    def bm25(self) -> BM25:
        """The sparse index; rebuilt from the stored tokens if an ingest was killed before
        saving it."""
        if self._bm25 is None:
            print(f"wenda: the BM25 index of {self.path} is behind its documents (an ingest "
                  "was interrupted); rebuilding it", file=sys.stderr)
            self._bm25 = build_bm25(self._store, self.path / "bm25.npz", progress=False)
        return self._bm25

    def refresh(self) -> None:
        """Take up what another process committed since (vectors, documents); cheap to call
        often: it looks at most once per ``REFRESH_SECONDS``."""
        now = time.monotonic()
        if now - self._checked < REFRESH_SECONDS:
            return
        self._checked = now
        with self._lock:
            if (self._store.generation, self._store.committed_vectors) != (
                    self._generation, self._committed):
                self._load()

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
              chunk_size: int = DEFAULT_CHUNK_SIZE, overlap: int = DEFAULT_OVERLAP) -> CorpusIndex:
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
            "chunk_size": chunk_size,
            "overlap": overlap,
        }
        _write_json(path / "manifest.json", manifest)
        return cls(path, manifest)

    # -- writing -------------------------------------------------------------------------
    def ingest(self, paths: Iterable[str | Path], embedder: Embeddings,
               progress: bool = True, dense: bool = True) -> IngestReport:
        """Add new and changed documents under ``paths`` and drop the ones deleted from them
        (searchable by BM25 from then on), then (``dense``) embed every chunk that has no
        vector yet."""
        started = time.perf_counter()
        roots = [Path(p).resolve() for p in paths]
        report = IngestReport()
        with self._writing():
            changed = lexical_phase(self._store, roots, self.manifest["chunk_size"],
                                    self.manifest["overlap"], report, progress)
            if changed or BM25.stamp_of(self.path / "bm25.npz") != str(self._store.generation):
                build_bm25(self._store, self.path / "bm25.npz", progress)
            self._save_manifest()
            self._load()
            try:
                if dense:
                    dense_phase(self._store, self._vector_file, embedder, report, progress)
            finally:
                self._load()
                report.pending = len(self.chunks) - len(self.vectors)
            if _graph_due(self.vectors):
                build_graph(self.vectors.matrix, self.path / "vectors.hnsw", self.vectors.graph)
                self._load()
        report.chunks = len(self.chunks)
        report.seconds = time.perf_counter() - started
        return report

    def _writing(self):  # noqa: ANN202 - a context manager
        return _IngestLock(self.path / "ingest.lock")

    def _save_manifest(self) -> None:
        shas = sorted(sha for sha, _ in self._store.fingerprints().values())
        self.manifest.update(
            documents=len(shas),
            chunks=self._store.count("chunks"),
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
