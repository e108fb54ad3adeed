"""One exchange, step by step: standalone query → sources (shown at once) → streamed answer.

``respond`` is a generator of the conversation so far: the app re-renders after each step,
so the sources appear while the answer is still being written.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from embeddings import ModelStoreError
from rag.answering import AnswerError, endpoint_chat, in_script, llama_chat
from rag.index import CorpusIndexError
from rag.ingest import detect_script
from rag.serving import Service, ServiceError, standalone_question
from ui.source_panel import PLACEHOLDER, render_source
from ui.turns import SourceRef, Turn

log = logging.getLogger(__name__)

AnswererKind = Literal["extractive", "llm", "endpoint"]
ScriptChoice = Literal["question", "zh-Hans", "zh-Hant"]

# Errors with a message a person can act on; anything else is logged with its traceback.
EXPECTED_ERRORS = (AnswerError, ModelStoreError, CorpusIndexError, ServiceError, ValueError)


@dataclass(frozen=True)
class Settings:
    """The settings accordion, as one value."""

    answerer: AnswererKind = "extractive"
    endpoint: str = ""  # OpenAI-compatible server, for ``answerer="endpoint"``
    k: int = 5
    script: ScriptChoice = "question"
    rewrite: bool = True  # let the LLM rewrite follow-ups (LLM answerers only)

    @classmethod
    def from_cli(cls, answerer: str) -> Settings:
        """``--answerer extractive|llm|URL``."""
        if answerer.startswith(("http://", "https://")):
            return cls(answerer="endpoint", endpoint=answerer)
        if answerer not in ("extractive", "llm"):
            raise ValueError(f"unknown answerer {answerer!r}: use extractive, llm, or the URL "
                             "of an OpenAI-compatible server")
        return cls(answerer=answerer)  # type: ignore[arg-type]

    def answer_options(self) -> dict[str, Any]:
        """Keyword arguments for ``KnowledgeBase.stream_ask``."""
        if self.answerer == "endpoint":
            if not self.endpoint.strip():
                raise ValueError("give the endpoint URL in the settings, e.g. "
                                 "http://127.0.0.1:8080/v1")
            return {"answerer": "llm", "endpoint": self.endpoint.strip()}
        return {"answerer": self.answerer}


def in_chosen_script(text: str, settings: Settings, question: str) -> str:
    """The answer in the script the settings ask for; "question" means the typed one, which
    may differ from the standalone query the answerer saw."""
    script = detect_script(question) if settings.script == "question" else settings.script
    return in_script(text, script)


def standalone_query(question: str, history: list[Turn], settings: Settings) -> str:
    """The question to retrieve and answer with: ``question`` itself, or for a follow-up the
    LLM's rewrite (if an LLM answers and rewriting is on) or the heuristic expansion."""
    pairs = [(t.query, t.answer) for t in history if t.query]
    model = None
    if settings.answerer != "extractive" and settings.rewrite and pairs:
        model = (endpoint_chat(settings.endpoint, "default") if settings.answerer == "endpoint"
                 else llama_chat())
    return standalone_question(question, pairs, model)


def respond(service: Service, question: str, turns: list[Turn],
            settings: Settings) -> Iterator[list[Turn]]:
    """Append a turn for ``question`` and yield ``turns`` after each step."""
    turn = Turn(question.strip())
    history = [t for t in turns if t.done]
    turns.append(turn)
    yield turns
    started = time.perf_counter()
    try:
        turn.query = standalone_query(turn.question, history, settings)
        kb = service.kb  # one index for the whole turn, even if an upload swaps it meanwhile
        turn.hits = [SourceRef.of_hit(hit, kb.index.document(hit.chunk.doc_id).text)
                     for hit in kb.search(turn.query, settings.k)]
        yield turns
        options, raw = settings.answer_options(), ""
        for event in kb.stream_ask(turn.query, k=settings.k, **options):
            if "delta" in event:
                raw += event["delta"]
                turn.answer = in_chosen_script(raw, settings, turn.question)
            else:
                _finish(service, turn, event, settings)
            yield turns
    except EXPECTED_ERRORS as err:
        turn.note = f"没有回答：{err}"
    except Exception as err:
        log.exception("answering %r failed", turn.question)
        turn.note = f"内部错误：{type(err).__name__}: {err}"
    turn.seconds = time.perf_counter() - started
    yield turns


def _finish(service: Service, turn: Turn, result: dict[str, Any], settings: Settings) -> None:
    """Take the answerer's final, citation-checked result."""
    turn.answer = in_chosen_script(result["answer"], settings, turn.question)
    turn.refused = bool(result["refused"])
    turn.unsupported = [in_chosen_script(s, settings, turn.question)
                        for s in result.get("unsupported", [])]
    turn.answerer = result.get("answerer", "")
    turn.citations = []
    for citation in result["citations"]:
        document = service.document(citation["doc_id"])
        turn.citations.append(SourceRef.of_citation(citation, document.date if document else None))


def source_html(service: Service, turns: list[Turn], turn: int, kind: str, n: int) -> str:
    """The source panel for a click on citation/passage ``n`` of turn ``turn``."""
    ref = turns[turn].ref(kind, n) if 0 <= turn < len(turns) else None
    if ref is None:  # a click on a conversation that "new chat" has since cleared
        return PLACEHOLDER
    return render_source(ref, service.document(ref.doc_id))
