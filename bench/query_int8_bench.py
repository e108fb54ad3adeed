"""Does embedding queries with int8 weights (``SentenceTransformerEmbeddings.int8_queries``)
keep retrieval as it is while making the query faster? (issue 17: the query embedding is
most of EmbeddingGemma's search time.)

In one run, one thread (``OMP_NUM_THREADS=1``), each tune question of the four suites is
embedded by the full-precision model and by its int8 copy, alternately, and we report:

* latency p50/p95 of each and their ratio (measured side by side, so a busy machine
  slows both alike);
* agreement: cosine of the two vectors of a question; recall@10 of the int8 query's top 10
  against the full one's over every passage vector of this model in the embedding cache
  (real chunks of whatever this machine has ingested with it), by suite: a question whose
  corpus is not among them meets only near-ties, so its figure is a floor;
* hit@5, dense and hybrid, tune and test splits, with each query model, on the suites
  given (``--hits``; an index is built with the model on first use: CMRC 2018 + DRCD take
  about 15 minutes of both cores with EmbeddingGemma).

    OMP_NUM_THREADS=1 python bench/query_int8_bench.py --hits seeds cmrc drcd
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scale_common import percentiles  # noqa: E402

from embeddings import DEFAULT_EMBEDDER, get_embedder  # noqa: E402
from eval.report import machine_info  # noqa: E402
from eval.runner import run_eval  # noqa: E402
from eval.suites import SUITES, suite_items, suite_kb  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def timed_query(embedder, question: str, int8: bool) -> tuple[list[float], float]:  # noqa: ANN001
    """(the query vector, seconds taken) with the int8 or the full-precision model."""
    embedder.int8_queries = int8
    began = time.perf_counter()
    vector = embedder.embed_query(question)
    return vector, time.perf_counter() - began


def top10(passages: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Each query's 10 nearest passages by inner product, as row numbers."""
    return np.argsort(-(queries @ passages.T), axis=1)[:, :10]


def recall_at_10(passages: np.ndarray, full: np.ndarray, int8: np.ndarray) -> float:
    pairs = zip(top10(passages, full), top10(passages, int8))
    return float(np.mean([len(set(a) & set(b)) / 10 for a, b in pairs]))


def hits(embedder, suite: str, model: str, limit: int) -> dict[str, dict[str, float]]:  # noqa: ANN001
    """hit@5 by query model ("full", "int8"), then by mode and split, over one opened index."""
    kb = suite_kb(suite, model)
    items = {split: suite_items(suite, split, limit) for split in ("tune", "test")}
    out = {}
    for name, int8 in (("full", False), ("int8", True)):
        embedder.int8_queries = int8
        out[name] = {f"{mode}/{split}": round(run_eval(
            kb, items[split], mode=mode, retriever={"embedder": embedder},
            progress=False).metrics["overall"]["hit@5"], 4)
            for mode in ("dense", "hybrid") for split in items}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=DEFAULT_EMBEDDER)
    parser.add_argument("--per-suite", type=int, default=40, help="tune questions per suite")
    parser.add_argument("--hits", nargs="+", choices=SUITES, default=["seeds"],
                        help="suites whose hit@5 is measured with each query model")
    parser.add_argument("--hits-limit", type=int, default=250,
                        help="questions drawn per suite and split for hit@5")
    parser.add_argument("--out", type=Path, default=RESULTS / "query-int8.json")
    args = parser.parse_args()

    cached = get_embedder(args.model)
    embedder = cached.inner  # type: ignore[attr-defined]
    asked = [(s, i.question) for s in SUITES for i in suite_items(s, "tune", args.per_suite)]
    questions = [q for _, q in asked]
    for q in questions[:3]:  # warm-up: loading, the int8 copy, first-call allocations
        timed_query(embedder, q, False), timed_query(embedder, q, True)
    # alternate, so load on the machine falls on both alike
    runs = {int8: [] for int8 in (False, True)}
    for q in questions:
        for int8 in (False, True):
            runs[int8].append(timed_query(embedder, q, int8))
    full_v, int8_v = (np.asarray([v for v, _ in runs[x]], dtype=np.float32) for x in (False, True))
    full_s, int8_s = ([s for _, s in runs[x]] for x in (False, True))
    cosines = np.sum(full_v * int8_v, axis=1)
    passages = cached.stored()
    report = {
        "model": args.model, "questions": len(questions), "passage_vectors": len(passages),
        "full": percentiles(full_s), "int8": percentiles(int8_s),
        "p50_ratio": round(float(np.median(int8_s) / np.median(full_s)), 3),
        "cosine": {"min": round(float(cosines.min()), 4),
                   "p50": round(float(np.median(cosines)), 4)},
        "recall@10": {suite: round(recall_at_10(passages, full_v[mask], int8_v[mask]), 4)
                      for suite in SUITES
                      for mask in [np.array([s == suite for s, _ in asked])]},
        "hit@5": {suite: hits(embedder, suite, args.model, args.hits_limit)
                  for suite in args.hits},
        "machine": machine_info(),
    }
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in report.items() if k != "machine"}, indent=2))


if __name__ == "__main__":
    main()
