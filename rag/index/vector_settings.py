"""How the embedded store searches its vectors: an exact scan while that stays fast, an HNSW
graph past it. One place for the numbers, because they are measured, not guessed: where they
come from is ``bench/results/README.md`` (row "vectors"), from ``bench/hnsw_bench.py``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VectorIndexSettings:
    """``exact_max_cells``: an index of at most this many rows x dimensions is scanned
    exactly (the scan's cost is proportional to it); past it, the older rows get an HNSW
    graph with ``neighbours`` (M) links per node, built with ``ef_construction`` and searched
    with ``ef_search`` candidates."""

    exact_max_cells: int
    neighbours: int
    ef_construction: int
    ef_search: int

    def exact(self, rows: int, dimension: int) -> bool:
        """Whether ``rows`` vectors of ``dimension`` are searched by an exact scan alone."""
        return rows * dimension <= self.exact_max_cells


VECTOR_INDEX = VectorIndexSettings(exact_max_cells=50_000 * 384, neighbours=32,
                                   ef_construction=100, ef_search=1024)
