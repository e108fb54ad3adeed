"""The answer pipeline, one declared chain of named stages:

    retrieve → select excerpts → generate → ground → decide (answer or refuse)

- **retrieve**: the retriever's passages, cut into sentences with exact spans, each
  sentence scored by the question's words (``terms``) and by meaning (``ranking``);
- **select**: the sentences the answerer reads (``ExtractiveAnswerer``, ``LLMAnswerer``);
- **generate**: the answerer writes (or quotes) an answer with ``[n]`` markers, streamed;
- **ground**: markers made true, every citation an exact span (``citations.ground``);
- **decide**: one calibrated probability that the answer is right (``decision``); below
  its threshold the answer does not stand.

When the LLM's answer does not stand, an English question is asked again in its Chinese
translation (the small model answers Chinese from Chinese far more often), and then the
best passage sentence is quoted, judged by its own decision model. All settings are in
``AnswerConfig`` (tuned on the gold sets' tune splits).

``invoke`` returns an ``Answer``; ``stream`` yields ``{"delta": text}`` while the answer is
written (in the question's script; a refusal marker is never shown), then the ``Answer``.
``AnswerChain`` is the same chain with the result as a dict, for JSON edges.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, Protocol

from langchain_core.runnables import Runnable, RunnableConfig

from rag.answering.answer import Answer
from rag.answering.citations import CrossLingual, Grounded, ground, without_markers
from rag.answering.config import AnswerConfig, DecisionModel
from rag.answering.decision import features, probability
from rag.answering.evidence import Excerpt, Passage, byline_passage, to_passage
from rag.answering.extractive import ExtractiveAnswerer
from rag.answering.generative import LLMAnswerer
from rag.answering.language import REFUSALS, in_script, reply_script
from rag.answering.llm import endpoint_chat, llama_chat
from rag.answering.prompt import is_refusal, may_become_refusal
from rag.answering.ranking import Meaning, QueryMemo
from rag.answering.terms import QueryTerms, known_names
from rag.index.retrieval import HybridRetriever, check_query
from rag.ingest.normalize import Script, normalize

ANSWERERS = ("extractive", "llm")
STAGES = ("retrieve", "select", "generate", "ground", "decide")


class Answerer(Protocol):
    name: str

    def search_query(self, question: str, script: Script,
                     config: RunnableConfig | None = None) -> str: ...

    def select(self, question: str, passages: list[Passage],
               terms: QueryTerms | None = None) -> list[Excerpt]: ...

    def generate(self, question: str, given: list[Excerpt], script: Script,
                 config: RunnableConfig | None = None) -> Iterator[str]: ...


def make_answerer(name: str = "extractive", model: str | None = None,
                  endpoint: str | None = None, endpoint_model: str | None = None,
                  timeout: float = 60.0, config: AnswerConfig | None = None,
                  **options: Any) -> Answerer:
    """``extractive``, or ``llm``: a local GGUF (store name or path) or, with ``endpoint``,
    an OpenAI-compatible server. ``options`` override ``SelectionConfig`` settings."""
    selection = replace((config or AnswerConfig.load()).selection, **options)
    if name == "extractive":
        return ExtractiveAnswerer(selection)
    if name != "llm":
        raise ValueError(f"unknown answerer {name!r}; choose one of {', '.join(ANSWERERS)}")
    if endpoint:
        chat = endpoint_chat(endpoint, endpoint_model or "default", timeout=timeout)
    else:
        chat = llama_chat(model)
    return LLMAnswerer(chat, selection)


@dataclass
class Retrieved:
    """What the retrieve stage hands on: the query searched (a translation for an English
    question to the LLM), the question's terms, the passages, and whether their sentences
    were compared with the query by meaning alone (``ranking.across_languages``)."""

    query: str
    terms: QueryTerms
    passages: list[Passage]
    across_languages: bool = False


@dataclass
class Decided:
    grounded: Grounded | None
    confidence: float | None
    features: dict[str, float]

    @property
    def stands(self) -> bool:
        return self.grounded is not None


class AnswerPipeline(Runnable[Any, Answer]):
    """Answers a question (a string, or a dict with ``"question"``) from a retriever's index."""

    stages = STAGES

    def __init__(self, retriever: HybridRetriever, answerer: Answerer,
                 fallback: Answerer | None = None, config: AnswerConfig | None = None) -> None:
        self.config = config or AnswerConfig.load()
        embedder = retriever.embedder
        if not isinstance(embedder, QueryMemo):
            embedder = QueryMemo(embedder)
        self.retriever = retriever.model_copy(update={"embedder": embedder})
        self.answerer = answerer
        self.fallback = fallback
        selection = self.config.selection
        self.meaning = Meaning(embedder, selection.meaning_pool, selection.prior,
                               self.config.grounding.cross_lingual)
        self.cross_lingual = CrossLingual(embedder, self.config.grounding.cross_lingual)

    @classmethod
    def of(cls, retriever: HybridRetriever, answerer: str = "extractive",
           config: AnswerConfig | None = None, **options: Any) -> AnswerPipeline:
        """The chain for an answerer named as ``make_answerer`` takes it; the LLM's with
        the extractive answerer as its fallback."""
        config = config or AnswerConfig.load()
        fallback = ExtractiveAnswerer(config.selection) if answerer == "llm" else None
        return cls(retriever, make_answerer(answerer, config=config, **options), fallback,
                   config)

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Answer:
        return self._call_with_config(self._final, input, config)

    def stream(self, input: Any, config: RunnableConfig | None = None,
               **kwargs: Any) -> Iterator[Any]:
        yield from self._transform_stream_with_config(iter([input]), self._transform, config)

    def _final(self, input: Any, config: RunnableConfig) -> Answer:
        *_, result = self._events(input, config)
        return result

    def _transform(self, inputs: Iterator[Any], config: RunnableConfig) -> Iterator[Any]:
        for input in inputs:
            yield from self._events(input, config)

    def _events(self, input: Any, config: RunnableConfig) -> Iterator[Any]:
        started = time.perf_counter()
        question = check_query(input["question"] if isinstance(input, dict) else input)
        script = reply_script(question)
        found = self.retrieve(question, config)
        retrieved = time.perf_counter()
        given = self.answerer.select(question, found.passages, found.terms)
        raw, shown, first = "", 0, None
        for piece in self.answerer.generate(question, given, script, config) if given else ():
            raw += piece
            if not may_become_refusal(raw):
                first = first or time.perf_counter()
                yield {"delta": in_script(raw[shown:], script)}
                shown = len(raw)
        answerer = self.answerer
        kind = "llm" if isinstance(answerer, LLMAnswerer) else "extractive"
        decided = self.decide(self.ground(raw, given, question), found, kind)
        if (not decided.stands and found.query != question
                and isinstance(self.answerer, LLMAnswerer)):
            retried = self._answered_in_chinese(self.answerer, found, given, config)
            decided = retried if retried.stands else decided
        if not decided.stands and self.fallback is not None:
            quoted = self.fallback.select(question, found.passages, found.terms)
            text = "".join(self.fallback.generate(question, quoted, script, config))
            fallen = self.decide(self.ground(text, quoted, question), found, "quoted")
            if fallen.stands:
                decided, answerer, given = fallen, self.fallback, quoted
        done = time.perf_counter()

        def ms(t: float) -> float:
            return round((t - started) * 1000, 1)

        grounded = decided.grounded
        yield Answer(
            answer=REFUSALS[script] if grounded is None else in_script(grounded.answer, script),
            citations=[] if grounded is None else grounded.citations,
            refused=grounded is None,
            unsupported=[] if grounded is None else [in_script(s, script)
                                                     for s in grounded.unsupported],
            answerer=answerer.name,
            passages=[e.to_dict() for e in given],
            timings={"retrieve_ms": ms(retrieved), "first_token_ms": ms(first or done),
                     "total_ms": ms(done)},
            confidence=decided.confidence,
            features=decided.features,
        )

    # -- the stages ----------------------------------------------------------------------
    def retrieve(self, question: str, config: RunnableConfig | None = None) -> Retrieved:
        """The retrieved passages as the answerer sees them (with the byline first when the
        question asks who wrote the article), scored by the question's terms and meaning
        (for the LLM, an English question's translation is searched)."""
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
        passages = passages if byline is None else [byline, *passages]
        across = self.meaning(normalize(query), passages)
        return Retrieved(query, terms, passages, across)

    def ground(self, raw: str, given: list[Excerpt], question: str) -> Grounded | None:
        """The answer with true markers, or None when there is nothing to ground: the
        model refused, or no sentence of it has a source."""
        if not given or not raw or is_refusal(raw):
            return None
        grounded = ground(raw, given, question, self.config.grounding.min_support,
                          self.cross_lingual)
        return grounded if grounded.supported else None

    def decide(self, grounded: Grounded | None, found: Retrieved, kind: str) -> Decided:
        """Whether a grounded candidate stands, by the decision model for how it was made
        (``extractive``, ``llm`` or ``quoted``)."""
        if grounded is None:
            return Decided(None, None, {})
        model: DecisionModel = getattr(self.config.decision, kind)
        values = features(grounded, found.passages, found.terms,
                          _cited_meaning(grounded, found.passages), found.across_languages)
        p = probability(model, values)
        return Decided(grounded if p >= model.threshold else None, round(p, 4), values)

    def _answered_in_chinese(self, llm: LLMAnswerer, found: Retrieved, given: list[Excerpt],
                             config: RunnableConfig | None) -> Decided:
        """An English question the model would not answer in English, asked again in its
        translation; a grounded answer is given in English with its checked Chinese words
        in brackets, as English answers are asked to be written."""
        if not given:
            return Decided(None, None, {})
        raw = "".join(llm.generate(found.query, given, "zh-Hans", config))
        decided = self.decide(self.ground(raw, given, found.query), found, "llm")
        if decided.grounded is None:
            return decided
        chinese = without_markers(decided.grounded.answer).strip().rstrip("。")
        english = without_markers(llm.to_english(chinese, config)).rstrip(" .")
        markers = "".join(f"[{c.n}]" for c in decided.grounded.citations)
        return replace(decided, grounded=replace(
            decided.grounded, answer=f"{english} ({chinese}){markers}."))


def _cited_meaning(grounded: Grounded, passages: list[Passage]) -> float:
    """The largest meaning score of a passage sentence inside a citation's span."""
    return max((p.meaning[i] for c in grounded.citations for p in passages
                if p.doc_id == c.doc_id and p.meaning
                for i, s in enumerate(p.sentences) if c.start <= s.start and s.end <= c.end),
               default=0.0)


class AnswerChain(AnswerPipeline):
    """The pipeline with its result as a dict (``Answer.to_dict``), for the JSON edges
    (``wenda ask --json``, the HTTP API)."""

    def invoke(self, input: Any, config: RunnableConfig | None = None,  # type: ignore[override]
               **kwargs: Any) -> dict:
        return super().invoke(input, config, **kwargs).to_dict()

    def stream(self, input: Any, config: RunnableConfig | None = None,
               **kwargs: Any) -> Iterator[dict]:
        for event in super().stream(input, config, **kwargs):
            yield event.to_dict() if isinstance(event, Answer) else event

    def passages(self, question: str, config: RunnableConfig | None = None,
                 ) -> tuple[QueryTerms, list[Passage]]:
        """The retrieved passages as the answerer sees them, and the question's terms."""
        found = self.retrieve(question, config)
        return found.terms, found.passages
