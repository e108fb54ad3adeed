"""The embedded vector store: ``vectors.f32`` and ``vectors.hnsw`` in the index folder,
searched with FAISS (``rag.index.vectors``)."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from rag.index.docstore import Docstore
from rag.index.vector_settings import VECTOR_INDEX
from rag.index.vectors import DenseIndex, VectorFile, build_graph, load_graph

FAISS = "faiss"


class FaissStore:
    """Vectors appended to one file in docstore order; a chunk's vector row is its place
    there. Deleted chunks leave their rows behind (searches skip them)."""

    def __init__(self, path: Path, dimension: int, docstore: Docstore) -> None:
        self.config = {"kind": FAISS}
        self._folder = path
        self._docstore = docstore
        self._file = VectorFile(path / "vectors.f32", dimension)
        self._graph_key: tuple[int, int] | None = None
        self._graph_index: faiss.Index | None = None

    def append(self, rows: list[int], vectors: np.ndarray) -> None:
        self._file.append(vectors, self._docstore.committed_vectors)

    def delete(self, rows: list[int]) -> None:
        """Nothing to do: a row whose chunk is gone no longer maps to a position."""

    def view(self, rows: np.ndarray, vector_rows: np.ndarray, committed: int) -> DenseIndex:
        """The committed vectors; an index small enough for an exact scan ignores a graph an
        older threshold left behind."""
        matrix = self._file.rows(committed)
        graph = None if VECTOR_INDEX.exact(*matrix.shape) else self._graph()
        return DenseIndex(matrix, _invert(vector_rows, committed), graph)

    def after_ingest(self) -> None:
        """An index too large for an exact scan gets its graph, extended once a tenth of its
        rows are outside it; the extension is written beside the graph in use (searches may
        be reading it)."""
        path = self._folder / "vectors.hnsw"
        matrix = self._file.rows(self._docstore.committed_vectors)
        graph = self._graph()
        covered = graph.ntotal if graph is not None else 0
        if not VECTOR_INDEX.exact(*matrix.shape) and len(matrix) - covered > len(matrix) // 10:
            build_graph(matrix, path, load_graph(path))

    def close(self) -> None:
        self._graph_key = self._graph_index = None

    def _graph(self) -> faiss.Index | None:
        """The HNSW graph, read again only when an ingest has rewritten it."""
        path = self._folder / "vectors.hnsw"
        try:
            stat = path.stat()
            key = (stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            key = None
        if key != self._graph_key:
            self._graph_key, self._graph_index = key, load_graph(path) if key else None
        return self._graph_index


def _invert(vector_rows: np.ndarray, committed: int) -> np.ndarray:
    """Chunk position of each committed vector row (-1: its chunk is gone)."""
    position_of_row = np.full(committed, -1, dtype=np.int64)
    has = (vector_rows >= 0) & (vector_rows < committed)
    position_of_row[vector_rows[has]] = np.nonzero(has)[0]
    return position_of_row
