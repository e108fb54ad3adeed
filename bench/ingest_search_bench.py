"""Ingest and search speed on the seeds, as a user meets them.

* cold ingest: ``wenda ingest seeds`` into an empty index with an empty embedding cache
  (models already fetched), timed as a whole process, start-up and model load included;
* re-ingest of the unchanged seeds, also a whole process;
* search latency p50/p95 over the seeds gold questions, models loaded once.

Usage: ``.venv/bin/python bench/ingest_search_bench.py [--embedder NAME] [--repeat 3]``.
Prints a Markdown table and writes ``bench/results/ingest_search-<embedder>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def timed_process(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cli", *args], env=env, check=True,
                   capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", default="embeddinggemma-300m")
    parser.add_argument("--repeat", type=int, default=3, help="search passes over the questions")
    args = parser.parse_args()

    from embeddings import wenda_home

    real_models = wenda_home() / "models"
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        (home / "models").symlink_to(real_models)  # models fetched; cache and index empty
        env = os.environ | {"WENDA_HOME": str(home), "PYTHONWARNINGS": "ignore"}
        index = str(home / "index")
        ingest = ["ingest", str(ROOT / "seeds"), "--index", index, "--model", args.embedder, "-q"]
        cold = timed_process(ingest, env)
        warm = timed_process(ingest, env)

        os.environ["WENDA_HOME"] = str(home)
        from eval.metrics import percentile
        from eval.report import machine_info
        from rag import KnowledgeBase

        kb = KnowledgeBase.open(index)
        questions = [json.loads(line)["question"]
                     for line in (ROOT / "eval" / "gold" / "seeds.jsonl").open(encoding="utf-8")]
        kb.search(questions[0])  # load the model before timing
        latencies = []
        for _ in range(args.repeat):
            for question in questions:
                started = time.perf_counter()
                kb.search(question, k=5)
                latencies.append((time.perf_counter() - started) * 1000)
        chunks = len(kb.index.chunks)

    result = {
        "embedder": args.embedder,
        "machine": machine_info(),
        "chunks": chunks,
        "cold_ingest_s": round(cold, 1),
        "unchanged_reingest_s": round(warm, 2),
        "searches": len(latencies),
        "search_p50_ms": round(percentile(latencies, 50), 1),
        "search_p95_ms": round(percentile(latencies, 95), 1),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"ingest_search-{args.embedder}.json").write_text(json.dumps(result, indent=2))
    print("| " + " | ".join(result) + " |")
    print("|" + "---|" * len(result))
    print("| " + " | ".join(str(v) for v in result.values()) + " |")


if __name__ == "__main__":
    main()
