"""Question → retrieve → select excerpts → answer → grounded citations, as one LangChain
``Runnable`` (``invoke``/``stream``/``batch`` and callbacks come with it).

``invoke`` returns the result dict; ``stream`` yields ``{"delta": text}`` while the answer
is written (in the question's script; a refusal marker is never shown) and then the result
dict, whose ``answer`` is the final, citation-checked text.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any, Protocol

from langchain_core.runnables import Runnable, RunnableConfig

from rag.answering.citations import CrossLingual, ground
from rag.answering.evidence import Excerpt, Passage, to_passage
from rag.answering.extractive import ExtractiveAnswerer
from rag.answering.generative import LLMAnswerer
from rag.answering.language import REFUSALS, in_script, reply_script
from rag.answering.llm import endpoint_chat, llama_chat
from rag.answering.prompt import is_refusal, may_become_refusal
from rag.answering.terms import QueryTerms, known_names
from rag.normalize import Script, normalize
from rag.retrieval import HybridRetriever, check_query

ANSWERERS = ("extractive", "llm")


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

    def __init__(self, retriever: HybridRetriever, answerer: Answerer) -> None:
        self.retriever = retriever
        self.answerer = answerer
        self.cross_lingual = CrossLingual(retriever.embedder)

    @classmethod
    def of(cls, retriever: HybridRetriever, answerer: str = "extractive",
           **options: Any) -> AnswerChain:
        """The chain for an answerer named as ``make_answerer`` takes it."""
        return cls(retriever, make_answerer(answerer, **options))

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
        index = self.retriever.index
        query = self.answerer.search_query(question, script, config)
        if query != question:  # a translation: keep the names it may have lost
            kept = [t for t in known_names(question, index.bm25) if t not in normalize(query)]
            query = " ".join([query, *kept])
        documents = self.retriever.invoke(query, config)
        terms = QueryTerms.of(query, index.bm25)
        passages = [to_passage(n, doc, index.document(doc.metadata["doc_id"]).text, terms)
                    for n, doc in enumerate(documents, start=1)]
        retrieved = time.perf_counter()
        given = self.answerer.select(question, passages)
        raw, shown, first = "", 0, None
        for piece in self.answerer.generate(question, given, script, config) if given else ():
            first = first or time.perf_counter()
            raw += piece
            if not may_become_refusal(raw):
                yield {"delta": in_script(raw[shown:], script)}
                shown = len(raw)
        grounded = (ground(raw, given, question, cross_lingual=self.cross_lingual)
                    if given and not is_refusal(raw) else None)
        refused = grounded is None or not grounded.supported
        done = time.perf_counter()

        def ms(t: float) -> float:
            return round((t - started) * 1000, 1)

        yield {
            "answer": REFUSALS[script] if refused else in_script(grounded.answer, script),
            "citations": [] if refused else grounded.citations,
            "refused": refused,
            "unsupported": [] if refused else [in_script(s, script) for s in grounded.unsupported],
            "answerer": self.answerer.name,
            "passages": [e.to_dict() for e in given],
            "timings": {"retrieve_ms": ms(retrieved), "first_token_ms": ms(first or done),
                        "total_ms": ms(done)},
        }
