"""The self-contained HTML report: charts as embedded PNGs, metric tables, every question.

One file that opens anywhere, offline, and can be mailed: no scripts, no external assets.
Every piece of text from gold or answers is HTML-escaped (questions may hold ``<script>``).
"""

from __future__ import annotations

import base64
import io
from html import escape
from typing import Any

from eval.metrics import KS
from eval.tables import fmt, groups, tables

_STYLE = """
body { font-family: system-ui, "Noto Sans CJK SC", sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.problems { color: #b00; }
img { max-width: 48%; margin: 0.5em 1% 0.5em 0; border: 1px solid #eee; }
"""


def _png(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure() -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(6, 3.6))


def hit_curve(report: dict[str, Any]) -> str:
    """hit@k against k, overall and per language."""
    fig, ax = _figure()
    for label, m in [g for g in groups(report) if not g[0].startswith("type")]:
        values = [m.get(f"hit@{k}") for k in KS]
        if all(v is not None for v in values):
            ax.plot(KS, values, marker="o", label=label)
    ax.set(xlabel="k", ylabel="hit@k", ylim=(0, 1.02), xticks=KS,
           title="Evidence retrieved in top k")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _png(fig)


def by_type_chart(report: dict[str, Any]) -> str:
    """hit@5 (and answer accuracy when measured) for each question type."""
    by_type = report["metrics"].get("by_type", {})
    names = list(by_type)
    series = [m for m in ("hit@5", "accuracy") if m in report["metrics"]["overall"]]
    fig, ax = _figure()
    width = 0.8 / len(series)
    for i, metric in enumerate(series):
        ax.bar([x + i * width for x in range(len(names))],
               [by_type[n].get(metric) or 0 for n in names], width, label=metric)
    ax.set_xticks([x + width * (len(series) - 1) / 2 for x in range(len(names))], names,
                  rotation=30, ha="right")
    ax.set(ylim=(0, 1.02), title="By question type")
    ax.legend(fontsize=8)
    return _png(fig)


def latency_histogram(report: dict[str, Any]) -> str:
    """Distribution of per-question times, one histogram per timed stage."""
    stages: dict[str, list[float]] = {}
    for record in report["records"]:
        for stage, ms in record["timings"].items():
            stages.setdefault(stage, []).append(ms)
    fig, ax = _figure()
    for stage, values in stages.items():
        ax.hist(values, bins=30, alpha=0.6, label=stage)
    ax.set(xlabel="ms", ylabel="questions", title="Latency per question")
    if stages:
        ax.legend(fontsize=8)
    return _png(fig)


def _table(header: list[str], rows: list[list[str]], classes: dict[int, str] | None = None
           ) -> str:
    classes = classes or {}
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td class="{classes[i]}">{escape(c)}</td>' if i in classes
                         else f"<td>{escape(c)}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _question_rows(report: dict[str, Any]) -> list[list[str]]:
    rows = []
    for r in report["records"]:
        ranks = [x for x in r["evidence_ranks"] if x is not None]
        top = ", ".join(f"{h['source']}@{h['start']}" for h in r["retrieved"][:5])
        rows.append([r["id"], r["type"], r["lang"], r["question"], " / ".join(r["gold"]),
                     fmt(min(ranks, default=None)), top, r["answer"] or "",
                     "; ".join(r["problems"])])
    return rows


def html_report(report: dict[str, Any]) -> str:
    config = report["config"]
    charts = [hit_curve(report), by_type_chart(report), latency_histogram(report)]
    parts = [
        "<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\">",
        f"<title>wenda evaluation</title><style>{_STYLE}</style></head><body>",
        "<h1>wenda evaluation</h1>",
        _table(["setting", "value"], [[k, fmt(v) if not isinstance(v, dict) else
                                       ", ".join(f"{a}={b}" for a, b in v.items())]
                                      for k, v in config.items()]),
        "".join(f'<img alt="chart" src="data:image/png;base64,{png}">' for png in charts),
    ]
    for title, header, rows in tables(report):
        parts += [f"<h2>{escape(title)}</h2>", _table(header, rows)]
    problems = report["metrics"].get("problems") or {}
    if problems:
        parts += ["<h2>What went wrong</h2>",
                  _table(["problem", "questions"], [[p, str(n)] for p, n in problems.items()])]
    if report.get("gold_problems"):
        parts += ["<h2>Skipped gold lines</h2><ul>"]
        parts += [f"<li>{escape(p)}</li>" for p in report["gold_problems"]] + ["</ul>"]
    parts += ["<h2>Questions</h2>",
              _table(["id", "type", "lang", "question", "gold", "evidence rank", "top passages",
                      "answer", "what went wrong"], _question_rows(report), {8: "problems"}),
              f"<p>Machine: {escape(str(report.get('machine', {})))}</p></body></html>"]
    return "\n".join(parts)
