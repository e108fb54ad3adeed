"""The extractive answerer: quote the passage sentences that best answer the question.
Instant (no model), and it cannot invent: every word is a source's. Whether the quote is
an answer at all is the decision stage's call."""

from __future__ import annotations

from collections.abc import Iterator

from langchain_core.runnables import RunnableConfig

from rag.answering.config import SelectionConfig
from rag.answering.evidence import Excerpt, Passage, Ranked, excerpts, rank_sentences
from rag.answering.prompt import is_instruction
from rag.answering.terms import QueryTerms
from rag.ingest.normalize import Script

_ENDS = tuple("。！？；!?;.…”」』")


class ExtractiveAnswerer:
    """Quotes the best sentence, and a second one when it scores nearly as well
    (``second_ratio``) or holds what the first lacks (``min_gain`` more of the question's
    idf mass): the second may come from another article, as a question about two needs."""

    name = "extractive"

    def __init__(self, config: SelectionConfig | None = None) -> None:
        self.config = config or SelectionConfig()

    def search_query(self, question: str, script: Script,
                     config: RunnableConfig | None = None) -> str:
        return question

    def select(self, question: str, passages: list[Passage],
               terms: QueryTerms | None = None) -> list[Excerpt]:
        c = self.config
        ranked = [r for r in rank_sentences(passages, c.prior, c.meaning_weight)
                  if r.relevance > 0 and not is_instruction(r.sentence.norm)]
        if not ranked:
            return []
        best, picks = ranked[0], [ranked[0]]
        second = next((r for r in ranked[1:] if self._adds(best, r, terms)), None)
        if second is not None:
            picks.append(second)
        chosen: dict[Passage, set[int]] = {}
        for r in picks:
            chosen.setdefault(r.passage, set()).add(r.index)
        return excerpts(chosen)

    def _adds(self, best: Ranked, other: Ranked, terms: QueryTerms | None) -> bool:
        if other.score >= self.config.second_ratio * best.score:
            return True
        if terms is None:
            return False
        both = terms.coverage(f"{best.sentence.norm} {other.sentence.norm}")
        return both - terms.coverage(best.sentence.norm) >= self.config.min_gain

    def generate(self, question: str, given: list[Excerpt], script: Script,
                 config: RunnableConfig | None = None) -> Iterator[str]:
        # a line without an end (a byline) is closed, so that each quote keeps its marker
        yield "".join(f"{s.text}[{e.n}]" + ("" if s.text.endswith(_ENDS) else "。")
                      for e in given for s in e.sentences)
