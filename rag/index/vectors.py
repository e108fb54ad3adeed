"""Dense vectors of an index: an append-only file of float32 rows, searched exactly or, past
the size ``VECTOR_INDEX`` allows an exact scan, through an HNSW graph over the older rows plus
an exact scan of the rest.

The file only grows during a dense phase: a batch is appended and synced, then the docstore
commits which chunks own those rows and how many rows count. A batch lost to a crash is
beyond the committed count and is cut off before the next append. The rows are memory-mapped,
so opening an index reads nothing and the page cache, not the process, holds them.
"""

from __future__ import annotations

import os
from pathlib import Path

import faiss
import numpy as np

from rag.index.vector_settings import VECTOR_INDEX, VectorIndexSettings


def normalized(vectors: np.ndarray, dimension: int) -> np.ndarray:
    """Unit-length float32 rows, in a copy (the input may be a read-only memory map)."""
    vectors = np.array(vectors, dtype=np.float32, order="C").reshape(-1, dimension)
    faiss.normalize_L2(vectors)
    return vectors


class VectorFile:
    """Fixed-size float32 rows in one file; the caller says how many rows are committed."""

    def __init__(self, path: Path, dimension: int) -> None:
        self.path = path
        self.dimension = dimension

    @property
    def _row_bytes(self) -> int:
        return 4 * self.dimension

    def append(self, vectors: np.ndarray, committed: int) -> None:
        """Write ``vectors`` right after the first ``committed`` rows, durably."""
        data = normalized(vectors, self.dimension)
        with self.path.open("ab") as out:
            out.truncate(committed * self._row_bytes)
            out.write(data.tobytes())
            out.flush()
            os.fsync(out.fileno())

    def rows(self, count: int) -> np.ndarray:
        """The first ``count`` rows, memory-mapped (read-only)."""
        if count == 0 or not self.path.exists():
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.memmap(self.path, dtype=np.float32, mode="r", shape=(count, self.dimension))


class DenseIndex:
    """Inner-product search over the committed vectors, answering in chunk positions.

    ``position_of_row[r]`` is the chunk position (order in the index) that owns vector row
    ``r``, or -1 for a row whose chunk was deleted or replaced.
    """

    def __init__(self, matrix: np.ndarray, position_of_row: np.ndarray,
                 graph: faiss.Index | None = None) -> None:
        self.dimension = matrix.shape[1]
        self.matrix = matrix
        self.position_of_row = position_of_row
        self.graph = graph if graph is not None and graph.ntotal <= len(matrix) else None
        self.live = int((position_of_row >= 0).sum())
        self.dead = len(position_of_row) - self.live
        owned = np.nonzero(position_of_row >= 0)[0]
        self._row_of = np.full(int(position_of_row.max()) + 1 if len(owned) else 0, -1, np.int64)
        self._row_of[position_of_row[owned]] = owned

    def __len__(self) -> int:
        return self.live

    def has(self, position: int) -> bool:
        """Whether the chunk at ``position`` has a vector."""
        return self._row(position) >= 0

    def _row(self, position: int) -> int:
        return int(self._row_of[position]) if 0 <= position < len(self._row_of) else -1

    def scores_of(self, query: np.ndarray, positions: list[int]) -> dict[int, float]:
        """Inner products with ``query`` of the chunks at ``positions`` that have a vector
        (fusion scores every candidate, also those one retriever alone found)."""
        rows = {p: self._row(p) for p in positions}
        found = [p for p, r in rows.items() if r >= 0]
        if not found:
            return {}
        matrix = np.asarray(self.matrix[[rows[p] for p in found]])
        scores = matrix @ normalized(query, self.dimension)[0]
        return dict(zip(found, scores.tolist()))

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (scores, positions) for one query vector; positions are -1 past the
        number of live vectors."""
        query = normalized(query, self.dimension)[0]
        start = self.graph.ntotal if self.graph is not None else 0
        rows, scores = self._scan(query, start, k)
        if self.graph is not None:
            wanted = min(k + self.dead, self.graph.ntotal)
            graph_scores, graph_rows = self.graph.search(query[None, :], wanted)
            keep = graph_rows[0] >= 0
            rows = np.concatenate([graph_rows[0][keep], rows])
            scores = np.concatenate([graph_scores[0][keep], scores])
        positions = self.position_of_row[rows]
        alive = positions >= 0
        positions, scores = positions[alive], scores[alive]
        order = np.argsort(-scores, kind="stable")[:k]
        padded = np.full(k, -1, dtype=np.int64)
        padded[: len(order)] = positions[order]
        best = np.full(k, -np.inf, dtype=np.float32)
        best[: len(order)] = scores[order]
        return best, padded

    def _scan(self, query: np.ndarray, start: int, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Exact top ``k`` (plus the dead rows that might crowd it) of rows ``start:``."""
        if start >= len(self.matrix):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores = np.asarray(self.matrix[start:] @ query)
        top = min(k + self.dead, len(scores))
        rows = np.argpartition(-scores, top - 1)[:top] if top < len(scores) else np.arange(
            len(scores))
        return rows + start, scores[rows]


def new_graph(dimension: int, settings: VectorIndexSettings = VECTOR_INDEX) -> faiss.Index:
    """An empty inner-product HNSW graph built and searched with ``settings``."""
    graph = faiss.IndexHNSWFlat(dimension, settings.neighbours, faiss.METRIC_INNER_PRODUCT)
    graph.hnsw.efConstruction = settings.ef_construction
    graph.hnsw.efSearch = settings.ef_search
    return graph


def extend_graph(graph: faiss.Index, matrix: np.ndarray) -> faiss.Index:
    """``graph`` with the rows of ``matrix`` it lacks added, in slices (``matrix`` may be a
    memory map larger than RAM wants at once)."""
    step = 10_000
    for first in range(graph.ntotal, len(matrix), step):
        graph.add(np.ascontiguousarray(matrix[first : first + step]))
    return graph


def build_graph(matrix: np.ndarray, path: Path, previous: faiss.Index | None = None) -> None:
    """Extend (or start) the HNSW graph over ``matrix`` and save it atomically at ``path``."""
    graph = extend_graph(previous if previous is not None else new_graph(matrix.shape[1]), matrix)
    tmp = path.with_name(path.name + ".tmp")
    faiss.write_index(graph, str(tmp))
    os.replace(tmp, path)


def load_graph(path: Path) -> faiss.Index | None:
    if not path.exists():
        return None
    graph = faiss.read_index(str(path))
    graph.hnsw.efSearch = VECTOR_INDEX.ef_search
    return graph
