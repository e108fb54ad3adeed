"""Does a candidate feature pay for the answer/refuse decision? Five-fold cross-validation
over the candidate answers ``bench/answer_tune.py`` kept (tune splits only): each fold's
decision model is fitted and calibrated on the other four, as ``answer_tune`` does on all.

    python bench/answer_decision_cv.py bench/results/answer_tune.json [--extra closest]

Reports, per answerer and feature set, the share of questions that come out well (a right
answer given, or an unanswerable question refused), false refusals and refusal recall.
Writes nothing; the output goes in the issue note and beside the rows it read.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

from rag.answering.config import FEATURES
from rag.answering.decision import calibrate, fit, probability


def cross_validate(rows: list[dict[str, Any]], names: tuple[str, ...],
                   folds: int = 5) -> dict[str, float]:
    order = list(range(len(rows)))
    random.Random(0).shuffle(order)
    stood: dict[int, bool] = {}
    for k in range(folds):
        held = set(order[k::folds])
        train = [rows[i] for i in order if i not in held]
        model = fit([r["features"] for r in train], [r["right"] for r in train], names=names)
        model = calibrate(model, [r["features"] for r in train], [r["right"] for r in train],
                          [r["answerable"] for r in train])
        for i in held:
            stood[i] = probability(model, rows[i]["features"]) >= model.threshold
    answerable = [i for i, r in enumerate(rows) if r["answerable"]]
    unanswerable = [i for i, r in enumerate(rows) if not r["answerable"]]
    good = sum((stood[i] and r["right"]) or (not stood[i] and not r["answerable"])
               for i, r in enumerate(rows))
    return {"candidates": len(rows), "unanswerable": len(unanswerable),
            "well": round(good / len(rows), 3),
            "false_refusals": round(sum(not stood[i] for i in answerable) / len(answerable), 3),
            "refusal_recall": round(sum(not stood[i] for i in unanswerable)
                                    / max(1, len(unanswerable)), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tune", type=Path, help="an answer_tune.json with its rows")
    parser.add_argument("--extra", nargs="*", default=[],
                        help="features the rows carry beyond the pipeline's")
    args = parser.parse_args()
    report = json.loads(args.tune.read_text(encoding="utf-8"))
    sets = {"accept all (bias only)": (), "pipeline features": FEATURES}
    if args.extra:
        sets["pipeline + " + " ".join(args.extra)] = (*FEATURES, *args.extra)
    print("| answerer | features | candidates (unanswerable) | well | false refusals "
          "| refusal recall |\n|---|---|---|---|---|---|")
    for answerer in ("extractive", "llm"):
        rows = [r for r in report.get(answerer, {}).get("rows", [])
                if r["candidate"] and r.get("by", answerer) == answerer]
        for label, names in sets.items():
            if rows:
                m = cross_validate(rows, names)
                print(f"| {answerer} | {label} | {m['candidates']} ({m['unanswerable']}) | "
                      f"{m['well']} | {m['false_refusals']} | {m['refusal_recall']} |")


if __name__ == "__main__":
    main()
