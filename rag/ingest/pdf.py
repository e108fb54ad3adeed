"""The text layer of a PDF as one text in reading order, with sections that say the page
and the heading path of each part.

pdfplumber (pdfminer.six underneath, both MIT) gives every glyph with its box; the layout
is rebuilt here rather than taken from a library's text mode, because the common modes
fail Chinese documents in measurable ways (``bench/documents_bench.py``): pypdf puts
spaces between the characters of a justified CJK line, pdfminer/pdfplumber read a
two-column page row by row across both columns. The steps:

1. glyphs on one baseline make a row, cut into *fragments* at column gutters; ruled
   tables become one block of rows, cells joined by " | ";
2. running headers and footers go: the top and bottom row of a page when they repeat on
   other pages (digits aside) or are a page number;
3. reading order by recursive XY-cut: a region is split at its vertical gutters
   (columns, left to right), else at its widest horizontal gaps (top to bottom);
4. a line break inside a paragraph is joined (no space between CJK characters, a hyphen
   at a line end dropped before a lower-case continuation); a short line, a wider gap, an
   indent, a change of font size or a table ends the paragraph;
5. a short paragraph set larger than the body text is a heading, its level by its size.
"""

from __future__ import annotations

import io
import logging
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from statistics import median

import pdfplumber

from rag.documents import Section
from rag.ingest.layout import TABLE_CELL_SEPARATOR, Extracted, Outline, SkipFile, fold

# pdfminer logs every oddity of a damaged file at WARNING; the loader reports one reason.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

