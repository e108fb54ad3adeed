"""Step 1: a page's glyphs (pdfplumber chars) as blocks: rows cut into fragments at column
gutters, and ruled tables as one block of rows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median

import pdfplumber

from rag.ingest.layout import TABLE_CELL_SEPARATOR
from rag.ingest.pdf.joining import is_cjk, joint


@dataclass
class Block:
    """A line fragment (or a whole table) on a page, with its box in points."""

    x0: float
    top: float
    x1: float
    bottom: float
    text: str
    size: float  # font size of the fragment, 0 for a table
    table: bool = False


def page_blocks(page: pdfplumber.page.Page) -> list[Block]:
    """The page's text fragments and tables, in no particular order."""
    tables = [(t.bbox, t.extract()) for t in page.find_tables()]
    boxes = [bbox for bbox, _ in tables]
    chars = [c for c in page.chars if not any(_inside(c, box) for box in boxes)]
    rows = _rows(chars)
    spaced = any(c["text"] == " " for c in page.chars)
    blocks = [b for i, row in enumerate(rows)
              for b in _fragments(row, rows[max(i - 3, 0) : i] + rows[i + 1 : i + 4], spaced)]
    for (x0, top, x1, bottom), cells in tables:
        text = "\n".join(TABLE_CELL_SEPARATOR.join(_cell(c) for c in row) for row in cells)
        if text.strip(" |\n"):
            blocks.append(Block(x0, top, x1, bottom, text, 0.0, table=True))
    return blocks


def _inside(char: dict, box: tuple[float, float, float, float]) -> bool:
    x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _cell(text: str | None) -> str:
    """A table cell's lines joined as a paragraph's are."""
    out = ""
    for line in (text or "").splitlines():
        drop, sep = joint(out[-8:], line.strip())
        out = out[: len(out) - drop] + sep + line.strip()
    return out


def _rows(chars: list[dict]) -> list[list[dict]]:
    """Glyphs grouped by baseline: a glyph joins a row it overlaps vertically by half."""
    rows: list[tuple[float, float, list[dict]]] = []
    for c in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        for top, bottom, members in reversed(rows[-4:]):
            overlap = min(bottom, c["bottom"]) - max(top, c["top"])
            if overlap >= 0.5 * min(bottom - top, c["bottom"] - c["top"]):
                members.append(c)
                break
        else:
            rows.append((c["top"], c["bottom"], [c]))
    return [members for _, _, members in rows]


def _fragments(row: list[dict], near: list[list[dict]], spaced: bool) -> list[Block]:
    """A row cut at its column gutters: gaps wider than 1.5 font sizes that the rows around
    it leave empty too (a justified line stretched around a long word has wide gaps that
    the lines above and below fill)."""
    row = sorted(row, key=lambda c: c["x0"])
    out: list[list[dict]] = [[row[0]]]
    for prev, c in zip(row, row[1:]):
        gap = (prev["x1"], c["x0"])
        size = max(prev["size"], c["size"], 1.0)
        if gap[1] - gap[0] > 1.5 * size and _open(gap, near, size):
            out.append([c])
        else:
            out[-1].append(c)
    blocks = []
    for chars in out:
        text = _line_text(chars, spaced)
        if text:
            blocks.append(Block(min(c["x0"] for c in chars), min(c["top"] for c in chars),
                                max(c["x1"] for c in chars), max(c["bottom"] for c in chars),
                                text, median(c["size"] for c in chars)))
    return blocks


def _open(gap: tuple[float, float], near: list[list[dict]], size: float) -> bool:
    """Whether ``gap`` holds a stretch at least ``size`` wide (or the whole gap, when
    narrower) that at most half of the ``near`` rows put a glyph into; glyph boxes are
    taken a point in from their edges, as a justified line ends exactly at its column's.
    A sweep over the glyphs' edges: the work does not grow with the gap's width."""
    lo, hi = gap
    events: list[tuple[float, int]] = []
    for row in near:
        spans = sorted((max(c["x0"] + 1, lo), min(c["x1"] - 1, hi)) for c in row
                       if max(c["x0"] + 1, lo) < min(c["x1"] - 1, hi))
        merged: list[list[float]] = []
        for a, b in spans:
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        events += [(a, 1) for a, _ in merged] + [(b, -1) for _, b in merged]
    half = len(near) / 2
    covered, best, run = 0, 0.0, lo  # run: where the current open stretch began, or None
    for x, step in sorted(events, key=lambda e: (e[0], -e[1])) + [(hi, 0)]:
        if run is not None:
            best = max(best, x - run)
        covered += step
        if covered > half:
            run = None
        elif run is None:
            run = x
    return best >= min(hi - lo, size)


def _line_text(chars: list[dict], spaced: bool) -> str:
    """Glyphs left to right. A page that draws space glyphs has its spaces; on one that
    does not (it positions words instead), two non-CJK glyphs a word space apart get one."""
    out = [chars[0]["text"]]
    for prev, c in zip(chars, chars[1:]):
        gap = c["x0"] - prev["x1"]
        a, b = prev["text"][-1:], c["text"][:1]
        if (not spaced and gap > 0.25 * max(c["size"], 1.0) and a and b and not a.isspace()
                and not b.isspace() and not is_cjk(a) and not is_cjk(b)):
            out.append(" ")
        out.append(c["text"])
    return re.sub(r"\s+", " ", "".join(out)).strip()
