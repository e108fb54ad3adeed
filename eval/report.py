"""Reports of a run: JSON for machines, Markdown for people, CSV per question, HTML with charts;
the comparison of two runs; and metric gates (``--fail-under hit@5=0.9``) for CI.

Reports read the run as a plain dict (``EvalRun.to_dict()`` plus config and machine), so a
JSON report saved months ago can still be compared and re-rendered.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from eval.runner import EvalError, EvalRun
from eval.tables import ANSWERS, LATENCY, fmt, groups, tables

FORMAT = 1

# Metrics where smaller is better; the rest (rates, scores) are better larger.
LOWER_IS_BETTER = ("_ms_", "false_refusal_rate", "errors", "n_unresolved", "n_unindexed")
COUNTS = ("n", "n_answerable", "n_retrieval")
LATENCY_TOLERANCE = 0.10  # latency is noisy: only a >10 % slowdown counts as a regression


def machine_info() -> dict[str, Any]:
    """What the numbers were measured on (machine and code), so they are read in context."""
    try:
        version = metadata.version("wenda")
    except metadata.PackageNotFoundError:
        version = None
    return {"platform": platform.platform(), "python": sys.version.split()[0],
            "cpus": os.cpu_count(), "cpu": _cpu_model(), "wenda": version,
            "commit": _commit(), "omp_threads": os.environ.get("OMP_NUM_THREADS")}


def _commit() -> str | None:
    """The checkout's short commit; None outside a git checkout."""
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, cwd=Path(__file__).parent, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def report_dict(run: EvalRun) -> dict[str, Any]:
    """The machine-readable report: all metrics, every question, config and machine."""
    return {"format": FORMAT, "machine": machine_info(), **run.to_dict()}


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def markdown_summary(report: dict[str, Any]) -> str:
    """The human summary: what ran, the metric tables, what went wrong how often."""
    c = report["config"]
    lines = [
        "# wenda evaluation", "",
        f"{c.get('questions')} questions from {c.get('gold', 'gold')} on index {c.get('index')} "
        f"(embedder {c.get('embedder')}, mode {c.get('mode')}, k={c.get('k')}, answerer "
        f"{c.get('answerer')}); {c.get('seconds')} s, {c.get('finished_at')}.",
    ]
    for title, header, rows in tables(report):
        lines += ["", f"## {title}", "", markdown_table(header, rows)]
    problems = report["metrics"].get("problems") or {}
    if problems:
        lines += ["", "## What went wrong", "",
                  markdown_table(["problem", "questions"], [[p, str(n)] for p, n in
                                                            problems.items()])]
    if report.get("gold_problems"):
        lines += ["", "## Skipped gold lines", ""] + [f"- {p}" for p in report["gold_problems"]]
    return "\n".join(lines) + "\n"


# -- files -----------------------------------------------------------------------------------
CSV_FIELDS = ["id", "type", "lang", "question", "answerable", "evidence_rank", "doc_rank",
              "retrieved", "answer", "refused", "correct", "f1", "em", "citation_precision",
              "citation_recall", "retrieve_ms", "total_ms", "problems"]


def csv_row(record: dict[str, Any]) -> dict[str, Any]:
    ranks = [r for r in record["evidence_ranks"] if r is not None]
    docs = [r for r in record["doc_ranks"] if r is not None]
    return {
        **{k: record.get(k) for k in CSV_FIELDS if k in record},
        "evidence_rank": min(ranks, default=None),
        "doc_rank": min(docs, default=None),
        "retrieved": " | ".join(f"{h['source']}@{h['start']}-{h['end']}"
                                for h in record["retrieved"]),
        "retrieve_ms": record["timings"].get("retrieve_ms"),
        "total_ms": record["timings"].get("total_ms"),
        "problems": "; ".join(record["problems"]),
    }


def write_reports(report: dict[str, Any], out: Path) -> dict[str, Path]:
    """Write report.json, summary.md, questions.csv and report.html into ``out``."""
    from eval.html_report import html_report  # matplotlib loads only when reports are written

    out.mkdir(parents=True, exist_ok=True)
    paths = {kind: out / name for kind, name in (("json", "report.json"), ("markdown",
             "summary.md"), ("csv", "questions.csv"), ("html", "report.html"))}
    paths["json"].write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    paths["markdown"].write_text(markdown_summary(report), encoding="utf-8")
    with paths["csv"].open("w", encoding="utf-8-sig", newline="") as fh:  # BOM: Excel reads UTF-8
        writer = csv.DictWriter(fh, CSV_FIELDS)
        writer.writeheader()
        writer.writerows(csv_row(r) for r in report["records"])
    paths["html"].write_text(html_report(report), encoding="utf-8")
    return paths


