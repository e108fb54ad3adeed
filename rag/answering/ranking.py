"""Similarity of meaning between a question and passage sentences, by the retriever's
embedder: shared words miss a sentence that answers in other words ("多长" is answered by
"60秒"), and favour one that repeats the question without answering it.

Only the few sentences best by shared words are embedded (``pool``), in one batch, and
their vectors are cached by content (``CachedEmbeddings``); the question's vector is the
one the retriever computed (``QueryMemo``). A question whose words no passage can share (an
English question over Chinese text) is compared by meaning alone, with every sentence.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.answering.config import GroundingConfig
from rag.answering.evidence import Passage, rank_sentences
from rag.ingest.normalize import HAN


def across_languages(norm_query: str, passages: list[Passage]) -> bool:
    """The question has no Han character and the passages do: shared words cannot say
    which sentence answers it."""
    return HAN.search(norm_query) is None and any(
        HAN.search(s.norm) for p in passages for s in p.sentences)


class QueryMemo(Embeddings):
    """An embedder that remembers its last few query vectors, so the answer stages reuse
    the one retrieval computed."""

    def __init__(self, inner: Embeddings, size: int = 32) -> None:
        self.inner = inner
        self.size = size
        self._queries: OrderedDict[str, list[float]] = OrderedDict()

    def __getattr__(self, name: str):  # noqa: ANN204 - dimension, model_id... of the inner one
        return getattr(self.inner, name)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        if text not in self._queries:
            self._queries[text] = self.inner.embed_query(text)
            while len(self._queries) > self.size:
                self._queries.popitem(last=False)
        self._queries.move_to_end(text)
        return self._queries[text]


class Meaning:
    """Fills ``Passage.meaning``: per sentence, its similarity of meaning to the question,
    scaled to 0 … 1 over the compared sentences (the most similar 1, the least 0); sentences
    not compared get 0. A passage whose meaning is already known (the byline a question
    asks for) keeps it.

    Across languages (``across_languages``) every sentence is compared, and its similarity
    in standard deviations from the mean of all of them is its meaning, and its relevance
    (which word coverage cannot measure there) when the similarity itself reaches ``floor``
    (``GroundingConfig.cross_lingual``: where a sentence in another language says what the
    question asks about); below it the sentence cannot answer, however it stands out among
    sentences that are all about something else."""

    def __init__(self, embedder: Embeddings, pool: int = 8, prior: float = 0.1,
                 floor: float = GroundingConfig.cross_lingual) -> None:
        self.embedder = embedder
        self.pool = pool
        self.prior = prior
        self.floor = floor

    def __call__(self, norm_query: str, passages: list[Passage]) -> bool:
        """Fill in the passages' meaning; True when it was compared across languages."""
        passages = [p for p in passages if not p.meaning]  # a known meaning is kept
        if across_languages(norm_query, passages):
            self._by_meaning_alone(norm_query, passages)
            return True
        for p in passages:
            p.meaning = [0.0] * len(p.sentences)
        ranked = [r for r in rank_sentences(passages, self.prior) if r.relevance > 0]
        chosen = ranked[: self.pool]
        if self.pool <= 0 or len(chosen) < 2:
            for r in chosen:
                r.passage.meaning[r.index] = 1.0
            return False
        similarity = self._similarity(norm_query, [r.sentence.norm for r in chosen])
        low, high = float(similarity.min()), float(similarity.max())
        scaled = (similarity - low) / (high - low) if high > low else np.ones_like(similarity)
        by_text = {r.sentence.norm: float(v) for r, v in zip(chosen, scaled)}
        for p in passages:  # a sentence that overlapping chunks share gets its value in each
            p.meaning = [by_text.get(s.norm, 0.0) for s in p.sentences]
        return False

    def _by_meaning_alone(self, norm_query: str, passages: list[Passage]) -> None:
        texts = list(dict.fromkeys(s.norm for p in passages for s in p.sentences))
        if len(texts) < 2:
            for p in passages:
                p.meaning = [0.0] * len(p.sentences)
            return
        similarity = self._similarity(norm_query, texts)
        spread = float(similarity.std()) or 1.0
        standout = dict(zip(texts, ((similarity - similarity.mean()) / spread).tolist()))
        similar = dict(zip(texts, (similarity >= self.floor).tolist()))
        for p in passages:
            p.meaning = [standout[s.norm] for s in p.sentences]
            p.relevance = [standout[s.norm] if similar[s.norm] else 0.0 for s in p.sentences]

    def _similarity(self, norm_query: str, texts: list[str]) -> np.ndarray:
        """Cosine of each text to the query (the embedders return unit vectors)."""
        query = np.asarray(self.embedder.embed_query(norm_query))
        return np.asarray(self.embedder.embed_documents(texts)) @ query
