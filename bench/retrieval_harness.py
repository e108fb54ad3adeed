"""What the retrieval benchmarks share: the corpora with their gold questions, indexes built
with given settings, a plain BM25 baseline, and scoring by split.

Corpora: the seeds, CMRC 2018 trial + DRCD dev (one corpus: every paragraph of both files,
as ``eval.squad`` builds it) and the news slice with its gold set. Every question keeps its
fixed tune/test split (``eval.splits``); unanswerable questions have no evidence to find
and are left out.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jieba
import numpy as np
from langchain_core.embeddings import Embeddings
from rank_bm25 import BM25Okapi

from embeddings import get_embedder
from eval.gold import SEEDS_GOLD, EvidenceResolver, GoldItem, load_gold
from eval.metrics import Span, doc_ranks, evidence_ranks, percentile, retrieval_metrics
from eval.news import DATASETS, NEWS_GOLD, news_corpus
from eval.squad import load_squad, write_corpus
from rag import KnowledgeBase
from rag.index import CorpusIndex, HybridRetriever
from rag.index.settings import IndexSettings, SearchSettings
from rag.ingest import load_paths, normalize, to_simplified

ROOT = Path(__file__).resolve().parents[1]
SQUAD_FILES = (DATASETS / "cmrc2018_trial.json", DATASETS / "DRCD_dev.json")
CORPORA = ("seeds", "squad", "news")
SPLITS = ("tune", "test")
HEADLINE = ("hit@1", "hit@5", "hit@10", "doc_hit@5", "mrr@10")
_WORD = re.compile(r"\w")


@dataclass
class Corpus:
    name: str
    sources: list[Path]
    items: list[GoldItem]  # answerable questions of the tune and test splits

    def split(self, name: str) -> list[GoldItem]:
        return [item for item in self.items if item.split == name]

    def parts(self) -> list[str]:
        """The gold files the questions come from when there are several (CMRC 2018 and
        DRCD share one index): each is reported on its own as well."""
        names = sorted({item.id.split(":")[0] for item in self.items if ":" in item.id})
        return names if len(names) > 1 else []


def load_corpus(name: str, squad_limit: int | None, workdir: Path) -> Corpus:
    """One corpus and its answerable tune/test questions (``squad_limit`` per SQuAD file)."""
    if name == "seeds":
        return Corpus(name, [ROOT / "seeds"], _usable(load_gold(SEEDS_GOLD)[0]))
    if name == "squad":
        items = [item for path in SQUAD_FILES for item in load_squad(path, squad_limit)]
        return Corpus(name, [write_corpus(list(SQUAD_FILES), workdir / "squad-corpus")],
                      _usable(items))
    if name == "news":
        return Corpus(name, [news_corpus(2000)], _usable(load_gold(NEWS_GOLD)[0]))
    raise ValueError(f"unknown corpus {name!r}; use {CORPORA}")


def _usable(items: list[GoldItem]) -> list[GoldItem]:
    return [item for item in items if item.answerable and item.split in SPLITS]


class NoVectors(Embeddings):
    """Stands in for an embedder where only BM25 is measured: nothing is embedded."""

    dimension = 1

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[1.0] for _ in texts]

    def embed_query(self, text: str) -> list[float]:
        return [1.0]


class TimedQueries(Embeddings):
    """Embeds each query once for all the retrievers asked about it, remembering how long
    that took, so a retriever's latency is its search time plus that embedding time."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self.vectors: dict[str, list[float]] = {}
        self.ms: dict[str, float] = {}

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        if text not in self.vectors:
            started = time.perf_counter()
            self.vectors[text] = self.inner.embed_query(text)
            self.ms[text] = (time.perf_counter() - started) * 1000
        return self.vectors[text]


def settings_arg(arg: str, key: str) -> dict[str, Any]:
    """Settings fields from a JSON string, or the ``key`` settings of the best variant of a
    tuning run's results file (bench/retrieval_tune.py)."""
    if Path(arg).is_file():
        return json.loads(Path(arg).read_text(encoding="utf-8"))["best"][key]
    return json.loads(arg)


