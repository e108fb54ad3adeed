"""Hybrid retrieval: dense (FAISS) + sparse (BM25 on jieba tokens), fused; a LangChain retriever.

The query is normalised the same way the chunks were (Simplified, half-width), so a question
in either script matches text in either script.
"""

from __future__ import annotations

import warnings
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
            "rank": self.rank, "score": round(self.score, 6), "doc_id": c.doc_id,
            "source": c.source, "title": c.title, "date": c.date, "chunk_id": c.chunk_id,
            "start": c.start, "end": c.end, "text": c.text,
            "dense_score": _round(self.dense_score), "bm25_score": _round(self.bm25_score),
        }

    def to_document(self) -> Document:
        meta = self.to_dict()
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

    ``mode`` picks dense, BM25 or both; ``fusion`` combines the two ranked lists by
    reciprocal rank fusion (``rrf``) or by a weighted sum of max-normalised scores.
    """

    index: CorpusIndex
    embedder: Embeddings
    k: int = 5
    mode: Literal["hybrid", "dense", "bm25"] = "hybrid"
    fusion: Literal["rrf", "weighted"] = "weighted"
    dense_weight: float = 0.7
    rrf_k: int = 60
    candidates: int = 50

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
        dense = self._dense(norm) if self.mode != "bm25" and len(self.index.vectors) else {}
        sparse = self._sparse(norm) if self.mode != "dense" else {}
        fused = self._fuse(dense, sparse)
        best = sorted(fused, key=lambda row: -fused[row])[:k]
        return [Hit(rank, float(fused[row]), self.index.chunks[row], dense.get(row),
                    sparse.get(row)) for rank, row in enumerate(best, start=1)]

    def _dense(self, norm_query: str) -> dict[int, float]:
        vector = np.asarray(self.embedder.embed_query(norm_query), dtype=np.float32)
        scores, rows = self.index.vectors.search(vector, self.candidates)
        return {int(r): float(s) for s, r in zip(scores, rows) if r >= 0}

    def _sparse(self, norm_query: str) -> dict[int, float]:
        scores = self.index.bm25.scores(tokenize(norm_query))
        n = min(self.candidates, len(scores))
        # argpartition, not a full sort: at 10^5 chunks the sort alone would cost ~10 ms
        top = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(n)
        return {int(r): float(scores[r]) for r in top if scores[r] > 0}

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
        top_dense, top_sparse = max(dense.values()), max(sparse.values())
        fused = {}
        for row in dense.keys() | sparse.keys():
            lexical = sparse.get(row, 0.0) / top_sparse
            # A chunk still waiting for its vector (an ingest's dense phase under way) stands
            # in its BM25 score for the dense one, so partial vectors never bury BM25's finds.
            semantic = (dense[row] / top_dense if row in dense
                        else 0.0 if self.index.vectors.has(row) else lexical)
            fused[row] = self.dense_weight * semantic + (1 - self.dense_weight) * lexical
        return fused

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        return [hit.to_document() for hit in self.search(query, k=k)]
