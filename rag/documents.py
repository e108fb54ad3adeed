"""The records that flow through ingestion: a source document, its cleaned view, its chunks.

Every chunk keeps ``start``/``end`` offsets into the *original* decoded text of its
document, so ``document.text[chunk.start:chunk.end]`` is the passage as it was written.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class SourceDocument:
    """One article as read from disk (a file, or one record of a .jsonl file)."""

    doc_id: str  # stable id: the path relative to the ingest root, plus "#<id>" for .jsonl records
    source: str  # file name shown to people
    text: str  # the original decoded text (for .jsonl: the record's "text")
    title: str = ""
    date: str | None = None


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
class Chunk(SourceSpan):
    """A retrievable passage of a document."""

    chunk_id: str  # "<doc_id>#<n>"
    date: str | None
    text: str  # cleaned text, original script (what people read)
    norm: str  # normalized text (Simplified, half-width): what is embedded and matched

    def to_dict(self) -> dict:
        return asdict(self)
