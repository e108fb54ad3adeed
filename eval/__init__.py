"""Batch evaluation against gold Q&A: gold sets, metrics, the runner, reports.

    items, problems = load_gold("eval/gold/seeds.jsonl")
    run = run_eval(KnowledgeBase.open(), items, k=5)
    write_reports(report_dict(run), Path("out"))
"""

from eval.gold import EvidenceRef, EvidenceResolver, GoldItem, load_gold, sample
from eval.report import compare, failed_thresholds, report_dict, write_reports
from eval.runner import EvalError, EvalRun, run_eval
from eval.squad import load_squad, squad_kb

__all__ = [
    "EvalError",
    "EvalRun",
    "EvidenceRef",
    "EvidenceResolver",
    "GoldItem",
    "compare",
    "failed_thresholds",
    "load_gold",
    "load_squad",
    "report_dict",
    "run_eval",
    "sample",
    "squad_kb",
    "write_reports",
]