_PAGE_NUMBER = re.compile(
    r"^[-–—\s]*(?:第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|(?:page\s*)?\d+(?:\s*(?:/|of)\s*\d+)?)"
    r"[-–—\s]*$", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
MAX_HEADING = 60  # characters: a longer paragraph set large is not a heading


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


def is_cjk(char: str) -> bool:
    """Han, kana, hangul and CJK/full-width punctuation: scripts written without spaces."""
    if not char:
        return False
    code = ord(char)
    return (0x2E80 <= code <= 0x9FFF or 0xAC00 <= code <= 0xD7AF or 0xF900 <= code <= 0xFAFF
            or 0xFE30 <= code <= 0xFE4F or 0xFF00 <= code <= 0xFFEF or 0x20000 <= code <= 0x3FFFF)


def read_pdf(data: bytes) -> Extracted:
    """The text of a PDF, its sections (page and heading path) and its title/author/date
    metadata. Raises SkipFile for an encrypted, damaged or image-only file."""
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = []
            for page in pdf.pages:
                pages.append(_page_blocks(page))
                page.close()  # its parsed objects: a long PDF is read a page at a time
            meta = pdf.metadata
    except Exception as err:  # pdfminer raises many types for damaged files
        raise SkipFile(_reason(err)) from None
    if not any(pages):
        raise SkipFile("no text layer (a scanned or image-only PDF?); OCR is not supported, "
                       "run OCR first (e.g. ocrmypdf) or export the text")
    _drop_running_lines(pages)
    text, sections, paragraphs = _assemble([_reading_order(blocks) for blocks in pages])
    sections = _with_headings(sections, _headings(text, paragraphs))
    return Extracted(text, sections, title=_meta(meta, "Title"), date=_pdf_date(meta),
                     author=_meta(meta, "Author") or None)


def _meta(meta: dict, key: str) -> str:
    value = meta.get(key)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return re.sub(r"\s+", " ", value).strip() if isinstance(value, str) else ""


def _pdf_date(meta: dict) -> str | None:
    """The creation date ("D:20240314…") as 2024-03-14."""
    match = re.match(r"(?:D:)?(\d{4})(\d{2})(\d{2})", _meta(meta, "CreationDate"))
    return "-".join(match.groups()) if match else None


def _reason(err: Exception) -> str:
    """The one-line reason for a PDF pdfminer could not read, named after the first error
    in the chain (pdfplumber wraps pdfminer's)."""
    chain = list(_chain(err))
    names = " ".join(type(e).__name__ for e in chain).lower()
    if "password" in names or "encrypt" in names:
        return "encrypted PDF (password protected); save an unprotected copy and ingest that"
    return (f"not a readable PDF (damaged or truncated: {type(chain[-1]).__name__}); "
            "re-export or re-download it")


def _chain(err: BaseException | None):
    while err is not None:
        yield err
        err = err.__cause__ or err.__context__


# -- 1. glyphs → fragments and tables -----------------------------------------------------
def _page_blocks(page: pdfplumber.page.Page) -> list[Block]:
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


# -- 2. running headers and footers --------------------------------------------------------
def _drop_running_lines(pages: list[list[Block]]) -> None:
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


# -- 3. reading order ----------------------------------------------------------------------
@dataclass
class Placed:
    """A block in reading order, with the column it was read in."""

    block: Block
    left: float
    right: float


def _reading_order(blocks: list[Block]) -> list[Placed]:
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


# -- 4. paragraphs -------------------------------------------------------------------------
@dataclass
class Paragraph:
    """A paragraph's span in the assembled text, and the font size of its first line."""

    start: int
    end: int
    size: float
    table: bool


def _assemble(pages: list[list[Placed]]) -> tuple[str, list[Section], list[Paragraph]]:
    """One text for the whole file; a paragraph that runs on to the next column or page
    is joined there too. One section per page that has text, and the paragraphs."""
    parts: list[str] = []
    length, sections, paragraphs, prev = 0, [], [], None
    for number, placed in enumerate(pages, start=1):
        start = None
        for cur in placed:
            line = cur.block.text
            drop, sep = (0, "") if prev is None else (
                joint(parts[-1][-8:], line) if _continues(prev, cur) else (0, "\n"))
            if drop:
                parts[-1] = parts[-1][:-drop]
                length -= drop
            parts += [sep, line]
            length += len(sep)
            if start is None:
                start = length
            if prev is None or sep == "\n":
                paragraphs.append(Paragraph(length, length, cur.block.size, cur.block.table))
            length += len(line)
            paragraphs[-1].end = length
            prev = cur
        if start is not None:
            sections.append(Section(start, length, number))
    # a dropped hyphen may pull a page's start one character before the last page's end
    sections = [Section(s.start, min(s.end, after.start), s.page)
                for s, after in zip(sections, sections[1:])] + sections[-1:]
    return "".join(parts), sections, paragraphs


def _headings(text: str, paragraphs: list[Paragraph]) -> list[tuple[int, tuple[str, ...]]]:
    """(offset, heading path from there on) at every heading: a short paragraph set at
    least 10 % larger than the size most of the text is set in; the larger, the higher."""
    body = [p for p in paragraphs if not p.table]
    chars: Counter[float] = Counter()
    for p in body:
        chars[round(p.size, 1)] += p.end - p.start
    if not chars:
        return []
    size = chars.most_common(1)[0][0]
    heads = [p for p in body if p.size >= 1.1 * size and p.end - p.start <= MAX_HEADING]
    levels = {s: n for n, s in enumerate(sorted({round(p.size, 1) for p in heads},
                                                reverse=True), start=1)}
    outline, marks = Outline(), []
    for p in heads:
        outline.enter(levels[round(p.size, 1)], fold(text[p.start : p.end]))
        marks.append((p.start, outline.headings))
    return marks


def _with_headings(pages: list[Section], marks: list[tuple[int, tuple[str, ...]]]
                   ) -> list[Section]:
    """The page sections cut where a heading starts, each with the heading path in force."""
    offsets = [at for at, _ in marks]
    out = []
    for page in pages:
        cuts = [page.start, *(at for at in offsets if page.start < at < page.end), page.end]
        for a, b in zip(cuts, cuts[1:]):
            i = bisect_right(offsets, a) - 1
            out.append(Section(a, b, page.page, marks[i][1] if i >= 0 else ()))
    return out


def _continues(prev: Placed, cur: Placed) -> bool:
    """Whether ``cur`` goes on with the paragraph of ``prev`` (a wrapped line)."""
    a, b = prev.block, cur.block
    if a.table or b.table or abs(a.size - b.size) > 0.1 * max(a.size, b.size):
        return False
    if a.x1 < prev.right - 2 * a.size:  # the paragraph's short last line
        return False
    if b.x0 > cur.left + 1.5 * b.size:  # an indented first line
        return False
    same_column = prev.left == cur.left and prev.right == cur.right and b.top > a.top
    return not (same_column and b.top - a.bottom > 1.0 * a.size)  # paragraph spacing


def joint(tail: str, line: str) -> tuple[int, str]:
    """How a text ending in ``tail`` goes on with the wrapped ``line``: characters to drop
    from the text and the separator. "co-" + "operate" → "cooperate" (the hyphen dropped),
    "DALL-" + "E3" → "DALL-E3", a space between two words of a spaced script, nothing
    where the nearest letter on either side is CJK ("產出," + "“總之")."""
    a, b = tail[-1:], line[:1]
    if not a or not b or a.isspace():
        return 0, ""
    if a == "-":
        return (1, "") if tail[-2:-1].isalpha() and b.islower() else (0, "")
    before = next((ch for ch in reversed(tail) if ch.isalnum()), "")
    after = next((ch for ch in line if ch.isalnum()), "")
    if is_cjk(a) or is_cjk(b) or is_cjk(before) or is_cjk(after):
        return 0, ""
    return 0, " "
