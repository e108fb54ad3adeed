"""Gates and comparisons on hand-made metric dicts (no index needed)."""

from __future__ import annotations

import pytest

from eval.report import compare, failed_thresholds, is_regression, markdown_summary, parse_threshold
from eval.runner import EvalError


def report(hit5: float, p50: float, by_type: dict | None = None) -> dict:
    overall = {"n": 10, "hit@5": hit5, "false_refusal_rate": 0.1, "retrieve_ms_p50": p50}
    return {"config": {"mode": "hybrid"}, "records": [],
            "metrics": {"overall": overall, "by_type": by_type or {}, "by_lang": {}}}


@pytest.mark.parametrize(("metric", "before", "after", "worse"), [
    ("hit@5", 0.9, 0.8, True),
    ("hit@5", 0.8, 0.9, False),
    ("false_refusal_rate", 0.1, 0.2, True),  # smaller is better
    ("retrieve_ms_p50", 100.0, 109.0, False),  # within the latency tolerance
    ("retrieve_ms_p50", 100.0, 111.0, True),
    ("n", 10, 5, False),  # counts are not scores
    ("accuracy", None, 0.5, False),  # not measured before
])
def test_is_regression(metric, before, after, worse):
    assert is_regression(metric, before, after) is worse


def test_compare_marks_regressions_per_group():
    a = report(0.9, 100.0, {"numeric": {"n": 5, "hit@5": 1.0}})
    b = report(0.95, 150.0, {"numeric": {"n": 5, "hit@5": 0.8}})
    lines = compare(a, b).splitlines()
    assert "▼" not in next(line for line in lines if line.startswith("| hit@5 |"))
    assert "▼ regression" in next(line for line in lines if line.startswith("| retrieve_ms"))
    assert "▼ regression" in next(line for line in lines if "type: numeric · hit@5" in line)


def test_thresholds():
    overall = report(0.85, 10.0)["metrics"]["overall"]
    assert parse_threshold(" hit@5 = 0.9") == ("hit@5", 0.9)
    assert failed_thresholds(overall, ["hit@5=0.8"]) == []
    assert failed_thresholds(overall, ["hit@5=0.9", "f1=0.5"]) == [
        "hit@5 = 0.8500 is under 0.9", "f1 was not measured in this run (needs 0.5)"]
    for bad in ("hit@5", "=0.9", "hit@5=high"):
        with pytest.raises(EvalError, match="METRIC=VALUE"):
            parse_threshold(bad)
    with pytest.raises(EvalError, match="unknown metric 'hit@7'"):
        failed_thresholds(overall, ["hit@7=0.5"])


def test_markdown_escapes_pipes_in_group_names():
    r = report(0.9, 1.0, {"a|b": {"n": 1, "hit@5": 1.0}})
    r["metrics"]["overall"]["n_retrieval"] = 10
    assert "type: a\\|b" in markdown_summary(r)
