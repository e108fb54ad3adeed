"""Fit the decision's ``standout`` weight on the gold sets' *tune* splits (all corpora).

``standout`` is the evidence an answer has when the question cannot share words with the
passages (an English question over Chinese text): how many standard deviations its cited
sentence's similarity of meaning stands above the retrieved sentences' mean. Every other
weight keeps its value; each extractive candidate is kept with its features and whether it
was right (``answer_tune.candidates``, every candidate accepted), and the weight is the
middle of the widest range of the grid that makes the most questions come out well (a
right answer given, or an unanswerable question refused). Rows without ``standout`` come
out the same for every weight. Writes ``bench/results/standout-fit.json``.

    python bench/standout_fit.py
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from answer_tune import candidates, outcome

from eval.corpus import index_cache
from eval.report import machine_info
from eval.suites import SUITES, suite_items, suite_kb
from rag.answering.config import AnswerConfig
from rag.answering.decision import probability

RESULTS = Path(__file__).resolve().parent / "results"
GRID = [round(0.01 * i, 2) for i in range(101)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suites", nargs="+", choices=SUITES, default=list(SUITES))
    parser.add_argument("--limit", type=int, default=100, help="tune questions per suite")
    parser.add_argument("--rows-cache", type=Path, default=index_cache() / "answer-tune-rows")
    args = parser.parse_args()

    config = AnswerConfig.load()
    kbs = {s: suite_kb(s) for s in args.suites}
    items = {s: suite_items(s, "tune", args.limit) for s in args.suites}
    rows = candidates(kbs, items, "extractive", config, {}, args.rows_cache)
    base = config.decision.extractive

    def good(weight: float) -> float:
        model = replace(base, weights=base.weights | {"standout": weight})
        for r in rows:
            r["stands"] = r["candidate"] and probability(model, r["features"]) >= model.threshold
        return outcome(rows)

    scores = {w: good(w) for w in GRID}
    best = max(scores.values())
    runs, run = [], []  # the grid's ranges of best weights
    for w in GRID:
        if scores[w] == best:
            run.append(w)
        elif run:
            runs.append(run)
            run = []
    runs += [run] if run else []
    widest = max(runs, key=len)
    weight = round((widest[0] + widest[-1]) / 2, 2)
    good(weight)
    crossing = [{"suite": r["suite"], "answerable": r["answerable"], "right": r["right"],
                 "standout": round(r["features"]["standout"], 3), "stands": r["stands"]}
                for r in rows if r["candidate"] and r["features"].get("standout")]
    report = {"machine": machine_info(), "split": "tune", "suites": args.suites,
              "limit": args.limit, "weight": weight, "best_outcome": best,
              "outcome_without": scores[0.0], "best_ranges": [[r[0], r[-1]] for r in runs],
              "across_languages_rows": crossing,
              "outcome_by_weight": {str(w): round(s, 4) for w, s in scores.items()}}
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "standout-fit.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    print(f"standout weight {weight}: questions well {best:.4f} (without: {scores[0.0]:.4f}); "
          f"best ranges {report['best_ranges']}; wrote {out}")


if __name__ == "__main__":
    main()
