"""What an index needs from the place its dense vectors live: FAISS files in the index folder
(the embedded default) or a Milvus collection (beyond one machine).

A store is keyed by the docstore's chunk row. The docstore stays the authority on which
chunks have a vector: a store makes a batch durable (``append``) before the docstore commits
it, so a killed ingest leaves at most vectors the docstore does not count yet, which the
rerun writes again.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class VectorView(Protocol):
    """Inner-product search over the vectors of one committed state, in chunk positions
    (a chunk's order in that state)."""

    def __len__(self) -> int:
        """How many chunks of the state have a vector."""

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (scores, positions); positions are -1 past the vectors there are."""

    def scores_of(self, query: np.ndarray, positions: list[int]) -> dict[int, float]:
        """Inner products with ``query`` of the chunks at ``positions`` that have a vector."""


class VectorStore(Protocol):
    """Where an index keeps its vectors; ``config`` is what its manifest records."""

    config: dict

    def append(self, rows: list[int], vectors: np.ndarray) -> None:
        """Keep the vectors of chunk ``rows`` durably (the docstore commits them next)."""

    def delete(self, rows: list[int]) -> None:
        """Forget the vectors of chunk ``rows`` (chunks no reader can need any more)."""

    def view(self, rows: np.ndarray, vector_rows: np.ndarray, committed: int) -> VectorView:
        """The vectors of one committed state: chunk ``rows`` in order, the vector row of
        each (-1: none yet), and how many vector rows the docstore has committed."""

    def after_ingest(self) -> None:
        """Upkeep once an ingest has committed its vectors (e.g. extend a search graph)."""

    def close(self) -> None: ...