def build_index(corpus: Corpus, settings: IndexSettings, model: str | None,
                workdir: Path) -> KnowledgeBase:
    """A fresh index of ``corpus`` (embeddings come from the shared cache when known);
    ``model`` None: BM25 only."""
    embedder = get_embedder(model) if model else NoVectors()
    folder = Path(tempfile.mkdtemp(dir=workdir))
    index = CorpusIndex.empty(folder / "index", model or "none",
                              embedder.dimension, settings)  # type: ignore[attr-defined]
    index.ingest(corpus.sources, embedder, progress=False)
    return KnowledgeBase(index, TimedQueries(embedder))


@dataclass
class Scores:
    """Evidence and document ranks of each question, and each search's milliseconds."""

    evidence: list[list[int | None]] = field(default_factory=list)
    docs: list[list[int | None]] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)

    def subset(self, keep: Sequence[int]) -> Scores:
        return Scores([self.evidence[i] for i in keep], [self.docs[i] for i in keep],
                      [self.ms[i] for i in keep])

    def metrics(self) -> dict[str, Any]:
        out = retrieval_metrics(self.evidence, self.docs)
        return {"questions": len(self.evidence), **{m: out[m] for m in HEADLINE},
                "p50_ms": percentile(self.ms, 50), "p95_ms": percentile(self.ms, 95)}


Search = Callable[[str], list[Span]]


def score(search: Search, items: Sequence[GoldItem], resolver: EvidenceResolver,
          query_ms: Callable[[str], float] = lambda q: 0.0) -> Scores:
    """Rank of the gold evidence in the top 10 of ``search`` for every question; its
    latency is the search's time plus ``query_ms``, the question's embedding time (asked
    before the search starts, so the search finds the vector and it is not counted twice)."""
    scores = Scores()
    for item in items:
        groups, unresolved = resolver(item)
        if unresolved:
            raise ValueError(f"{item.id}: {unresolved}")
        embed_ms = query_ms(item.question)
        started = time.perf_counter()
        spans = search(item.question)
        scores.ms.append((time.perf_counter() - started) * 1000 + embed_ms)
        scores.evidence.append(evidence_ranks(spans, groups))
        scores.docs.append(doc_ranks(spans, item.docs))
    return scores


def wenda_search(kb: KnowledgeBase, mode: str, settings: SearchSettings) -> Search:
    retriever: HybridRetriever = kb.retriever(mode=mode, k=10, **vars(settings))
    return lambda q: [Span(h.chunk.doc_id, h.chunk.start, h.chunk.end)
                      for h in retriever.search(q)]


def query_ms(kb: KnowledgeBase, mode: str) -> Callable[[str], float]:
    """Embeds a question as a ``mode`` search will and says how long that took (0 for BM25)."""
    timed = kb.embedder
    if mode == "bm25" or not isinstance(timed, TimedQueries):
        return lambda q: 0.0

    def embed(question: str) -> float:
        norm = normalize(question)  # what the retriever embeds
        timed.embed_query(norm)
        return timed.ms[norm]

    return embed


class PlainBM25:
    """The baseline a newcomer would write: ``rank_bm25`` over jieba words of OpenCC-t2s
    text, 500-character windows of each document, no cleaning, no overlap."""

    size = 500

    def __init__(self, sources: Sequence[Path]) -> None:
        self.spans: list[Span] = []
        corpus = []
        for doc in load_paths(list(sources)).documents:
            for start in range(0, len(doc.text), self.size):
                window = doc.text[start : start + self.size]
                if window.strip():
                    self.spans.append(Span(doc.doc_id, start, start + len(window)))
                    corpus.append(self.tokens(window))
        self.bm25 = BM25Okapi(corpus)

    @staticmethod
    def tokens(text: str) -> list[str]:
        return [t for t in jieba.lcut(to_simplified(text)) if _WORD.search(t)]

    def __call__(self, query: str) -> list[Span]:
        scores = self.bm25.get_scores(self.tokens(query))
        return [self.spans[i] for i in np.argsort(-scores)[:10]]


def by_split(search: Search, corpus: Corpus, resolver: EvidenceResolver,
             ms: Callable[[str], float] = lambda q: 0.0) -> dict[str, dict[str, Any]]:
    """Metrics of each split, and of each part of a split (``"test cmrc2018_trial"``)."""
    out = {}
    for split in SPLITS:
        items = corpus.split(split)
        scores = score(search, items, resolver, ms)
        out[split] = scores.metrics()
        for part in corpus.parts():
            keep = [i for i, item in enumerate(items) if item.id.startswith(f"{part}:")]
            out[f"{split} {part}"] = scores.subset(keep).metrics()
    return out
