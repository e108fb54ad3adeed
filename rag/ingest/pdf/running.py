"""Step 2: running headers and footers: the top and bottom row of a page go when they are a
page number or repeat, digits masked, in that place on other pages."""

from __future__ import annotations

import re
from collections import Counter

from rag.ingest.pdf.glyphs import Block

_PAGE_NUMBER = re.compile(
    r"^[-–—\s]*(?:第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|(?:page\s*)?\d+(?:\s*(?:/|of)\s*\d+)?)"
    r"[-–—\s]*$", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")


def drop_running_lines(pages: list[list[Block]]) -> None:
    """Remove each page's top and bottom row when it is a page number or, digits masked,
    the same text appears in that place on at least half the pages (two at least)."""
    for edge in ("top", "bottom"):
        rows = [_edge_row(blocks, edge) for blocks in pages]
        counts = Counter(key for row in rows for key in {_mask(b.text) for b in row})
        needed = max(2, (len(pages) + 1) // 2)
        for blocks, row in zip(pages, rows):
            if len(row) == len(blocks):  # the only text of the page is body text
                continue
            for b in row:
                if _PAGE_NUMBER.match(b.text) or counts[_mask(b.text)] >= needed:
                    blocks.remove(b)


def _edge_row(blocks: list[Block], edge: str) -> list[Block]:
    """The fragments that share the page's topmost (or bottommost) line."""
    if not blocks:
        return []
    if edge == "top":
        first = min(blocks, key=lambda b: b.top)
        return [b for b in blocks if not b.table and b.top < first.bottom]
    last = max(blocks, key=lambda b: b.bottom)
    return [b for b in blocks if not b.table and b.bottom > last.top]


def _mask(text: str) -> str:
    return _DIGITS.sub("#", text)
