"""Fit one weight of a decision model on the gold sets' *tune* splits (all corpora).

Every other weight keeps its value; each candidate answer is kept with its features and
whether it was right (``answer_tune.candidates``, every candidate accepted), and the weight
is the middle of the widest range of the grid that makes the most questions come out well
(a right answer given, or an unanswerable question refused). Rows where the feature is 0
come out the same for every weight. For the LLM, a written candidate that no longer stands
counts as a refusal (the chain would then try its quoted fallback, which the rows do not
hold), so a fit errs towards answering. Fitted so far: ``standout`` (extractive), the
evidence an answer has when the question cannot share words with the passages (English
over Chinese): how many standard deviations its cited sentence's similarity of meaning
stands above the retrieved sentences' mean.

Writes ``bench/results/{feature}-fit.json``.

    python bench/weight_fit.py --feature standout
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from answer_tune import add_rows_options, outcome, tune_rows

from eval.report import machine_info
from eval.suites import SUITES
from rag.answering.config import FEATURES, AnswerConfig
from rag.answering.decision import probability

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feature", choices=FEATURES, required=True)
    parser.add_argument("--answerer", choices=["extractive", "llm"], default="extractive")
    parser.add_argument("--grid", type=float, nargs=2, default=[0.0, 1.0],
                        help="lowest and highest weight tried (101 steps)")
    add_rows_options(parser, list(SUITES))
    args = parser.parse_args()

    config = AnswerConfig.load()
    rows = tune_rows(args, args.answerer, config)
    base = getattr(config.decision, args.answerer)
    low, high = args.grid
    grid = [round(low + (high - low) * i / 100, 4) for i in range(101)]

    def good(weight: float) -> float:
        fitted = replace(base, weights=base.weights | {args.feature: weight})
        for r in rows:  # a quote after the LLM gave none is judged by its own model
            model = fitted if r["by"] == args.answerer else config.decision.quoted
            r["stands"] = r["candidate"] and probability(model, r["features"]) >= model.threshold
        return outcome(rows)

    scores = {w: good(w) for w in grid}
    best = max(scores.values())
    runs, run = [], []  # the grid's ranges of best weights
    for w in grid:
        if scores[w] == best:
            run.append(w)
        elif run:
            runs.append(run)
            run = []
    runs += [run] if run else []
    widest = max(runs, key=len)
    weight = round((widest[0] + widest[-1]) / 2, 2)
    good(weight)
    moved = [{"suite": r["suite"], "answerable": r["answerable"], "right": r["right"],
              args.feature: round(r["features"][args.feature], 3), "stands": r["stands"]}
             for r in rows if r["candidate"] and r["features"].get(args.feature)]
    without = good(0.0)
    report = {"machine": machine_info(), "split": "tune", "suites": args.suites,
              "answerer": args.answerer, "feature": args.feature, "limit": args.limit,
              "weight": weight, "best_outcome": best, "outcome_without": without,
              "best_ranges": [[r[0], r[-1]] for r in runs], "rows_with_feature": moved,
              "outcome_by_weight": {str(w): round(s, 4) for w, s in scores.items()}}
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{args.feature}-fit.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    print(f"{args.feature} weight {weight}: questions well {best:.4f} (without: "
          f"{without:.4f}); best ranges {report['best_ranges']}; wrote {out}")


if __name__ == "__main__":
    main()
