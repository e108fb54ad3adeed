"""The LLM answerer: a chat model writes a short answer from numbered excerpts.

English questions over Chinese text are first translated by the same model, so BM25 and
the sentence selection can match their terms (they cannot match English words to Chinese).
A small model translates better after one worked example, and names it cannot translate
("Acme Robotics") are kept as the question wrote them when the corpus uses them. The
translation is asked under the answer's own system prompt: llama.cpp keeps the KV cache of
the previous prompt's prefix only, and a second system prompt would make the answer that
follows, and the next question's, read those 119 tokens again (~3.6 s at 33 tokens/s on 2 cores).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.runnables import RunnableConfig

from rag.answering.config import SelectionConfig
from rag.answering.evidence import Excerpt, Passage
from rag.answering.llm import AnswerError, explain
from rag.answering.prompt import SYSTEM_PROMPT, build_messages, select_excerpts
from rag.answering.terms import QueryTerms
from rag.ingest.normalize import Script

TRANSLATE_PROMPT = ("Translate the user's question into Simplified Chinese. Keep names "
                    "that have no Chinese form as written. Output only the translated question.")
TO_ENGLISH_PROMPT = ("Translate the user's text into English. Keep names that have no "
                     "English form as written. Output only the translation.")
TRANSLATE_EXAMPLE = ("Which company built the new river bridge?",
                     "哪家公司建造了这座新的跨河大桥？")


class LLMAnswerer:
    """Gives the model at most ``budget`` characters of excerpts (``SelectionConfig``), from
    passages with a sentence covering at least ``min_relevance`` of the question (else it
    refuses unasked); the budget is measured by ``bench/prompt_budget_bench.py``."""

    name = "llm"

    def __init__(self, chat: BaseChatModel, config: SelectionConfig | None = None,
                 translate: bool = True, **settings: float) -> None:
        self.chat = chat
        self.config = replace(config or SelectionConfig(), **settings)
        self.translate = translate

    def search_query(self, question: str, script: Script,
                     config: RunnableConfig | None = None) -> str:
        if script != "en" or not self.translate:
            return question
        example, translated = TRANSLATE_EXAMPLE
        messages = [SystemMessage(SYSTEM_PROMPT), HumanMessage(f"{TRANSLATE_PROMPT}\n\n{example}"),
                    AIMessage(translated), HumanMessage(f"{TRANSLATE_PROMPT}\n\n{question}")]
        reply = "".join(self._stream(messages, config, max_tokens=80)).strip()
        return reply.splitlines()[0] if reply else question

    def to_english(self, text: str, config: RunnableConfig | None = None) -> str:
        """``text`` (an answer written in Chinese) in English; the text itself if the
        model gives nothing."""
        messages = [SystemMessage(SYSTEM_PROMPT), HumanMessage(f"{TO_ENGLISH_PROMPT}\n\n{text}")]
        reply = "".join(self._stream(messages, config, max_tokens=120)).strip()
        return reply.splitlines()[0] if reply else text

    def warm_up(self) -> None:
        """Reads the system prompt into llama.cpp's KV cache now, so the first question
        prefills only its own excerpts (its first token comes ~2 s sooner on 2 cores:
        ``bench/results/llm-warmup.json``)."""
        for _ in self._stream([SystemMessage(SYSTEM_PROMPT)], None, max_tokens=1):
            pass

    def select(self, question: str, passages: list[Passage],
               terms: QueryTerms | None = None) -> list[Excerpt]:
        return select_excerpts(passages, self.config)

    def generate(self, question: str, given: list[Excerpt], script: Script,
                 config: RunnableConfig | None = None) -> Iterator[str]:
        yield from self._stream(build_messages(question, given, script), config)

    def _stream(self, messages: list, config: RunnableConfig | None,
                **options: int) -> Iterator[str]:
        try:
            for chunk in self.chat.stream(messages, config, **options):
                if chunk.text:
                    yield chunk.text
        except (AnswerError, ValueError):
            raise
        except Exception as err:  # a server's failure, told in one line when we know it
            reason = explain(err, self.chat)
            if reason is None:
                raise
            raise AnswerError(reason) from None
