"""Answer benchmark over the gold sets' tune and test splits (``eval.suites``): accuracy,
CMRC F1, citation precision, refusals and latency of one answerer with the tuned settings
(``rag/answering/tuned.json``), scored exactly as ``wenda eval`` scores them.

    python bench/answer_bench.py --answerer extractive
    python bench/answer_bench.py --answerer llm --limit 30      # a fixed sample per split
    python bench/answer_bench.py --answerer llm --suites seeds --splits test

accuracy: the gold answer or an alias is contained in the answer (both normalized), over
answerable questions; citation precision: share of an answer's citations that overlap the
gold evidence, mean over answered answerable questions; refusal recall: unanswerable
questions refused; false refusals: answerable questions refused; gap: tune accuracy minus
test accuracy. Latency is the chain's own (first token = first piece of the answer shown)
after one warm-up question per suite that loads the models. ``--limit`` draws the same
questions every run (``eval.gold.sample``, seed 0).

Writes bench/results/answer_splits_<answerer>[_<model>]_<suites>_<splits><limit>.json
(metrics per suite and split, per-question records, config, machine) and prints a
Markdown table.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from eval.report import machine_info, markdown_table
from eval.runner import run_eval
from eval.suites import SUITES, suite_items, suite_kb
from eval.tables import fmt
from rag.answering.config import TUNED
from rag.answering.llm import DEFAULT_GENERATOR

RESULTS = Path(__file__).resolve().parent / "results"
COLUMNS = ["suite", "split", "n (unanswerable)", "accuracy", "F1", "citation precision",
           "refusal recall", "false refusals", "first token p50 (ms)", "total p50 (ms)"]


def row(suite: str, split: str, m: dict[str, Any]) -> list[str]:
    return [suite, split, f"{m['n']} ({m['n'] - m['n_answerable']})",
            fmt(m.get("accuracy")), fmt(m.get("f1")), fmt(m.get("citation_precision")),
            fmt(m.get("refusal_recall")), fmt(m.get("false_refusal_rate")),
            f"{m.get('first_token_ms_p50') or 0:.0f}", f"{m.get('total_ms_p50') or 0:.0f}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answerer", choices=["extractive", "llm"], default="extractive")
    parser.add_argument("--model", default=DEFAULT_GENERATOR, help="GGUF store name or path")
    parser.add_argument("--suites", nargs="+", choices=SUITES, default=list(SUITES))
    parser.add_argument("--splits", nargs="+", choices=["tune", "test"], default=["tune", "test"])
    parser.add_argument("--limit", type=int, help="questions drawn per suite and split")
    parser.add_argument("--cache", type=Path, help="index cache folder")
    parser.add_argument("--bm25-only", nargs="*", choices=SUITES, default=[],
                        help="suites searched by BM25 alone, over an index without vectors "
                             "(for a corpus not embedded yet; recorded in the results)")
    parser.add_argument("-k", type=int, default=5)
    args = parser.parse_args()

    options: dict[str, Any] = {"model": args.model} if args.answerer == "llm" else {}
    results: dict[str, Any] = {}
    rows = []
    for suite in args.suites:
        kb = suite_kb(suite, cache_dir=args.cache, dense=suite not in args.bm25_only)
        for split in args.splits:
            items = suite_items(suite, split, args.limit)
            kb.ask(items[0].question, answerer=args.answerer, k=args.k, **options)  # warm-up
            run = run_eval(kb, items, k=args.k, answerer=args.answerer, answer_options=options,
                           progress=False).to_dict()
            results[f"{suite}/{split}"] = run
            rows.append(row(suite, split, run["metrics"]["overall"]))
            print(markdown_table(COLUMNS, rows[-1:]), flush=True)
    gaps = {suite: results[f"{suite}/tune"]["metrics"]["overall"]["accuracy"]
            - results[f"{suite}/test"]["metrics"]["overall"]["accuracy"]
            for suite in args.suites if {"tune", "test"} <= set(args.splits)}
    RESULTS.mkdir(exist_ok=True)
    # one file per answerer, model and sample, so a run over other suites keeps this one
    model = f"_{Path(args.model).name.removesuffix('.gguf')}" if args.answerer == "llm" else ""
    sample = f"_{'-'.join(args.suites)}_{'-'.join(args.splits)}{args.limit or ''}"
    out = RESULTS / f"answer_splits_{args.answerer}{model}{sample}.json"
    out.write_text(json.dumps({
        "answerer": args.answerer, "model": options.get("model"), "limit": args.limit,
        "bm25_only": args.bm25_only,
        "tuned": json.loads(TUNED.read_text()) if TUNED.is_file() else None,
        "gaps": gaps, "machine": machine_info(), "runs": results,
    }, ensure_ascii=False, indent=1))
    (out.with_suffix(".md")).write_text(markdown_table(COLUMNS, rows) + "\n\ntune - test "
                                        f"accuracy: {json.dumps(gaps)}\n")
    print(f"wrote {out}")
    print(markdown_table(COLUMNS, rows))
    print("tune - test accuracy:", {s: round(g, 3) for s, g in gaps.items()})


if __name__ == "__main__":
    main()
