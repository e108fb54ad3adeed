"""A FAISS inner-product index over L2-normalised vectors, addressed by row number.

Exact search (``IndexFlatIP``): at the sizes wenda serves on a CPU (up to ~10^5 chunks)
a flat scan takes milliseconds and needs no training, and vectors can be read back, so an
incremental ingest keeps unchanged rows without re-embedding them.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np


class VectorIndex:
    def __init__(self, dimension: int, index: faiss.Index | None = None) -> None:
        self.dimension = dimension
        self.index = index if index is not None else faiss.IndexFlatIP(dimension)

    def __len__(self) -> int:
        return self.index.ntotal

    def add(self, vectors: np.ndarray) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, self.dimension)
        faiss.normalize_L2(vectors)
        self.index.add(vectors)

    def vectors(self, rows: list[int]) -> np.ndarray:
        """Stored vectors of the given rows (used to carry unchanged chunks over)."""
        if not rows:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self.index.reconstruct(int(r)) for r in rows])

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (scores, rows) for one query vector; rows are -1 past the index size."""
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, self.dimension)
        faiss.normalize_L2(query)
        scores, rows = self.index.search(query, min(k, max(len(self), 1)))
        return scores[0], rows[0]

    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        index = faiss.read_index(str(path))
        return cls(index.d, index)
