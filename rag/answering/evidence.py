"""Passages as answerers see them: retrieved chunks as sentences with exact spans.

The chunker cut each chunk into sentences and stored their spans (``SentenceSpan``): the
cleaned text people read, and where it is in the original, so a quote is always
``original[start:end]`` and never swallows debris around it. The loader found the
document's byline lines (``SourceDocument.bylines``), which a question about who wrote it
is given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from langchain_core.documents import Document

from rag.answering.terms import QueryTerms
from rag.documents import Location, SentenceSpan, SourceDocument
from rag.ingest.normalize import normalize


@dataclass(frozen=True)
class Sentence:
    text: str  # cleaned, original script: what people read
    norm: str  # normalized: what is matched
    start: int  # span in the document's original text
    end: int


@dataclass(eq=False)
class Passage:
    """The ``n``-th retrieved chunk, its sentences and how well each matches the question."""

    n: int
    doc_id: str
    source: str
    title: str
    score: float  # retrieval score
    document: SourceDocument = field(repr=False)  # text = the whole document as extracted
    sentences: list[Sentence]
    relevance: list[float]  # per sentence: QueryTerms.relevance
    meaning: list[float] = field(default_factory=list)  # per sentence: ``ranking.Meaning``

    @property
    def original(self) -> str:
        return self.document.text

    def locate(self, start: int, end: int) -> Location:
        return self.document.locate(start, end)


@dataclass(frozen=True)
class Excerpt:
    """Sentences of one passage given to an answerer as source ``[n]``."""

    n: int
    passage: Passage
    indices: list[int]  # sentence indices in the passage, ascending

    @property
    def sentences(self) -> list[Sentence]:
        return [self.passage.sentences[i] for i in self.indices]

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)

    def to_dict(self) -> dict:
        p = self.passage
        start, end = self.sentences[0].start, self.sentences[-1].end
        return {"n": self.n, "doc_id": p.doc_id, "source": p.source, "title": p.title,
                "score": round(p.score, 6), "start": start, "end": end,
                **p.locate(start, end).to_dict(), "text": self.text}



@dataclass(frozen=True)
class Ranked:
    """A candidate sentence: its passage, its index there, and its score for the question."""

    score: float
    passage: Passage
    index: int

    @property
    def sentence(self) -> Sentence:
        return self.passage.sentences[self.index]

    @property
    def relevance(self) -> float:
        return self.passage.relevance[self.index]


def rank_sentences(passages: list[Passage], prior: float,
                   meaning_weight: float = 0.0) -> list[Ranked]:
    """All sentences, best first: question-term coverage, blended with similarity of
    meaning (``meaning_weight`` of the score, when ``Passage.meaning`` was measured), plus
    ``prior`` for a passage at the top of the retrieval list, falling linearly to 0 for the
    last one. A sentence that overlapping chunks share is kept once, in its best-ranked
    passage. A sentence without the shape the answer needs (relevance 0) gets no meaning
    bonus: it cannot answer."""
    last = max((p.n for p in passages), default=1)

    def score(p: Passage, i: int) -> float:
        lexical = p.relevance[i]
        if p.meaning and lexical > 0:
            lexical = (1 - meaning_weight) * lexical + meaning_weight * p.meaning[i]
        return lexical + prior * (last - p.n) / max(last - 1, 1)

    ranked = sorted((Ranked(score(p, i), p, i) for p in passages
                     for i in range(len(p.sentences))),
                    key=lambda r: (-r.score, r.passage.n, r.index))
    seen: set[tuple[str, int]] = set()
    unique = []
    for r in ranked:
        key = (r.passage.doc_id, r.passage.sentences[r.index].start)
        if key not in seen:
            seen.add(key)
            unique.append(r)
    return unique


def excerpts(picks: dict[Passage, set[int]]) -> list[Excerpt]:
    """Number the picked sentences as sources [1], [2]… in retrieval order."""
    ordered = sorted((p for p in picks if picks[p]), key=lambda p: p.n)
    return [Excerpt(n, p, sorted(picks[p])) for n, p in enumerate(ordered, start=1)]


def sentences_of(chunk_text: str, spans: Iterable[SentenceSpan]) -> list[Sentence]:
    """The sentences of a chunk, from the spans the chunker stored."""
    out = []
    for span in spans:
        text = chunk_text[span.text_start : span.text_end]
        out.append(Sentence(text, normalize(text), span.start, span.end))
    return out


def to_passage(n: int, doc: Document, document: SourceDocument, terms: QueryTerms) -> Passage:
    """A retrieved LangChain document (``HybridRetriever`` metadata) of ``document`` as a
    ``Passage``."""
    meta = doc.metadata
    sentences = sentences_of(doc.page_content, (SentenceSpan(*s) for s in meta["sentences"]))
    return Passage(n, meta["doc_id"], meta["source"], meta.get("title") or "", meta["score"],
                   document, sentences, [terms.relevance(s.norm) for s in sentences])


def byline_passage(terms: QueryTerms, passages: list[Passage]) -> Passage | None:
    """For a question asking who wrote, edited or published an article: the byline line it
    asks for, from the best-ranked retrieved article that has one, as a one-sentence
    passage ranked before all others (n=0: it is what the question asks for). Bylines
    stand apart from the text they sign, so the chunks retrieved for the question's words
    seldom hold them."""
    if terms.byline is None:
        return None
    seen: set[str] = set()
    for p in passages:
        if p.doc_id in seen:
            continue
        seen.add(p.doc_id)
        for byline in p.document.bylines:
            text = p.original[byline.start : byline.end]
            norm = normalize(text)
            if terms.is_byline(norm):
                line = Sentence(text, norm, byline.start, byline.end)
                return Passage(0, p.doc_id, p.source, p.title, p.score, p.document,
                               [line], [terms.relevance(line.norm)], meaning=[1.0])
    return None
