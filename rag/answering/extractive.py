"""The extractive answerer: quote the one or two passage sentences that best match the
question. Instant (no model), and it cannot invent: every word is a source's."""

from __future__ import annotations

from collections.abc import Iterator

from langchain_core.runnables import RunnableConfig

from rag.answering.evidence import Excerpt, Passage, excerpts, rank_sentences
from rag.answering.prompt import is_instruction
from rag.ingest.normalize import Script


class ExtractiveAnswerer:
    """Refuses when no sentence covers at least ``min_coverage`` of the question's idf mass;
    adds a second sentence when it scores at least ``second`` times the best."""

    name = "extractive"

    def __init__(self, min_coverage: float = 0.25, second: float = 0.9,
                 prior: float = 0.1) -> None:
        self.min_coverage = min_coverage
        self.second = second
        self.prior = prior

    def search_query(self, question: str, script: Script,
                     config: RunnableConfig | None = None) -> str:
        return question

    def select(self, question: str, passages: list[Passage]) -> list[Excerpt]:
        ranked = [r for r in rank_sentences(passages, self.prior)
                  if not is_instruction(r.passage.sentences[r.index].norm)]
        if not ranked or ranked[0].passage.relevance[ranked[0].index] < self.min_coverage:
            return []
        picks = ranked[:1] + [r for r in ranked[1:2] if r.score >= self.second * ranked[0].score]
        chosen: dict[Passage, set[int]] = {}
        for r in picks:
            chosen.setdefault(r.passage, set()).add(r.index)
        return excerpts(chosen)

    def generate(self, question: str, given: list[Excerpt], script: Script,
                 config: RunnableConfig | None = None) -> Iterator[str]:
        yield "".join(f"{s.text}[{e.n}]" for e in given for s in e.sentences)
