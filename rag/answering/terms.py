"""What a question asks for, and how much of it a piece of text holds.

Both answerers and the citation checker compare a question or an answer with passage
sentences on normalized text (Simplified, half-width, lowercase), so Traditional and
Simplified text match. Question terms are weighted by the corpus's BM25 idf: matching
"某某科技" says far more than matching "公司".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.index.bm25 import BM25, tokenize
from rag.ingest.bylines import ROLES
from rag.ingest.normalize import normalize

# Question words, function words (modal verbs too: "能" also sits inside "智能") and words
# about the text itself: they do not appear in the sentence that answers, so they must not
# count towards a match.
_CHINESE = """
什么 哪 哪个 哪些 哪里 哪儿 哪一 哪一天 哪一年 哪家 哪位 哪种 哪类 哪一类 哪首 哪两 多少 多长 多久
多长时间 长时间 多大 多高 几 几个 几家 谁 是谁 为什么 为何 如何 怎么 怎样 是否 吗 呢 吧 请问 根据 据
的 了 是 在 有 和 与 及 对 被 把 由 这 那 个 其 都 也 又 还 所 说 称 表示 提到 关于 文章 文中 报道
篇 能 能够 可以 可 会 应 应该 将 要 曾 已 已经
"""
_ENGLISH = """
a an the of in on at to for by with from as is are was were be been being what which who whom
whose when where why how much many did does do according that this these those it its and or not
than into about after before said say says quoted named name there their they he she his her has
have had will would can could should may might article articles report
"""
STOPWORDS = frozenset(_CHINESE.split() + _ENGLISH.split())
# "这篇", "两篇", "各篇": a count or pointer of articles speaks of the text, not its content.
_ABOUT_TEXT = re.compile(r"[一二两三几这那每各本该此]篇")

# What a question's words say its answer looks like: "多少元" needs a sentence stating an
# amount in 元, "哪一天" one stating a day. A sentence without that shape cannot answer it.
_UNITS = ("美元|欧元|个|家|元|吨|小时|块|名|秒|年|天|倍|人|次|位|条|部|款|周|月|日|岁|张|篇|种"
          "|项|台|届")
_SCALE = r"\s*(?:余|多)?\s*(?:万|亿|千|百)?\s*"
_ASKS_AMOUNT = re.compile(rf"(?:多少|几(?!乎))({_UNITS})?|how (?:many|much)")
_ASKS_DAY = re.compile(r"哪一天|哪天|日期|几号|what date|which day")
_ASKS_TIME = re.compile(r"哪一年|哪年|何时|什么时候|what year"
                        r"|\bwhen (?:did|does|do|is|was|were|will|has|have|are)\b")
_ASKS_DURATION = re.compile(r"多长时间|多久|多长|how long")
_DAY = re.compile(r"\d+\s*[日号]")
_TIME = re.compile(r"\d+\s*[年月日]")
_DURATION = re.compile(rf"(?:\d+(?:\.\d+)?|[零一二三四五六七八九十百千两半]+){_SCALE}"
                       r"(?:秒|分钟|小时|个?月|天|周|年|个?星期|seconds?|minutes?|hours?|days?)")


def answer_shape(norm_question: str) -> re.Pattern[str] | None:
    """A pattern that any answering sentence must match, when the question implies one."""
    if _ASKS_DAY.search(norm_question):
        return _DAY
    if _ASKS_TIME.search(norm_question):
        return _TIME
    if _ASKS_DURATION.search(norm_question):
        return _DURATION
    amount = _ASKS_AMOUNT.search(norm_question)
    if amount:
        return _amount(amount.group(1))
    return None


def shape_words(norm_question: str) -> list[str]:
    """The words by which a question asks for its answer's shape ("日期", "哪一天"): the
    shape check stands for them, an answering sentence need not repeat them."""
    asks = (_ASKS_DAY, _ASKS_TIME, _ASKS_DURATION, _ASKS_AMOUNT)
    return [m[0] for pattern in asks for m in pattern.finditer(norm_question)]


def _amount(unit: str | None) -> re.Pattern[str]:
    """Digits (with ``unit`` if given), or Chinese numerals followed by a unit ("十余家")."""
    unit = re.escape(unit) if unit else None
    return re.compile(rf"\d+(?:[.,]\d+)*{_SCALE}{unit or ''}"
                      rf"|[零一二三四五六七八九十百千两]+{_SCALE}(?:{unit or _UNITS})")


# Who wrote, edited or published an article is told by a byline, a line of its own that
# shares no words with a question about it (``rag.ingest.bylines``). A question asking for
# one of these roles → the role whose line answers it.
_BYLINES = (
    (re.compile(r"编辑[^,?]{0,4}(?:是谁|是哪)|\beditor\b"), ROLES["editor"]),
    (re.compile(r"(?:记者|作者|署名)[^,?]{0,6}(?:是谁|是哪)|\b(?:author|reporter|byline)\b"
                r"|who wrote"), ROLES["reporter"]),
    (re.compile(r"来源[^,?]{0,4}(?:是|为)|哪家媒体|\b(?:outlet|publication)\b"), ROLES["source"]),
)


def asked_byline(norm_question: str) -> re.Pattern[str] | None:
    """The pattern of the byline line a question asks for, if it asks who wrote, edited or
    published the article."""
    lines = [line for asks, line in _BYLINES if asks.search(norm_question)]
    return re.compile("|".join(f"(?:{p.pattern})" for p in lines)) if lines else None


# Capitalised words and numbers ("Ada Lovelace", "3.01%"): what English text and Chinese text
# can share.
NAMES_AND_NUMBERS = re.compile(r"[A-Z][\w.·-]*|\S*\d\S*")


def known_names(text: str, bm25: BM25) -> list[str]:
    """The capitalised words and numbers of ``text`` that the corpus uses ("Acme", "1999"),
    normalized: what a translated question must not lose."""
    tokens = tokenize(normalize(" ".join(NAMES_AND_NUMBERS.findall(text))))
    return list(dict.fromkeys(t for t in tokens if t in bm25.vocabulary and t not in STOPWORDS))


_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_ASCII_WORD = re.compile(r"[a-z0-9]+(?:[.%][a-z0-9%]+)*%?")
_ASCII_PART = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class QueryTerms:
    """The weighted content terms of a question."""

    weights: dict[str, float]
    shape: re.Pattern[str] | None = None
    byline: re.Pattern[str] | None = None

    @classmethod
    def of(cls, question: str, bm25: BM25, asked: str = "") -> QueryTerms:
        """Terms of ``question``; a term the corpus never uses gets the highest idf, so a
        question about something absent scores low everywhere. When ``question`` is a
        translation, ``asked`` is the question as written: the shape and byline it asks
        for ("how long", "editor") are read from both, as a translation may lose them."""
        unseen = float(bm25.idf.max()) if len(bm25.idf) else 1.0
        norm = normalize(question)
        asking = shape_words(norm)
        weights = {}
        for term in tokenize(norm):
            if (term not in STOPWORDS and not _ABOUT_TEXT.fullmatch(term)
                    and not any(term in words for words in asking)):
                column = bm25.vocabulary.get(term)
                weights[term] = unseen if column is None else float(bm25.idf[column])
        both = f"{norm} {normalize(asked)}"
        return cls(weights, answer_shape(both), asked_byline(both))

    def coverage(self, norm_text: str) -> float:
        """Share of the question's idf mass found in ``norm_text`` (0 … 1).

        A term of two or more Han characters is found anywhere in the text; a lone
        character only as a word of its own ("车" is not in "火车站"), and an ASCII term
        only as a whole word."""
        total = sum(self.weights.values())
        if not total:
            return 0.0
        # jieba splits "chat.openai.com" into chat/openai/com: match its parts as well
        words = set(_ASCII_WORD.findall(norm_text)) | set(_ASCII_PART.findall(norm_text))
        if any(len(t) == 1 and not t.isascii() for t in self.weights):
            words |= set(tokenize(norm_text))
        found = sum(w for t, w in self.weights.items()
                    if (t in words if t.isascii() or len(t) == 1 else t in norm_text))
        return found / total

    def has_shape(self, norm_text: str) -> bool:
        """Whether the text states what the question asks for ("四个方面" for "几个方面"),
        always true of a question that implies no shape."""
        return self.shape is None or bool(self.shape.search(norm_text))

    def is_byline(self, norm_text: str) -> bool:
        """Whether the text is a byline line of the kind the question asks for."""
        return self.byline is not None and bool(self.byline.fullmatch(norm_text.strip()))

    def relevance(self, norm_text: str) -> float:
        """Coverage of a sentence, 0 when it lacks the shape the answer must have; 1 for
        the byline the question asks for."""
        if self.is_byline(norm_text):
            return 1.0
        return self.coverage(norm_text) if self.has_shape(norm_text) else 0.0


def content_units(norm_text: str) -> set[str]:
    """Han character bigrams (a lone Han character as itself) and ASCII words/numbers,
    stopwords dropped: the units two texts must share for one to support the other."""
    units = {w for w in _ASCII_WORD.findall(norm_text) if w not in STOPWORDS}
    for run in _HAN_RUN.findall(norm_text):
        units |= {run} if len(run) == 1 else {run[i : i + 2] for i in range(len(run) - 1)}
    return units


def overlap(claim_units: set[str], source_units: set[str]) -> float:
    """Share of a claim's units that the source holds (0 when the claim has none)."""
    return len(claim_units & source_units) / len(claim_units) if claim_units else 0.0
