"""Steps 4 and 5: the placed blocks of every page as one text of paragraphs (a wrapped
line joined to its paragraph, also across a column or page), page sections, and headings:
short paragraphs set larger than the body text."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass

from rag.documents import Section
from rag.ingest.layout import Outline, fold
from rag.ingest.pdf.joining import joint
from rag.ingest.pdf.order import Placed

MAX_HEADING = 60  # characters: a longer paragraph set large is not a heading


@dataclass
class Paragraph:
    """A paragraph's span in the assembled text, and the font size of its first line."""

    start: int
    end: int
    size: float
    table: bool


def assemble(pages: list[list[Placed]]) -> tuple[str, list[Section], list[Paragraph]]:
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


def headings(text: str, paragraphs: list[Paragraph]) -> list[tuple[int, tuple[str, ...]]]:
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


def with_headings(pages: list[Section], marks: list[tuple[int, tuple[str, ...]]]
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
