"""One evaluated question: what was asked, retrieved and answered, its scores, what went wrong.

Records are the unit every report is built from (JSON, CSV, HTML rows) and the input of
``eval.summary``; they are plain JSON data, so a saved run can be re-read and compared.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import eval.metrics as metrics
from eval.gold import GoldItem
from eval.metrics import EvidenceGroup, Span
from rag.answering import without_markers
from rag.index import Hit

# What went wrong, as fixed labels so that runs can count them.
NOT_IN_INDEX = "gold evidence not in index"
NOT_INDEXED = "evidence not in any chunk (removed by cleaning?)"
NOT_RETRIEVED = "evidence not retrieved"
PARTLY_RETRIEVED = "only part of the evidence retrieved"
ERROR = "error"
FALSE_REFUSAL = "false refusal"
WRONG = "answer wrong"
ANSWERED_UNANSWERABLE = "answered unanswerable"
NO_CITATION = "no citation"
CITATION_OFF = "citations miss the evidence"


@dataclass
class QuestionRecord:
    id: str
    question: str
    type: str
    lang: str
    answerable: bool
    gold: list[str]  # the answer and its aliases
    evidence: list[list[dict[str, Any]]] = field(default_factory=list)  # groups of spans
    unresolved: str | None = None  # why the gold evidence could not be placed in the index
    unindexed: int = 0  # evidence groups that no chunk overlaps
    retrieved: list[dict[str, Any]] = field(default_factory=list)
    evidence_ranks: list[int | None] = field(default_factory=list)
    doc_ranks: list[int | None] = field(default_factory=list)
    answer: str | None = None
    refused: bool | None = None
    answerer: str | None = None
    citations: list[dict[str, Any]] = field(default_factory=list)
    correct: bool | None = None
    f1: float | None = None
    em: float | None = None
    citation_precision: float | None = None
    citation_recall: float | None = None
    timings: dict[str, float] = field(default_factory=dict)
    confidence: float | None = None  # the answer decision's probability (rag Answer)
    features: dict[str, float] = field(default_factory=dict)  # what that decision read
    error: str | None = None
    problems: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, item: GoldItem, groups: list[EvidenceGroup], unresolved: str | None
           ) -> QuestionRecord:
        return cls(id=item.id, question=item.question, type=item.type, lang=item.lang,
                   answerable=item.answerable, gold=item.answers,
                   evidence=[[asdict(s) for s in g] for g in groups], unresolved=unresolved)

    @property
    def scored_for_retrieval(self) -> bool:
        """Retrieval metrics count answerable questions whose evidence is in the index."""
        return self.answerable and bool(self.evidence)

    def groups(self) -> list[EvidenceGroup]:
        return [tuple(Span(**s) for s in g) for g in self.evidence]

    def add_hits(self, hits: list[Hit], retrieve_ms: float) -> None:
        self.retrieved = [{"rank": h.rank, "doc_id": h.chunk.doc_id, "source": h.chunk.source,
                           "start": h.chunk.start, "end": h.chunk.end,
                           "score": round(h.score, 6)} for h in hits]
        spans = [Span(h.chunk.doc_id, h.chunk.start, h.chunk.end) for h in hits]
        groups = self.groups()
        self.evidence_ranks = metrics.evidence_ranks(spans, groups)
        self.doc_ranks = metrics.doc_ranks(spans, [s.doc_id for g in groups for s in g])
        self.timings["retrieve_ms"] = round(retrieve_ms, 3)

    def add_reply(self, reply: dict[str, Any]) -> None:
        """Score an answerer's reply (``KnowledgeBase.ask``'s dict) against the gold."""
        self.answer, self.refused = reply.get("answer") or "", bool(reply.get("refused"))
        self.answerer, self.citations = reply.get("answerer"), list(reply.get("citations") or [])
        stages = {k: v for k, v in (reply.get("timings") or {}).items()
                  if k != "retrieve_ms" and v is not None}  # retrieval is timed by the runner
        self.timings.update(stages)
        self.confidence, self.features = reply.get("confidence"), dict(reply.get("features") or {})
        if self.answerable:
            given = "" if self.refused else without_markers(self.answer)
            self.correct = metrics.answer_correct(given, self.gold)
            self.f1, self.em = metrics.cmrc_f1(given, self.gold), metrics.cmrc_em(given, self.gold)
        if self.evidence and not self.refused:
            cited = [Span(c["doc_id"], c["start"], c["end"]) for c in self.citations]
            self.citation_precision = metrics.citation_precision(cited, self.groups())
            self.citation_recall = metrics.citation_recall(cited, self.groups())

    def diagnose(self, k: int) -> list[str]:
        """What went wrong with this question, given ``k`` passages; also stored."""
        problems = []
        if self.error:
            problems.append(ERROR)
        if self.answerable and self.unresolved:
            problems.append(NOT_IN_INDEX)
        if self.scored_for_retrieval and not metrics.hit_at(self.evidence_ranks, k):
            problems.append(NOT_INDEXED if self.unindexed == len(self.evidence)
                            else NOT_RETRIEVED)
        elif self.scored_for_retrieval and not metrics.all_hit_at(self.evidence_ranks, k):
            problems.append(PARTLY_RETRIEVED)
        if self.refused is not None:
            problems += self._answer_problems()
        self.problems = problems
        return problems

    def _answer_problems(self) -> list[str]:
        if not self.answerable:
            return [] if self.refused else [ANSWERED_UNANSWERABLE]
        if self.refused:
            return [FALSE_REFUSAL]
        problems = [] if self.correct else [WRONG]
        if self.evidence and not self.citations:
            problems.append(NO_CITATION)
        elif self.citation_precision == 0:
            problems.append(CITATION_OFF)
        return problems

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
