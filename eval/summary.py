"""Aggregate question records into metrics: overall, by question type and by language.

Every group gets the same flat ``{name: value}`` dict, so a gate (``--fail-under``), a
comparison of two runs and every report table read metrics by one name. A metric that could
not be measured (no unanswerable question to refuse, no answerer) is None, never 0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import eval.metrics as metrics
from eval.records import QuestionRecord

Metrics = dict[str, float | int | None]


def summarize(records: Sequence[QuestionRecord]) -> dict[str, Any]:
    """``{"overall", "by_type", "by_lang", "problems"}`` for a finished run."""
    return {
        "overall": group_metrics(records),
        "by_type": _by(records, lambda r: r.type),
        "by_lang": _by(records, lambda r: r.lang),
        "problems": dict(Counter(p for r in records for p in r.problems).most_common()),
    }


def group_metrics(records: Sequence[QuestionRecord]) -> Metrics:
    scored = [r for r in records if r.scored_for_retrieval]
    out: Metrics = {
        "n": len(records),
        "n_answerable": sum(r.answerable for r in records),
        "n_retrieval": len(scored),
        "n_unresolved": sum(bool(r.answerable and r.unresolved) for r in records),
        "n_unindexed": sum(bool(r.unindexed) for r in scored),
    }
    out |= metrics.retrieval_metrics([r.evidence_ranks for r in scored],
                                     [r.doc_ranks for r in scored])
    answered = [r for r in records if r.refused is not None]
    if answered:
        out |= {
            "accuracy": metrics.mean_of(r.correct for r in answered),
            "f1": metrics.mean_of(r.f1 for r in answered),
            "em": metrics.mean_of(r.em for r in answered),
            "citation_precision": metrics.mean_of(r.citation_precision for r in answered),
            "citation_recall": metrics.mean_of(r.citation_recall for r in answered),
        }
        out |= metrics.refusal_metrics([r.answerable for r in answered],
                                       [bool(r.refused) for r in answered])
    out["errors"] = sum(r.error is not None for r in records)
    out |= metrics.latency_metrics([r.timings for r in records])
    return out


def _by(records: Sequence[QuestionRecord], key: Callable[[QuestionRecord], str]
        ) -> dict[str, Metrics]:
    groups: dict[str, list[QuestionRecord]] = {}
    for record in records:
        groups.setdefault(key(record), []).append(record)
    return {name: group_metrics(group) for name, group in sorted(groups.items())}
