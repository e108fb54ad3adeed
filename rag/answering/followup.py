"""Follow-up questions as standalone retrieval queries.

"他后来又说了什么？" retrieves nothing useful on its own: the person is in the previous
question. Two ways to put it back:

* ``expand`` (any answerer, instant): when the question refers back (a pronoun or a
  demonstrative such as 他/她/它/这/那/该, the particle 呢, 还有/后来/另外, "he", "it"...) or
  holds no content word at all ("还有呢？"), prepend the key entities of the previous
  standalone query (``topic_terms``: its proper nouns, else its nouns, as typed). Chained
  follow-ups keep the topic because the previous query was itself expanded. Only the
  entities, not the whole previous question: "张三 她后来又说了什么" finds what else
  张三 said, where the whole question would find the same sentence again.
* ``rewrite_with_llm`` (LLM answerer): ask the model for a standalone question, and fall
  back to ``expand`` when its reply does not look like one.

Markers are matched on whole jieba tokens of the normalised question, so 应该 or 因此 do
not count as 该 or 此.
"""

from __future__ import annotations

import re
from typing import Protocol

import jieba.posseg as pseg

from rag.answering.terms import STOPWORDS
from rag.index.bm25 import tokenize
from rag.ingest import normalize

_MARKER_WORDS = (
    "他 她 它 他们 她们 它们 其 该 此 这 那 这个 那个 这些 那些 这位 那位 这家 那家 这里 那里"
    " 这项 那项 上述 前者 后者 后来 之后 此后 然后 另外 此外 还有 呢 对方 本人 人家"
    " he she it they him her them his its their this that these those also then"
)
REFERENCE_MARKERS = frozenset(_MARKER_WORDS.split())
MAX_TOPIC_TERMS = 4
# person, place, organisation, other proper noun, English word, abbreviation
_ENTITY_TAGS = frozenset({"nr", "nrfg", "nrt", "ns", "nt", "nz", "eng", "j"})
MAX_REWRITE_CHARS = 100

_WORDY = re.compile(r"\w")


def is_follow_up(question: str) -> bool:
    """Whether ``question`` leans on the conversation: it refers back, or says nothing new."""
    tokens = tokenize(normalize(question))
    if any(t in REFERENCE_MARKERS for t in tokens):
        return True
    return not any(t not in STOPWORDS for t in tokens)


def topic_terms(query: str, limit: int = MAX_TOPIC_TERMS) -> list[str]:
    """The key entities of ``query`` as typed (original script), in order: proper nouns,
    English words and abbreviations by jieba's part-of-speech tags; when fewer than two,
    its other nouns too. Adjacent kept words are joined (jieba may split a foreign name in two)."""
    words, start = [], 0
    for word, flag in pseg.cut(normalize(query)):  # same length as ``query``: offsets carry
        words.append((start, start + len(word), word, flag))
        start += len(word)
    content = [w for w in words if _WORDY.search(w[2]) and w[2] not in STOPWORDS
               and w[2] not in REFERENCE_MARKERS and not (w[2].isascii() and len(w[2]) == 1)]
    kept = [w for w in content if w[3] in _ENTITY_TAGS]
    if len(kept) < 2:
        kept = [w for w in content if w[3] in _ENTITY_TAGS or w[3].startswith("n")]
    runs: list[list[int]] = []
    for s, e, _, _ in kept:
        if runs and runs[-1][1] == s:
            runs[-1][1] = e
        else:
            runs.append([s, e])
    return [query[s:e] for s, e in runs][:limit]


def expand(question: str, previous_query: str | None) -> str:
    """``question`` with the previous query's topic prepended when it is a follow-up."""
    question = question.strip()
    if not previous_query or not is_follow_up(question):
        return question
    norm_question = normalize(question)
    missing = [t for t in topic_terms(previous_query) if normalize(t) not in norm_question]
    return " ".join([*missing, question]) if missing else question


class ChatModel(Protocol):
    """What ``rewrite_with_llm`` needs of a model: LangChain's ``invoke(messages)``."""

    def invoke(self, input: list[tuple[str, str]]) -> object: ...


REWRITE_PROMPT = (
    "把用户最后的追问改写成一个不依赖上下文、可以单独理解的问题：把代词换成所指的人或事物，"
    "补全省略的主语。只输出改写后的问题，不要回答它。\n"
    "例：\n用户：这座博物馆的馆长是谁？\n助手：馆长是王明[1]。\n追问：他哪一年上任？\n"
    "改写：博物馆馆长王明哪一年上任？"
)
_LABEL = re.compile(r"^(?:改写后的问题|改写|问题)[:：]\s*")
_MARKER = re.compile(r"[\[【［]\d")


def looks_like_rewrite(reply: str, question: str) -> bool:
    """A small model often answers instead of rewriting: accept one short line, without
    citation markers, that is still a question if ``question`` was one."""
    asks = question.rstrip().endswith(("?", "？"))
    return (bool(reply) and "\n" not in reply and len(reply) <= MAX_REWRITE_CHARS
            and not _MARKER.search(reply) and (not asks or reply.endswith(("?", "？"))))


def rewrite_with_llm(model: ChatModel, question: str, history: list[tuple[str, str]]) -> str:
    """Standalone form of ``question`` given ``history`` (standalone question, answer)
    pairs, by the LLM.

    Only called for follow-ups (one LLM call costs seconds on 2 cores); a reply that does
    not look like a rewritten question falls back to ``expand``.
    """
    question = question.strip()
    previous = history[-1][0] if history else None
    if not previous or not is_follow_up(question):
        return question
    lines = [f"用户：{q}\n助手：{a[:200]}" for q, a in history[-2:]]
    prompt = "对话：\n" + "\n".join(lines) + f"\n追问：{question}\n改写："
    reply = model.invoke([("system", REWRITE_PROMPT), ("human", prompt)])
    text = _LABEL.sub("", str(getattr(reply, "content", reply)).strip()).strip("\"'“”「」 ")
    return text if looks_like_rewrite(text, question) else expand(question, previous)
