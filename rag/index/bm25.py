"""Okapi BM25 over jieba tokens of normalised (Simplified, half-width) text.

Sparse retrieval catches what embeddings blur: names, numbers, rare terms. Scores come
from one sparse matrix product, so a query over 10^5 chunks takes milliseconds. Term counts
are gathered in compact arrays as chunks stream by (an archive's tokens never sit in memory
as Python lists), and the weights are saved as plain arrays, so opening a large index does
not re-derive them.
"""

from __future__ import annotations

import logging
import os
import re
from array import array
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import jieba
import numpy as np
from scipy import sparse

from rag.documents import Chunk, SourceDocument
from rag.index.settings import IndexSettings, Tokenizer
from rag.ingest import normalize, split_sentences

jieba.setLogLevel(logging.WARNING)

_WORD = re.compile(r"\w")  # a token must hold a letter, digit or CJK character


def tokenize(normalized_text: str, mode: Tokenizer = "search") -> list[str]:
    """jieba tokens, punctuation dropped: ``search`` adds each long word's sub-words
    (人工智能 → 人工, 智能, 人工智能), ``words`` keeps the words as cut."""
    cut = jieba.cut_for_search if mode == "search" else jieba.cut
    return [t for t in cut(normalized_text) if _WORD.search(t)]


def chunk_tokens(document: SourceDocument, chunks: list[Chunk],
                 settings: IndexSettings) -> list[list[str]]:
    """BM25 tokens of each chunk of ``document``: its text plus the context fields of
    ``settings`` (the lead is not added again to the chunk that holds it)."""
    lead = ""
    if "lead" in settings.context and chunks:
        first = split_sentences(chunks[0].norm)
        lead = chunks[0].norm[slice(*first[0])] if first else ""
    fields = [normalize(document.title) if "title" in settings.context else "",
              (document.date or "") if "date" in settings.context else ""]
    out = []
    for n, chunk in enumerate(chunks):
        context = " ".join(f for f in (*fields, lead if n else "") if f)
        out.append(tokenize(f"{context}\n{chunk.norm}" if context else chunk.norm,
                            settings.tokenizer))
    return out


class TermCounts:
    """Per-document term counts in CSR arrays, filled one document at a time."""

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}
        self.columns = array("i")
        self.counts = array("f")
        self.indptr = array("q", [0])
        self.lengths = array("f")

    def add(self, tokens: list[str]) -> None:
        for token, count in Counter(tokens).items():
            self.columns.append(self.vocabulary.setdefault(token, len(self.vocabulary)))
            self.counts.append(count)
        self.indptr.append(len(self.columns))
        self.lengths.append(len(tokens))


class BM25:
    def __init__(self, documents: Iterable[list[str]], k1: float = 1.2, b: float = 0.75) -> None:
        counts = TermCounts()
        for tokens in documents:
            counts.add(tokens)
        self._fit(counts, k1, b)

    @classmethod
    def from_counts(cls, counts: TermCounts, k1: float = 1.2, b: float = 0.75) -> BM25:
        bm25 = cls.__new__(cls)
        bm25._fit(counts, k1, b)
        return bm25

    def _fit(self, counts: TermCounts, k1: float, b: float) -> None:
        self.vocabulary = counts.vocabulary
        n = len(counts.lengths)
        shape = (n, max(len(self.vocabulary), 1))
        cols = np.frombuffer(counts.columns, dtype=np.int32)
        tf = np.frombuffer(counts.counts, dtype=np.float32)
        lengths = np.frombuffer(counts.lengths, dtype=np.float32)
        row_of = np.repeat(np.arange(n, dtype=np.int32), np.diff(np.frombuffer(counts.indptr,
                                                                               dtype=np.int64)))
        norm = k1 * (1 - b + b * lengths / max(lengths.mean(), 1.0)) if n else lengths
        df = np.bincount(cols, minlength=shape[1]).astype(np.float32)
        self.idf = np.log1p((n - df + 0.5) / (df + 0.5))
        # Precompute each (document, term) weight: tf * (k1 + 1) / (tf + norm_d).
        weights = (tf * (k1 + 1) / (tf + norm[row_of])).astype(np.float32)
        self.weights = sparse.csc_matrix((weights, (row_of, cols)), shape=shape)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every document for the query (0 where no term matches)."""
        ids = [self.vocabulary[t] for t in query_tokens if t in self.vocabulary]
        if not ids:
            return np.zeros(self.weights.shape[0], dtype=np.float32)
        columns, repeats = np.unique(ids, return_counts=True)
        # Only the query's columns are touched: a slice of the column-major weights times
        # their idf gives the dense score vector directly.
        return self.weights[:, columns] @ (self.idf[columns] * repeats).astype(np.float32)

    # -- on disk: plain arrays (no pickle), written beside and renamed into place ---------
    def save(self, path: Path, stamp: str) -> None:
        """Write the index with ``stamp`` (what it was built from) atomically to ``path``."""
        vocabulary = "\0".join(self.vocabulary).encode()
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("wb") as out:
            np.savez(out, data=self.weights.data, indices=self.weights.indices,
                     indptr=self.weights.indptr, shape=np.asarray(self.weights.shape),
                     idf=self.idf, vocabulary=np.frombuffer(vocabulary, dtype=np.uint8),
                     stamp=np.frombuffer(stamp.encode(), dtype=np.uint8))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)

    @staticmethod
    def stamp_of(path: Path) -> str | None:
        """The stamp a saved index was written with, None if there is none."""
        try:
            with np.load(path, allow_pickle=False) as saved:
                return saved["stamp"].tobytes().decode()
        except (OSError, KeyError, ValueError):
            return None

    @classmethod
    def load(cls, path: Path) -> BM25:
        bm25 = cls.__new__(cls)
        with np.load(path, allow_pickle=False) as saved:
            words = saved["vocabulary"].tobytes().decode()
            bm25.vocabulary = {w: i for i, w in enumerate(words.split("\0"))} if words else {}
            bm25.idf = saved["idf"]
            bm25.weights = sparse.csc_matrix(
                (saved["data"], saved["indices"], saved["indptr"]), shape=tuple(saved["shape"]))
        return bm25
