"""The records that flow through ingestion: a source document, its cleaned view, its chunks.

Every chunk keeps ``start``/``end`` offsets into the *original* decoded text of its
document, so ``document.text[chunk.start:chunk.end]`` is the passage as it was written.
Where that text sits in the file people have (page, heading path) is a second, separate
record: the loader lists the document's ``Section``s, and any span is located among them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

HEADING_SEPARATOR = " > "


@dataclass(frozen=True)
class Section:
    """A run ``[start, end)`` of a document's text that lies on one page (PDF) and under one
    heading path (Word, Markdown, HTML); what a citation says besides the file name."""

    start: int
    end: int
    page: int | None = None  # 1-based
    headings: tuple[str, ...] = ()  # outermost first: ("第二章", "2.1 方法")

    def to_list(self) -> list:
        return [self.start, self.end, self.page, list(self.headings)]

    @classmethod
    def of_list(cls, row: Sequence) -> Section:
        return cls(row[0], row[1], row[2], tuple(row[3]))


@dataclass(frozen=True)
class Location:
    """Where a span is in the file people have: its first and last page, and the heading
    path it overlaps most. All None for a plain-text document."""

    page: int | None = None
    page_end: int | None = None
    section: str | None = None  # "第二章 > 2.1 方法"

    def to_dict(self) -> dict:
        return {"page": self.page, "page_end": self.page_end, "section": self.section}

    @classmethod
    def of(cls, fields: dict) -> Location:
        """The location in a hit's or a citation's JSON (missing keys: unknown)."""
        return cls(fields.get("page"), fields.get("page_end"), fields.get("section"))

    def label(self) -> str:
        """"p. 3 · 第二章 > 2.1", "pp. 3-4", "第二章", or "" when nothing is known."""
        parts = []
        if self.page is not None:
            same = self.page_end in (None, self.page)
            parts.append(f"p. {self.page}" if same else f"pp. {self.page}-{self.page_end}")
        if self.section:
            parts.append(self.section)
        return " · ".join(parts)


def locate(sections: Sequence[Section], start: int, end: int) -> Location:
    """The location of ``[start, end)`` among ``sections`` (sorted by ``start``, not
    overlapping); a span in no section (or an empty list) has no location."""
    end = max(end, start + 1)
    hit = []
    for s in sections[max(bisect_right([s.start for s in sections], start) - 1, 0):]:
        if s.start >= end:
            break
        if s.end > start:
            hit.append(s)
    if not hit:
        return Location()
    pages = [s.page for s in hit if s.page is not None]
    shared: dict[tuple[str, ...], int] = {}  # a path spread over sections (pages) counts once
    for s in hit:
        shared[s.headings] = shared.get(s.headings, 0) + min(s.end, end) - max(s.start, start)
    return Location(pages[0] if pages else None, pages[-1] if pages else None,
                    HEADING_SEPARATOR.join(max(shared, key=shared.get)) or None)


@dataclass(frozen=True)
class Byline:
    """A line that says who reported, edited or published the document ("本报记者 王明",
    "责任编辑:张三"): ``text[start:end]``, and the roles it names."""

    start: int
    end: int
    roles: tuple[str, ...]  # "reporter", "editor", "source"

    def to_list(self) -> list:
        return [self.start, self.end, list(self.roles)]

    @classmethod
    def of_list(cls, row: Sequence) -> Byline:
        return cls(row[0], row[1], tuple(row[2]))


@dataclass(frozen=True)
class SourceDocument:
    """One article as read from disk (a file, or one record of a .jsonl file)."""

    doc_id: str  # stable id: the path relative to the ingest root, plus "#<id>" for .jsonl records
    source: str  # file name shown to people
    text: str  # the text wenda extracted (for .jsonl: the record's "text"); offsets point here
    title: str = ""
    date: str | None = None
    author: str | None = None
    sections: tuple[Section, ...] = ()  # sorted, not overlapping; empty for plain text
    bylines: tuple[Byline, ...] = ()  # in text order; found when the document is loaded

    def locate(self, start: int, end: int) -> Location:
        return locate(self.sections, start, end)


@dataclass(frozen=True)
class CleanText:
    """A cleaned view of an original text that remembers where each character came from.

    ``offsets[i]`` is the index in the original text of ``text[i]``; cleaning only deletes
    characters, so offsets are strictly increasing.
    """

    text: str
    offsets: list[int] = field(repr=False)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the half-open span ``[start, end)`` of the clean text to the original text."""
        if start >= end:
            raise ValueError(f"empty span {start}:{end}")
        return self.offsets[start], self.offsets[end - 1] + 1

    def to_clean(self, start: int, end: int) -> tuple[int, int]:
        """Map an original span to the smallest clean span covering the kept characters in it."""
        return bisect_left(self.offsets, start), bisect_left(self.offsets, end)


@dataclass(frozen=True)
class SourceSpan:
    """Where a passage is: its document and the half-open span ``[start, end)`` of the
    document's original text. Chunks, hits, excerpts and citations all carry one."""

    doc_id: str
    source: str  # file name shown to people
    title: str
    start: int
    end: int

    def span_dict(self) -> dict:
        return {"doc_id": self.doc_id, "source": self.source, "title": self.title,
                "start": self.start, "end": self.end}


@dataclass(frozen=True)
class SentenceSpan:
    """A sentence of a chunk, as the chunker cut it: ``chunk.text[text_start:text_end]`` is
    the sentence people read (cleaned), ``document.text[start:end]`` the sentence as written.
    Answering quotes and cites these spans instead of cutting the chunk again."""

    text_start: int
    text_end: int
    start: int
    end: int

    def to_list(self) -> list[int]:
        return [self.text_start, self.text_end, self.start, self.end]


@dataclass(frozen=True)
class Chunk(SourceSpan):
    """A retrievable passage of a document."""

    chunk_id: str  # "<doc_id>#<n>"
    date: str | None
    text: str  # cleaned text, original script (what people read)
    norm: str  # normalized text (Simplified, half-width): what is embedded and matched
    location: Location = Location()
    sentences: tuple[SentenceSpan, ...] = ()

    def to_dict(self) -> dict:
        return asdict(self)
