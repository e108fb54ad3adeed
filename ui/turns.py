"""What the chat remembers of each exchange: plain records, kept in the browser session's state.

A ``SourceRef`` holds everything the source panel needs except the document text, which
is read from the index when the person clicks; ``original`` (the span as it was when the
answer was given) tells whether the document has changed since.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from rag import Location, SourceSpan
from rag.index import Hit

Kind = Literal["hit", "cite"]


@dataclass(frozen=True)
class SourceRef(SourceSpan):
    """A span of an indexed document: a retrieved passage (``hit``) or a citation (``cite``)."""

    kind: Kind
    n: int
    date: str | None
    text: str  # what the chat lists: the passage (cleaned) or the cited quote
    original: str  # document.text[start:end] at answer time
    where: str = ""  # "p. 3 · 第二章 > 2.1": page and heading path, when the file has them

    @classmethod
    def of_hit(cls, hit: Hit, original: str) -> SourceRef:
        c = hit.chunk
        return cls(**c.span_dict(), kind="hit", n=hit.rank, date=c.date, text=c.text,
                   original=original[c.start : c.end], where=c.location.label())

    @classmethod
    def of_citation(cls, citation: dict[str, Any], date: str | None) -> SourceRef:
        span = {key: citation[key] for key in ("doc_id", "source", "start", "end")}
        where = Location.of(citation)
        return cls(**span, title=citation.get("title") or "", kind="cite", n=citation["n"],
                   date=date, text=citation.get("text") or citation["quote"],
                   original=citation["quote"], where=where.label())


@dataclass
class Turn:
    """One question and what came back, filled in as retrieval and the answer arrive."""

    question: str
    query: str = ""  # the standalone question retrieval used (differs for follow-ups)
    hits: list[SourceRef] = field(default_factory=list)
    answer: str = ""
    citations: list[SourceRef] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)  # answer sentences without a source
    refused: bool = False
    answerer: str = ""
    note: str = ""  # a line for the person: an error, or why there is no answer
    seconds: float | None = None  # None while the answer is being written

    @property
    def done(self) -> bool:
        return self.seconds is not None

    def ref(self, kind: str, n: int) -> SourceRef | None:
        refs = {"hit": self.hits, "cite": self.citations}.get(kind, [])
        return next((r for r in refs if r.n == n), None)
