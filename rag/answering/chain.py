"""Question → retrieve → select excerpts → answer → grounded citations, as one LangChain
``Runnable`` (``invoke``/``stream``/``batch`` and callbacks come with it).

An answer stands only when its citations hold (``ground``) and what it cites covers at
least ``MIN_CITED_RELEVANCE`` of the question's idf mass: a sentence that merely holds
the number the model gives ("9 美元到 169 美元不等" of Sora course adverts, for a Sora
subscription's price) is no answer. When the LLM refuses an English question, or its
answer does not stand, the model is asked again in the question's Chinese translation, and
a grounded Chinese answer comes back translated. When there is still no answer, a passage
sentence that covers the question almost wholly (``FALLBACK_COVERAGE``) is quoted instead,
as the extractive answerer would: the small model refuses some questions whose answer is
plainly given.

``invoke`` returns the result dict; ``stream`` yields ``{"delta": text}`` while the answer
is written (in the question's script; a refusal marker is never shown) and then the result
dict, whose ``answer`` is the final, citation-checked text. ``first_token_ms`` is when the
first piece of text was shown (the final answer's time when nothing was streamed).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, Protocol

from langchain_core.runnables import Runnable, RunnableConfig

from rag.answering.citations import (
    CrossLingual,
    Grounded,
    ground,
    names_linked,
    without_markers,
)
from rag.answering.evidence import Excerpt, Passage, byline_passage, to_passage
from rag.answering.extractive import ExtractiveAnswerer
from rag.answering.generative import LLMAnswerer
from rag.answering.language import REFUSALS, in_script, reply_script
from rag.answering.llm import endpoint_chat, llama_chat
from rag.answering.prompt import is_refusal, may_become_refusal
from rag.answering.terms import QueryTerms, known_names
from rag.index.retrieval import HybridRetriever, check_query
from rag.ingest.normalize import Script, detect_script, normalize

ANSWERERS = ("extractive", "llm")

# Both read off the seeds gold set (bench/answer_bench.py, 1.5B model): correct answers
# cite sentences covering >= 0.25 of the question, two wrong ones 0.05 and 0.18; answerable
# questions the LLM refused had quotable sentences at 0.78 and 0.86, unanswerable ones at
# most 0.61.
MIN_CITED_RELEVANCE = 0.2
FALLBACK_COVERAGE = 0.7


class Answerer(Protocol):
    name: str

    def search_query(self, question: str, script: Script,
                     config: RunnableConfig | None = None) -> str: ...

    def select(self, question: str, passages: list[Passage]) -> list[Excerpt]: ...

    def generate(self, question: str, given: list[Excerpt], script: Script,
                 config: RunnableConfig | None = None) -> Iterator[str]: ...


def make_answerer(name: str = "extractive", model: str | None = None,
                  endpoint: str | None = None, endpoint_model: str | None = None,
                  timeout: float = 60.0, **options: Any) -> Answerer:
    """``extractive``, or ``llm``: a local GGUF (store name or path) or, with ``endpoint``,
    an OpenAI-compatible server. ``options`` go to the answerer's constructor."""
    if name == "extractive":
        return ExtractiveAnswerer(**options)
    if name != "llm":
        raise ValueError(f"unknown answerer {name!r}; choose one of {', '.join(ANSWERERS)}")
    if endpoint:
        chat = endpoint_chat(endpoint, endpoint_model or "default", timeout=timeout)
    else:
        chat = llama_chat(model)
    return LLMAnswerer(chat, **options)


