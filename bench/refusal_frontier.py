"""How far can the answer decision go towards refusing the unanswerable questions, and at
what cost in answerable questions refused? (issue 13: refusal recall >= 0.90 with false
refusals <= 0.05.)

Over the tune splits (never the test splits), every candidate answer is kept with its
features (``answer_tune.candidates``, every candidate accepted), scored by the decision
model the pipeline runs with, and every threshold is tried: refusal recall, false refusals
and accuracy at each, the best refusal recall within the false-refusal bar, the false
refusals that a refusal recall of 0.90 costs, and how well each feature alone tells the
unanswerable questions' candidates from the answerable ones' (AUC). One threshold serves
every candidate (those the LLM chain quoted where the model gave none included); a
candidate below it counts as a refusal (the chain's quoted fallback is not in the rows,
and could only answer more).

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


def point(rows: list[dict[str, Any]], threshold: float) -> dict[str, float]:
    """The outcome when candidates scoring below ``threshold`` are refused."""
    answerable = [r["p"] >= threshold and r["right"] for r in rows if r["answerable"]]
    refused = [r["p"] < threshold for r in rows if r["answerable"]]
    refused_unanswerable = [r["p"] < threshold for r in rows if not r["answerable"]]
    return {"threshold": round(threshold, 4),
            "refusal_recall": round(sum(refused_unanswerable) / len(refused_unanswerable), 4),
            "false_refusals": round(sum(refused) / len(refused), 4),
            "accuracy": round(sum(answerable) / len(answerable), 4)}


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
    for r in rows:  # no candidate: refused whatever the threshold
        model = getattr(config.decision, "quoted" if r["by"] != args.answerer else args.answerer)
        r["p"] = probability(model, r["features"]) if r["candidate"] else -1.0
    thresholds = sorted({0.0, *(r["p"] for r in rows if r["candidate"])}) + [1.01]
    frontier = [point(rows, t) for t in thresholds]
    within = [p for p in frontier if p["false_refusals"] <= args.max_false_refusals]
    reaching = [p for p in frontier if p["refusal_recall"] >= 0.9]
    made = [r for r in rows if r["candidate"]]
    report = {
        "machine": machine_info(), "split": "tune", "suites": args.suites,
        "answerer": args.answerer, "limit": args.limit,
        "questions": len(rows), "unanswerable": sum(not r["answerable"] for r in rows),
        "no_candidate": {"answerable": sum(not r["candidate"] for r in rows if r["answerable"]),
                         "unanswerable": sum(not r["candidate"] for r in rows
                                             if not r["answerable"])},
        "running_threshold": point(rows, getattr(config.decision, args.answerer).threshold),
        "best_within_false_refusals": max(within, key=lambda p: p["refusal_recall"]),
        "refusal_recall_0.90_costs": reaching[0] if reaching else None,
        "feature_auc_answerable_over_unanswerable": {
            name: auc([r["features"][name] for r in made if r["answerable"]],
                      [r["features"][name] for r in made if not r["answerable"]])
            for name in FEATURES},
        "frontier": frontier,
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"refusal-frontier-{args.answerer}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k not in ("machine", "frontier")},
                     indent=1))


if __name__ == "__main__":
    main()
