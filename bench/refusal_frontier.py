"""How far can the answer decision go towards refusing the unanswerable questions, and at
what cost in answerable questions refused? (issue 13: refusal recall >= 0.90 with false
refusals <= 0.05.)

Over the tune splits (never the test splits), every candidate answer is kept with its
features (``answer_tune.candidates``, every candidate accepted), scored by the decision
model the pipeline runs with for how it was made: written by the answerer, or, for the
LLM, quoted by the chain where the model gave no answer. Every pair of thresholds (one
for each kind) is tried; we report the pairs no other beats on both refusal recall and
false refusals (with accuracy), the best refusal recall with every suite's false
refusals within the bar, what a refusal recall of 0.90 costs, the outcome with the
running thresholds and with no quoted fallback at all, how the questions' candidates
were made, and how well each feature alone tells the unanswerable questions' candidates
from the answerable ones' (AUC). A candidate below its threshold counts as a refusal.

    python bench/refusal_frontier.py --answerer llm
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from answer_tune import add_rows_options, tune_rows

from eval.report import machine_info
from rag.answering.config import FEATURES, AnswerConfig
from rag.answering.decision import probability

RESULTS = Path(__file__).resolve().parent / "results"


def point(rows: list[dict[str, Any]], written: float, quoted: float) -> dict[str, Any]:
    """The outcome when written candidates scoring below ``written`` and quoted ones below
    ``quoted`` are refused, over all ``rows`` and each suite's false refusals."""
    stands = {id(r): r["p"] >= (written if r["kind"] == "written" else quoted) for r in rows}
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]

    def refused(some: list[dict[str, Any]]) -> float:
        return round(sum(not stands[id(r)] for r in some) / len(some), 4)

    return {"written_threshold": round(written, 4), "quoted_threshold": round(quoted, 4),
            "refusal_recall": refused(unanswerable), "false_refusals": refused(answerable),
            "accuracy": round(sum(stands[id(r)] and r["right"] for r in answerable)
                              / len(answerable), 4),
            "false_refusals_by_suite": {
                suite: refused([r for r in answerable if r["suite"] == suite])
                for suite in sorted({r["suite"] for r in answerable})}}


def pareto(points: list[dict[str, float]]) -> list[dict[str, float]]:
    """The points that no other beats on both refusal recall and false refusals."""
    front: list[dict[str, float]] = []
    for p in sorted(points, key=lambda p: (p["false_refusals"], -p["refusal_recall"])):
        if not front or p["refusal_recall"] > front[-1]["refusal_recall"]:
            front.append(p)
    return front


def auc(high: list[float], low: list[float]) -> float | None:
    """P(a value of ``high`` > one of ``low``), ties half."""
    if not high or not low:
        return None
    wins = sum((h > lo) + 0.5 * (h == lo) for h in high for lo in low)
    return round(wins / (len(high) * len(low)), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answerer", choices=["extractive", "llm"], default="llm")
    add_rows_options(parser, ["seeds", "news"])  # the suites with unanswerable questions
    parser.add_argument("--max-false-refusals", type=float, default=0.05)
    args = parser.parse_args()

    config = AnswerConfig.load()
    rows = tune_rows(args, args.answerer, config)
    for r in rows:  # no candidate: refused whatever the thresholds
        r["kind"] = "written" if r["by"] == args.answerer else "quoted"
        model = getattr(config.decision, args.answerer if r["kind"] == "written" else "quoted")
        r["p"] = probability(model, r["features"]) if r["candidate"] else -1.0
    grid = {kind: sorted({0.0, *(r["p"] for r in rows if r["candidate"] and r["kind"] == kind)})
            + [1.01] for kind in ("written", "quoted")}
    points = [point(rows, w, q) for w in grid["written"] for q in grid["quoted"]]
    within = pareto([p for p in points if max(p["false_refusals_by_suite"].values())
                     <= args.max_false_refusals])  # the bar holds on every suite
    front = pareto(points)
    reaching = [p for p in front if p["refusal_recall"] >= 0.9]
    made = [r for r in rows if r["candidate"]]
    running = (getattr(config.decision, args.answerer).threshold,
               config.decision.quoted.threshold)
    report = {
        "machine": machine_info(), "split": "tune", "suites": args.suites,
        "answerer": args.answerer, "limit": args.limit, "questions": len(rows),
        "candidates": {f"{'answerable' if a else 'unanswerable'}/{kind}": sum(
            r["answerable"] == a and (r["kind"] == kind if r["candidate"] else kind == "none")
            for r in rows) for a in (True, False) for kind in ("written", "quoted", "none")},
        "running_thresholds": point(rows, *running),
        "no_quoted_fallback": point(rows, running[0], 1.01),
        "best_within_false_refusals": within[-1] if within else None,
        "refusal_recall_0.90_costs": reaching[0] if reaching else None,
        "feature_auc_answerable_over_unanswerable": {
            name: auc([r["features"][name] for r in made if r["answerable"]],
                      [r["features"][name] for r in made if not r["answerable"]])
            for name in FEATURES},
        "frontier": front,
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"refusal-frontier-{args.answerer}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k not in ("machine", "frontier")},
                     indent=1))


if __name__ == "__main__":
    main()
