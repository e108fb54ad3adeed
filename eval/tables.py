"""The metric tables of a report, shared by its Markdown and HTML renderings."""

from __future__ import annotations

from typing import Any

# Metric families shown as tables, each row one group (overall, a type, a language).
RETRIEVAL = ["n_retrieval", "hit@1", "hit@3", "hit@5", "hit@10", "mrr@10", "all_evidence@5",
             "doc_hit@5"]
ANSWERS = ["accuracy", "f1", "em", "citation_precision", "citation_recall",
           "refusal_precision", "refusal_recall", "false_refusal_rate"]
LATENCY = ["retrieve_ms_p50", "retrieve_ms_p95", "first_token_ms_p50", "first_token_ms_p95",
           "total_ms_p50", "total_ms_p95"]


def groups(report: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(label, metrics) of every group: overall, then each type, then each language."""
    m = report["metrics"]
    return ([("overall", m["overall"])]
            + [(f"type: {t}", v) for t, v in m.get("by_type", {}).items()]
            + [(f"lang: {lang}", v) for lang, v in m.get("by_lang", {}).items()])


def tables(report: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) for each metric family the run measured."""
    overall = report["metrics"]["overall"]
    out = []
    for title, columns in (("Retrieval", RETRIEVAL), ("Answers", ANSWERS),
                           ("Latency (ms)", LATENCY)):
        columns = [c for c in columns if c in overall]
        if columns:
            rows = [[label, str(m["n"])] + [fmt(m.get(c)) for c in columns]
                    for label, m in groups(report)]
            out.append((title, ["group", "n", *columns], rows))
    return out


def fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) <= 1 else f"{value:.1f}"
    return str(value)