def load_report(path: str | Path) -> dict[str, Any]:
    try:
        report = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise EvalError(f"{path} is not a JSON report ({err.msg}); give report.json of a run"
                        ) from None
    if not isinstance(report, dict) or "metrics" not in report:
        raise EvalError(f"{path} is not a wenda eval report (no metrics); give report.json")
    return report


# -- comparing and gating ----------------------------------------------------------------------
def _lower_is_better(metric: str) -> bool:
    return any(part in metric for part in LOWER_IS_BETTER)


def is_regression(metric: str, before: Any, after: Any) -> bool:
    """Whether ``after`` is worse than ``before`` (counts and unmeasured values never are)."""
    if metric in COUNTS or not isinstance(before, int | float) or not isinstance(after,
                                                                                 int | float):
        return False
    if "_ms_" in metric:
        return after > before * (1 + LATENCY_TOLERANCE)
    return after > before + 1e-9 if _lower_is_better(metric) else after < before - 1e-9


def _compare_rows(a: dict[str, Any], b: dict[str, Any], names: list[str]) -> list[list[str]]:
    rows = []
    for name in names:
        before, after = a.get(name), b.get(name)
        delta = (fmt(after - before) if isinstance(before, int | float)
                 and isinstance(after, int | float) else "")
        mark = "▼ regression" if is_regression(name, before, after) else ""
        rows.append([name, fmt(before), fmt(after), delta, mark])
    return rows


def compare(a: dict[str, Any], b: dict[str, Any]) -> str:
    """Run A beside run B, overall and per group on the headline metrics; B's regressions
    are marked ``▼ regression``."""
    header = ["metric", "A", "B", "Δ (B−A)", ""]
    overall_a, overall_b = a["metrics"]["overall"], b["metrics"]["overall"]
    names = list(dict.fromkeys([*overall_a, *overall_b]))
    lines = [f"A: {a['config'].get('gold', '?')} · {a['config'].get('embedder')} · "
             f"{a['config'].get('mode')} · {a['config'].get('finished_at')}",
             f"B: {b['config'].get('gold', '?')} · {b['config'].get('embedder')} · "
             f"{b['config'].get('mode')} · {b['config'].get('finished_at')}",
             "", "## Overall", "", markdown_table(header, _compare_rows(overall_a, overall_b,
                                                                        names))]
    headline = [m for m in ("hit@5", "mrr@10", "accuracy", "f1") if m in names]
    groups_a = dict(groups(a))
    rows = []
    for label, metrics_b in groups(b)[1:]:
        metrics_a = groups_a.get(label, {})
        rows += [[f"{label} · {r[0]}", *r[1:]]
                 for r in _compare_rows(metrics_a, metrics_b, headline)]
    if rows:
        lines += ["", "## By type and language", "", markdown_table(header, rows)]
    return "\n".join(lines) + "\n"


def parse_threshold(spec: str) -> tuple[str, float]:
    """``"hit@5=0.9"`` → ``("hit@5", 0.9)``."""
    metric, sep, value = spec.partition("=")
    try:
        if not sep or not metric.strip():
            raise ValueError
        return metric.strip(), float(value)
    except ValueError:
        raise EvalError(f"bad --fail-under {spec!r}; write METRIC=VALUE, e.g. hit@5=0.9") from None


def failed_thresholds(overall: dict[str, Any], specs: list[str]) -> list[str]:
    """One line per metric below its threshold (or not measured in this run)."""
    failures = []
    for metric, threshold in map(parse_threshold, specs):
        known = dict.fromkeys([*overall, *ANSWERS, *LATENCY])
        if metric not in known:
            names = ", ".join(k for k in known if k not in COUNTS)
            raise EvalError(f"unknown metric {metric!r} for --fail-under; known: {names}")
        value = overall.get(metric)
        if value is None:
            failures.append(f"{metric} was not measured in this run (needs {threshold})")
        elif value < threshold:
            failures.append(f"{metric} = {value:.4f} is under {threshold}")
    return failures
