"""The vector parts of ``scale_bench.py``: ``hybrid`` (the archive's BM25 with ~200,000
synthetic vectors, searched with a real query embedder: exact scan against HNSW, and the
whole hybrid and dense searches) and ``dense`` (the pipeline's embedding rate against the
bare embedder's on a slice of the news archive)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from scale_common import (
    ARCHIVE_INDEX,
    BENCH_HOME,
    hit_at_5,
    percentiles,
    questions,
    search_latency,
)

from embeddings import get_embedder
from eval.news import news_corpus
from rag.index.docstore import Docstore
from rag.index.vector_settings import VECTOR_INDEX
from rag.index.vectors import DenseIndex, VectorFile, build_graph, load_graph
from rag.knowledge_base import KnowledgeBase

REAL_PASSAGES = 200  # real vectors the synthetic ones are mixed from (embedding costs CPU)


# -- hybrid: the archive's BM25 + ~200k synthetic vectors, real query embedder -------------
def synthetic_rows(real: np.ndarray, rows: int, seed: int = 0) -> np.ndarray:
    """Rows near the real ones: a mix of two real vectors plus noise, normalised."""
    rng = np.random.default_rng(seed)
    out = np.empty((rows, real.shape[1]), dtype=np.float32)
    for first in range(0, rows, 20_000):
        n = min(20_000, rows - first)
        a, b = real[rng.integers(len(real), size=n)], real[rng.integers(len(real), size=n)]
        w = rng.uniform(0.5, 1.0, size=(n, 1)).astype(np.float32)
        mix = w * a + (1 - w) * b + rng.normal(scale=0.02, size=(n, real.shape[1]))
        out[first : first + n] = mix / np.linalg.norm(mix, axis=1, keepdims=True)
    return out


def real_vectors(model: str) -> tuple[np.ndarray, np.ndarray]:
    """(passage vectors of windows of the gold articles, query vectors of the gold
    questions), through the embedding cache."""
    embedder = get_embedder(model)
    items = questions()
    docs = {d for item in items for d in item.docs}
    texts = []
    with (news_corpus(2000) / "news.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if f"news.jsonl#{record['id']}" in docs:
                text = record["text"]
                texts += [text[i : i + 300] for i in range(0, len(text), 240)]
    passages = np.asarray(embedder.embed_documents(texts[:REAL_PASSAGES]), dtype=np.float32)
    queries = np.asarray([embedder.embed_query(item.question) for item in items], np.float32)
    return passages, queries


def part_hybrid(args: argparse.Namespace) -> dict:
    passages, queries = real_vectors(args.model)
    dimension = passages.shape[1]
    target = BENCH_HOME / f"scale-68k-synthetic-{args.model}"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(ARCHIVE_INDEX, target, ignore=shutil.ignore_patterns("vectors.*"))
    manifest = json.loads((target / "manifest.json").read_text())
    manifest.update(embedder=args.model, dimension=dimension)
    (target / "manifest.json").write_text(json.dumps(manifest))
    store = Docstore(target / "docstore.sqlite")
    rows = store.pending()
    file = VectorFile(target / "vectors.f32", dimension)
    file.append(synthetic_rows(passages, len(rows)), 0)
    store.attach_vectors(rows, 0)
    store.close()
    matrix = file.rows(len(rows))
    started = time.perf_counter()
    build_graph(matrix, target / "vectors.hnsw")
    built = time.perf_counter() - started
    kb = KnowledgeBase.open(target)
    exact = DenseIndex(matrix, kb.index.vectors.position_of_row)
    graph = DenseIndex(matrix, exact.position_of_row, load_graph(target / "vectors.hnsw"))
    recall = [len(set(exact.search(q, 10)[1]) & set(graph.search(q, 10)[1])) / 10
              for q in queries]
    return {"model": args.model, "chunks": len(kb.index.chunks), "vectors": len(graph),
            "dimension": dimension, "real_passages": len(passages),
            "search_uses": "exact" if kb.index.vectors.graph is None else "hnsw",
            "vector_index": vars(VECTOR_INDEX), "graph_build_seconds": round(built, 1),
            "dense_index_exact": index_latency(exact, queries),
            "dense_index_exact_by_rows": {  # where an exact scan stops being cheap
                str(n): index_latency(DenseIndex(matrix[:n], np.arange(n)), queries)
                for n in (10_000, 50_000, 100_000) if n < len(matrix)},
            "dense_index_hnsw": index_latency(graph, queries),
            "hnsw_recall_at_10": round(float(np.mean(recall)), 4),
            "query_embedding": _query_latency(kb),
            "hybrid_search": search_latency(kb, "hybrid"),
            "dense_search": search_latency(kb, "dense")}


def index_latency(index: DenseIndex, queries: np.ndarray) -> dict:
    """p50/p95 of a 50-candidate search per query, after one untimed search."""
    index.search(queries[0], 50)
    times = []
    for q in queries:
        started = time.perf_counter()
        index.search(q, 50)
        times.append(time.perf_counter() - started)
    return percentiles(times)


def _query_latency(kb: KnowledgeBase) -> dict:
    times = []
    for item in questions():
        started = time.perf_counter()
        kb.embedder.embed_query(item.question)
        times.append(time.perf_counter() - started)
    return percentiles(times)


# -- dense: pipeline vs bare embedder on the 2,000-article slice ------------------------------
def part_dense(args: argparse.Namespace) -> dict:
    corpus = news_corpus(args.articles)
    index = BENCH_HOME / f"news-{args.articles}-{args.model}"
    home = Path(tempfile.mkdtemp(dir=BENCH_HOME))  # a cold embedding cache
    os.environ["WENDA_HOME"] = str(home)
    shutil.rmtree(index, ignore_errors=True)
    _, lexical = KnowledgeBase.build(corpus, index, model=args.model, dense=False, progress=False)
    kb = KnowledgeBase.open(index)
    started = time.perf_counter()
    report = kb.add([corpus], progress=True)
    pipeline = report.embedded / (time.perf_counter() - started)
    texts = [c.norm for c in kb.index.chunks[: args.bare]]
    inner = get_embedder(args.model, cache=False)
    inner.embed_documents(texts[:8])
    started = time.perf_counter()
    for first in range(0, len(texts), 256):  # the pipeline's batches, sorted by length
        inner.embed_documents(sorted(texts[first : first + 256], key=len))
    bare = len(texts) / (time.perf_counter() - started)
    by_size = _chars_per_second_by_window(inner, "".join(texts))
    shutil.rmtree(home)
    return {"model": args.model, "articles": args.articles, "chunks": report.chunks,
            "lexical_seconds": round(lexical.seconds, 1), "embedded": report.embedded,
            "pipeline_chunks_per_s": round(pipeline, 3), "bare_chunks_per_s": round(bare, 3),
            "bare_sample": len(texts), "pipeline_over_bare": round(pipeline / bare, 3),
            "bare_chars_per_s_by_chunk_size": by_size,
            "hybrid_search": search_latency(kb, "hybrid"),
            "bm25_search": search_latency(kb, "bm25"),
            "hit@5": {"bm25": hit_at_5(kb, "bm25"), "hybrid": hit_at_5(kb, "hybrid"),
                      "hybrid_leads_only": _leads_only_hit_at_5(index)}}


def _chars_per_second_by_window(embedder, text: str, chars: int = 12_000) -> dict:  # noqa: ANN001
    """Whether larger chunks embed an archive sooner: bare characters per second when the
    same text is cut into windows of 150, 300 or 600 characters."""
    out = {}
    for size in (150, 300, 600):
        windows = [text[i : i + size] for i in range(0, chars, size)]
        started = time.perf_counter()
        embedder.embed_documents(windows)
        out[str(size)] = round(chars / (time.perf_counter() - started))
    return out


def _leads_only_hit_at_5(index: Path) -> dict:
    """Hybrid hit@5 when only each article's first chunk has its vector: where a dense
    phase stands after its leads-first third."""
    copy = index.with_name(index.name + "-leads")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(index, copy)
    store = Docstore(copy / "docstore.sqlite")
    with store._db:
        store._db.execute("UPDATE chunks SET vec = NULL WHERE chunk_id NOT LIKE '%#0'")
    store.close()
    kb = KnowledgeBase.open(copy)
    result = hit_at_5(kb, "hybrid") | {"vectors": len(kb.index.vectors)}
    shutil.rmtree(copy)
    return result
