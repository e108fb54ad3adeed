"""Follow-up questions read with the conversation in mind, for the chat and the API alike.

"他后来又说了什么？" retrieves nothing useful on its own. A conversation is a list of
(standalone question, answer) pairs; the next question becomes standalone by the LLM's
rewrite when a model is given, else by prepending the previous question's topic.
"""

from __future__ import annotations

import logging

from rag.answering import expand, is_follow_up, rewrite_with_llm
from rag.answering.followup import ChatModel

log = logging.getLogger(__name__)


def standalone_question(question: str, history: list[tuple[str, str]],
                        model: ChatModel | None = None) -> str:
    """``question`` as a query that stands alone, given the earlier (standalone question,
    answer) pairs; ``model`` rewrites follow-ups when given."""
    previous = history[-1][0] if history else None
    if model is None or not previous:
        return expand(question, previous)
    if not is_follow_up(question):
        return question.strip()
    try:
        return rewrite_with_llm(model, question, history)
    except Exception as err:  # a failed rewrite must not lose the question
        log.warning("follow-up rewrite failed (%s); using the heuristic", err)
        return expand(question, previous)


def standalone_turns(questions: list[str], answers: list[str]) -> list[tuple[str, str]]:
    """The (standalone question, answer) pairs of a conversation replayed from its raw
    messages (an API request carries no standalone forms): each question is expanded with
    the topic of the one before, so chained follow-ups keep their topic."""
    pairs: list[tuple[str, str]] = []
    for question, answer in zip(questions, answers):
        pairs.append((standalone_question(question, pairs), answer))
    return pairs