class AnswerChain(Runnable[Any, dict]):
    """Answers a question (a string, or a dict with ``"question"``) from a retriever's index."""

    def __init__(self, retriever: HybridRetriever, answerer: Answerer,
                 fallback: Answerer | None = None,
                 min_cited_relevance: float = MIN_CITED_RELEVANCE) -> None:
        self.retriever = retriever
        self.answerer = answerer
        self.fallback = fallback
        self.min_cited_relevance = min_cited_relevance
        self.cross_lingual = CrossLingual(retriever.embedder)

    @classmethod
    def of(cls, retriever: HybridRetriever, answerer: str = "extractive",
           **options: Any) -> AnswerChain:
        """The chain for an answerer named as ``make_answerer`` takes it; the LLM's with
        the extractive fallback."""
        fallback = ExtractiveAnswerer(min_coverage=FALLBACK_COVERAGE) if answerer == "llm" else None
        return cls(retriever, make_answerer(answerer, **options), fallback)

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> dict:
        return self._call_with_config(self._final, input, config)

    def stream(self, input: Any, config: RunnableConfig | None = None,
               **kwargs: Any) -> Iterator[dict]:
        yield from self._transform_stream_with_config(iter([input]), self._transform, config)

    def _final(self, input: Any, config: RunnableConfig) -> dict:
        *_, result = self._events(input, config)
        return result

    def _transform(self, inputs: Iterator[Any], config: RunnableConfig) -> Iterator[dict]:
        for input in inputs:
            yield from self._events(input, config)

    def _events(self, input: Any, config: RunnableConfig) -> Iterator[dict]:
        started = time.perf_counter()
        question = check_query(input["question"] if isinstance(input, dict) else input)
        script = reply_script(question)
        query, terms, passages = self._retrieve(question, config)
        retrieved = time.perf_counter()
        given = self.answerer.select(question, passages)
        raw, shown, first = "", 0, None
        for piece in self.answerer.generate(question, given, script, config) if given else ():
            raw += piece
            if not may_become_refusal(raw):
                first = first or time.perf_counter()
                yield {"delta": in_script(raw[shown:], script)}
                shown = len(raw)
        grounded, answerer = self._standing(raw, given, question, terms), self.answerer
        if grounded is None and query != question and isinstance(self.answerer, LLMAnswerer):
            grounded = self._answered_in_chinese(self.answerer, query, given, terms, config)
        if grounded is None and self.fallback is not None:
            quoted = self.fallback.select(question, passages)
            raw = "".join(self.fallback.generate(question, quoted, script, config))
            grounded = self._standing(raw, quoted, question, terms)
            if grounded is not None:
                answerer, given = self.fallback, quoted
        done = time.perf_counter()

        def ms(t: float) -> float:
            return round((t - started) * 1000, 1)

        yield {
            "answer": REFUSALS[script] if grounded is None else in_script(grounded.answer, script),
            "citations": [] if grounded is None else grounded.citations,
            "refused": grounded is None,
            "unsupported": [] if grounded is None else [in_script(s, script)
                                                        for s in grounded.unsupported],
            "answerer": answerer.name,
            "passages": [e.to_dict() for e in given],
            "timings": {"retrieve_ms": ms(retrieved), "first_token_ms": ms(first or done),
                        "total_ms": ms(done)},
        }

    def passages(self, question: str, config: RunnableConfig | None = None,
                 ) -> tuple[QueryTerms, list[Passage]]:
        """The retrieved passages as the answerer sees them (with the byline first when the
        question asks who wrote the article), and the question's terms they are scored by
        (for the LLM, an English question's translation is searched)."""
        _, terms, passages = self._retrieve(question, config)
        return terms, passages

    def _retrieve(self, question: str, config: RunnableConfig | None,
                  ) -> tuple[str, QueryTerms, list[Passage]]:
        index = self.retriever.index
        query = self.answerer.search_query(question, reply_script(question), config)
        if query != question:  # a translation: keep the names it may have lost
            kept = [t for t in known_names(question, index.bm25) if t not in normalize(query)]
            query = " ".join([query, *kept])
        documents = self.retriever.invoke(query, config)
        terms = QueryTerms.of(query, index.bm25, asked=question)
        passages = [to_passage(n, doc, index.document(doc.metadata["doc_id"]), terms)
                    for n, doc in enumerate(documents, start=1)]
        byline = byline_passage(terms, passages)
        return query, terms, passages if byline is None else [byline, *passages]

    def _answered_in_chinese(self, llm: LLMAnswerer, translated: str, given: list[Excerpt],
                             terms: QueryTerms, config: RunnableConfig | None,
                             ) -> Grounded | None:
        """An English question the model would not answer in English, asked again in its
        translation: the 1.5B model answers Chinese questions from Chinese excerpts far more
        often (seeds gold set: 0.88-1.0 accuracy against 0.75 for English). A grounded answer
        is given in English with its checked Chinese words in brackets, as English answers
        are asked to be written."""
        if not given:
            return None
        raw = "".join(llm.generate(translated, given, "zh-Hans", config))
        grounded = self._standing(raw, given, translated, terms)
        if grounded is None:
            return None
        chinese = without_markers(grounded.answer).strip().rstrip("。")
        english = without_markers(llm.to_english(chinese, config)).rstrip(" .")
        markers = "".join(f"[{c['n']}]" for c in grounded.citations)
        return replace(grounded, answer=f"{english} ({chinese}){markers}.")

    def _standing(self, raw: str, given: list[Excerpt], question: str,
                  terms: QueryTerms) -> Grounded | None:
        """The grounded answer, or None when there is none to give: the model refused, no
        sentence has support, what it cites hardly touches the question, a Chinese answer
        lacks the shape its question asks for (a count, a day, a duration), or an English
        one takes a name from a sentence that does not name the question's subject."""
        if not given or not raw or is_refusal(raw):
            return None
        grounded = ground(raw, given, question, cross_lingual=self.cross_lingual)
        cited = [terms.relevance(normalize(c["quote"])) for c in grounded.citations]
        if not grounded.supported or max(cited) < self.min_cited_relevance:
            return None
        answer = normalize(without_markers(grounded.answer))
        if detect_script(answer) != "en" and not terms.has_shape(answer):
            return None  # "视频压缩网络、…" for "几个方面"; English may spell a number out
        if not names_linked(question, grounded, self.retriever.index.bm25):
            return None
        return grounded
