"""The typed result of the answer pipeline; JSON only at the edges (``to_dict``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.documents import Location, SourceSpan


@dataclass(frozen=True)
class Citation(SourceSpan):
    """What an answer's ``[n]`` points at: ``quote`` is ``original[start:end]`` as written,
    ``text`` the same sentences cleaned of scraping debris (what people read)."""

    n: int
    quote: str
    text: str
    location: Location = Location()  # page and heading path, where the file has them

    def to_dict(self) -> dict:
        return {"n": self.n, **self.span_dict(), **self.location.to_dict(), "quote": self.quote,
                "text": self.text}


@dataclass
class Answer:
    """A checked answer (``[n]`` markers point at ``citations``) or a refusal."""

    answer: str
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False
    unsupported: list[str] = field(default_factory=list)  # answer sentences with no source
    answerer: str = ""
    passages: list[dict] = field(default_factory=list)  # the excerpts the answerer read
    timings: dict[str, float] = field(default_factory=dict)
    confidence: float | None = None  # the decision's probability that the answer is right
    features: dict[str, float] = field(default_factory=dict)  # what the decision read

    def to_dict(self) -> dict:
        return {"answer": self.answer, "citations": [c.to_dict() for c in self.citations],
                "refused": self.refused, "unsupported": self.unsupported,
                "answerer": self.answerer, "passages": self.passages, "timings": self.timings,
                "confidence": self.confidence, "features": self.features}
