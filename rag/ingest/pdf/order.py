"""Step 3: reading order by recursive XY-cut: a region is split at its vertical gutters
(columns, left to right), else at its widest horizontal gaps (top to bottom)."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from rag.ingest.pdf.glyphs import Block


@dataclass
class Placed:
    """A block in reading order, with the column it was read in."""

    block: Block
    left: float
    right: float


def reading_order(blocks: list[Block]) -> list[Placed]:
    """A page's blocks in reading order; columns are cut at gaps of a body font size."""
    if not blocks:
        return []
    gutter = median(b.size for b in blocks if not b.table) if any(
        not b.table for b in blocks) else 10.0
    return _cut(blocks, gutter, min(b.x0 for b in blocks), max(b.x1 for b in blocks))


def _cut(blocks: list[Block], gutter: float, left: float, right: float) -> list[Placed]:
    """Recursive XY-cut: columns at the vertical gaps of at least ``gutter`` points, else
    bands at the widest horizontal gaps; a lone block is a leaf."""
    if len(blocks) == 1:
        return [Placed(blocks[0], left, right)]
    x_parts = _split(blocks, "x0", "x1", gutter)
    if len(x_parts) > 1 and (_one_row(blocks) or not any(map(_one_row, x_parts))):
        return [p for part in x_parts for p in _cut(
            part, gutter, min(b.x0 for b in part), max(b.x1 for b in part))]
    y_parts = _split(blocks, "top", "bottom", 0.0, widest_only=True)  # title, then columns
    if len(y_parts) > 1:
        return [p for part in y_parts for p in _cut(part, gutter, left, right)]
    # overlapping blocks no cut can separate (text drawn over text): top to bottom
    return [Placed(b, left, right) for b in sorted(blocks, key=lambda b: (b.top, b.x0))]


def _one_row(blocks: list[Block]) -> bool:
    """Whether the blocks stand on one line. A column of a region several lines high is
    more than one line: a single line cut off on its own is a justified line's wide gap
    between words (or characters), not a column gutter."""
    height = max(b.bottom for b in blocks) - min(b.top for b in blocks)
    return height <= 1.5 * max(b.bottom - b.top for b in blocks)


def _split(blocks: list[Block], lo: str, hi: str, min_gap: float,
           widest_only: bool = False) -> list[list[Block]]:
    """Blocks split where their projections on one axis leave gaps wider than ``min_gap``
    (all such gaps, or only the widest ones: evenly spaced lines are cut all at once, which
    keeps the recursion shallow on a long page)."""
    ordered = sorted(blocks, key=lambda b: getattr(b, lo))
    gaps: list[tuple[float, int]] = []
    reach = getattr(ordered[0], hi)
    for i, b in enumerate(ordered[1:], start=1):
        gap = getattr(b, lo) - reach
        if gap > min_gap:
            gaps.append((gap, i))
        reach = max(reach, getattr(b, hi))
    if not gaps:
        return [blocks]
    widest = max(gap for gap, _ in gaps)
    cuts = [i for gap, i in gaps if not widest_only or gap >= 0.95 * widest]
    bounds = [0, *cuts, len(ordered)]
    return [ordered[a:b] for a, b in zip(bounds, bounds[1:])]
