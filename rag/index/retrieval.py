"""Hybrid retrieval: dense (FAISS) + sparse (BM25 on jieba tokens), fused; a LangChain retriever.

The query is normalised the same way the chunks were (Simplified, half-width), so a question
in either script matches text in either script.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.documents import Chunk
from rag.index.bm25 import tokenize
from rag.index.settings import DEFAULT_SEARCH, Fusion
from rag.index.store import CorpusIndex
from rag.ingest.normalize import normalize

MAX_QUERY_CHARS = 1000


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and the two scores it came from."""

    rank: int
    score: float
    chunk: Chunk
    dense_score: float | None
    bm25_score: float | None

    def to_dict(self) -> dict[str, Any]:
        c = self.chunk
        return {
            "rank": self.rank, "score": round(self.score, 6), **c.span_dict(), "date": c.date,
            "chunk_id": c.chunk_id, **c.location.to_dict(), "text": c.text,
            "dense_score": _round(self.dense_score), "bm25_score": _round(self.bm25_score),
        }

    def to_document(self) -> Document:
        """The hit as LangChain's Document; its metadata also holds the chunk's sentence
        spans (``SentenceSpan.to_list``), which answering quotes."""
        meta = self.to_dict()
        meta["sentences"] = [s.to_list() for s in self.chunk.sentences]
        return Document(page_content=meta.pop("text"), metadata=meta, id=self.chunk.chunk_id)


def _round(x: float | None) -> float | None:
    return None if x is None else round(float(x), 6)


def check_query(query: str) -> str:
    """Reject an empty query; cut an over-long one (with a warning) instead of failing."""
    query = (query or "").strip()
    if not query:
        raise ValueError("empty query: type a question or some keywords")
    if len(query) > MAX_QUERY_CHARS:
        warnings.warn(f"query is {len(query)} characters long; only its first "
                      f"{MAX_QUERY_CHARS} are used", stacklevel=2)
        query = query[:MAX_QUERY_CHARS]
    return query


class HybridRetriever(BaseRetriever):
    """Top-``k`` chunks of a ``CorpusIndex`` for a query.

    ``mode`` picks dense, BM25 or both; the fusion settings (``SearchSettings``) say how
    the two rankings become one. Score fusions see both scores of every candidate: a chunk
    that only one retriever put among its ``candidates`` is scored by the other one too,
    instead of counting as 0 there.
    """

    index: CorpusIndex
    embedder: Embeddings
    k: int = 5
    mode: Literal["hybrid", "dense", "bm25"] = "hybrid"
    fusion: Fusion = DEFAULT_SEARCH.fusion
    dense_weight: float = DEFAULT_SEARCH.dense_weight
    rrf_k: int = DEFAULT_SEARCH.rrf_k
    candidates: int = DEFAULT_SEARCH.candidates
    per_doc: int = DEFAULT_SEARCH.per_doc

    model_config = ConfigDict(arbitrary_types_allowed=True)

    def search(self, query: str, k: int | None = None) -> list[Hit]:
        k = self.k if k is None else k
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        norm = normalize(check_query(query))
        self.index.refresh()
        if not self.index.chunks:
            return []
        # Until an ingest's dense phase has committed vectors, search is BM25 alone.
        dense_on = self.mode != "bm25" and len(self.index.vectors) > 0
        vector = self._query_vector(norm) if dense_on else None
        bm25 = None if self.mode == "dense" else self.index.bm25.scores(
            tokenize(norm, self.index.settings.tokenizer))
        dense = self._dense_top(vector) if vector is not None else {}
        sparse = _top(bm25, self.candidates) if bm25 is not None else {}
        if vector is not None and bm25 is not None and self.fusion != "rrf":
            rows = sorted(dense.keys() | sparse.keys())
            missing = [row for row in rows if row not in dense]
            dense |= self.index.vectors.scores_of(vector, missing)
            sparse = {row: float(bm25[row]) for row in rows}
        fused = self._fuse(dense, sparse)
        chunks: dict[int, Chunk] = {}  # each read from the docstore once

        def chunk(row: int) -> Chunk:
            if row not in chunks:
                chunks[row] = self.index.chunks[row]
            return chunks[row]

        best = self._cap_per_doc(sorted(fused, key=lambda row: -fused[row]), k, chunk)
        return [Hit(rank, float(fused[row]), chunk(row), dense.get(row), sparse.get(row))
                for rank, row in enumerate(best, start=1)]

    def _query_vector(self, norm_query: str) -> np.ndarray:
        """The query's vector (the vector index normalises it)."""
        return np.asarray(self.embedder.embed_query(norm_query), dtype=np.float32)

    def _dense_top(self, vector: np.ndarray) -> dict[int, float]:
        scores, rows = self.index.vectors.search(vector, self.candidates)
        return {int(r): float(s) for s, r in zip(scores, rows) if r >= 0}

    def _fuse(self, dense: dict[int, float], sparse: dict[int, float]) -> dict[int, float]:
        if not sparse:
            return dense
        if not dense:
            return sparse
        if self.fusion == "rrf":
            fused: dict[int, float] = {}
            for ranking in (dense, sparse):
                for rank, row in enumerate(sorted(ranking, key=lambda r: -ranking[r]), start=1):
                    fused[row] = fused.get(row, 0.0) + 1.0 / (self.rrf_k + rank)
            return fused
        rows = list(sparse)  # every candidate, with its BM25 score (see ``search``)
        s = np.asarray([sparse[r] for r in rows])
        d = np.asarray([dense.get(r, np.nan) for r in rows])
        scale = _standardised if self.fusion == "zscore" else _by_max
        s, known = scale(s), ~np.isnan(d)
        d[known] = scale(d[known])
        # A chunk still waiting for its vector (an ingest's dense phase under way) stands in
        # its BM25 score for the dense one, so partial vectors never bury BM25's finds.
        d[~known] = s[~known]
        scores = self.dense_weight * d + (1 - self.dense_weight) * s
        return dict(zip(rows, scores.tolist()))

    def _cap_per_doc(self, ranked: list[int], k: int, chunk: Callable[[int], Chunk]
                     ) -> list[int]:
        """The first ``k`` of ``ranked`` with each document's chunks past the ``per_doc``-th
        moved after the others, in their order; reads no further than ``k`` are found."""
        if self.per_doc < 1:
            return ranked[:k]
        seen: dict[str, int] = {}
        first, later = [], []
        for row in ranked:
            doc = chunk(row).doc_id
            seen[doc] = seen.get(doc, 0) + 1
            (first if seen[doc] <= self.per_doc else later).append(row)
            if len(first) == k:
                break
        return (first + later)[:k]

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        return [hit.to_document() for hit in self.search(query, k=k)]


def _top(scores: np.ndarray, n: int) -> dict[int, float]:
    """The ``n`` best-scoring rows with a positive score."""
    n = min(n, len(scores))
    # argpartition, not a full sort: at 10^5 chunks the sort alone would cost ~10 ms
    top = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(n)
    return {int(r): float(scores[r]) for r in top if scores[r] > 0}


def _by_max(x: np.ndarray) -> np.ndarray:
    return x / max(float(x.max()), 1e-12)


def _standardised(x: np.ndarray) -> np.ndarray:
    """Scores as standard deviations from their candidates' mean (0 when all are equal)."""
    std = float(x.std())
    return (x - x.mean()) / std if std > 1e-12 else np.zeros_like(x)
