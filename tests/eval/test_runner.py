"""The runner, reports and `wenda eval` on the real seeds index (default embedder)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from cli.main import main
from eval.gold import SEEDS_GOLD, load_gold
from eval.report import compare, report_dict, write_reports
from eval.runner import EvalRun, run_eval
from rag.knowledge_base import KnowledgeBase

DOC = "000_a3d2e3e7c9ddcafe.txt"


@pytest.fixture(scope="module")
def seeds_run(seeds_kb: KnowledgeBase) -> EvalRun:
    return run_eval(seeds_kb, load_gold(SEEDS_GOLD)[0], progress=False)


def test_seeds_retrieval_reaches_hit_at_5(seeds_run: EvalRun):
    overall = seeds_run.metrics["overall"]
    assert overall["n"] == 120 and overall["n_retrieval"] == 107
    assert overall["n_unresolved"] == 0
    assert overall["hit@5"] >= 0.9, seeds_run.metrics["problems"]
    assert overall["hit@1"] <= overall["hit@5"] <= overall["hit@10"]
    assert set(seeds_run.metrics["by_lang"]) == {"en", "zh-Hans", "zh-Hant"}
    assert seeds_run.metrics["by_type"]["unanswerable"]["hit@5"] is None
    assert overall["retrieve_ms_p50"] > 0


def test_records_say_what_went_wrong(seeds_run: EvalRun):
    for record in seeds_run.records:
        assert len(record.retrieved) == 10
        if record.scored_for_retrieval and not any(r is not None and r <= 5
                                                   for r in record.evidence_ranks):
            assert record.problems[0].startswith("evidence not")
    unanswerable = [r for r in seeds_run.records if not r.answerable]
    assert unanswerable and all(r.problems == [] and r.evidence == [] for r in unanswerable)


def test_reports_are_written_and_compare_marks_regressions(seeds_run: EvalRun, tmp_path):
    report = report_dict(seeds_run)
    paths = write_reports(report, tmp_path / "a")
    saved = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert saved["metrics"] == json.loads(json.dumps(seeds_run.metrics))
    assert len(saved["records"]) == 120 and saved["machine"]["cpus"]
    with paths["csv"].open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 120 and rows[0]["question"] == seeds_run.records[0].question
    assert "| overall |" in paths["markdown"].read_text(encoding="utf-8")
    html = paths["html"].read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 3 and "<script" not in html

    worse = json.loads(json.dumps(report))
    worse["metrics"]["overall"]["hit@5"] -= 0.1
    table = compare(report, worse)
    hit5 = next(line for line in table.splitlines() if line.startswith("| hit@5 |"))
    assert "▼ regression" in hit5
    assert "▼" not in next(line for line in table.splitlines() if line.startswith("| hit@1 |"))


def test_fake_answerer_is_scored(seeds_kb: KnowledgeBase, monkeypatch):
    """A stand-in for KnowledgeBase.ask: right, wrong, refusing and failing replies."""
    items = {i.id: i for i in load_gold(SEEDS_GOLD)[0]}
    gold = [items[i] for i in ("s001", "s002", "s005", "s110")]
    assert not gold[3].answerable
    text = seeds_kb.index.document(DOC).text
    start = text.index("Sora指数涨幅为3.01%")
    replies = {
        gold[0].question: {"answer": "涨幅为3.01%[1]", "refused": False, "answerer": "fake",
                           "citations": [{"n": 1, "doc_id": DOC, "source": DOC, "title": "",
                                          "start": start, "end": start + 10, "quote": ""}],
                           "timings": {"retrieve_ms": 1.0, "first_token_ms": 5.0,
                                       "total_ms": 9.0}},
        gold[1].question: {"answer": "", "refused": True, "citations": [], "timings": {}},
        gold[3].question: {"answer": "资料中没有答案", "refused": True, "citations": [],
                           "timings": {"total_ms": 3.0}},
    }

    def ask(self, question, answerer, k, **options):  # noqa: ANN001, ANN202
        if question not in replies:
            raise RuntimeError("model crashed")
        return replies[question]

    monkeypatch.setattr(KnowledgeBase, "ask", ask)
    run = run_eval(seeds_kb, gold, mode="bm25", answerer="extractive", progress=False)
    right, refused, failed, unanswerable = run.records
    assert right.correct and right.f1 > 0.5 and right.citation_precision == 1.0
    assert right.timings["first_token_ms"] == 5.0 and right.timings["retrieve_ms"] != 1.0
    assert refused.problems[-1] == "false refusal" and refused.correct is False
    assert failed.error == "RuntimeError: model crashed" and "error" in failed.problems
    assert unanswerable.problems == []
    overall = run.metrics["overall"]
    assert overall["refusal_precision"] == 0.5 and overall["refusal_recall"] == 1.0
    assert overall["accuracy"] == 0.5 and overall["errors"] == 1
    assert overall["total_ms_p50"] == 6.0


# -- the command line ----------------------------------------------------------------------------
@pytest.fixture
def small_gold(tmp_path: Path) -> Path:
    lines = [
        {"id": "a", "question": "3月13日收盘时,A股Sora指数涨幅是多少?", "answer": "3.01%",
         "aliases": [], "doc": DOC, "evidence": "截至收盘,Sora指数涨幅为3.01%。",
         "type": "numeric", "lang": "zh-Hans"},
        "{broken",
        {"id": "b", "question": "<script>alert('x')</script> Sora指数", "answer": "",
         "aliases": [], "doc": None, "evidence": None, "type": "unanswerable", "lang": "en"},
    ]
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)
                              for x in lines) + "\n", encoding="utf-8")
    return path


def wenda_eval(gold: Path, index: Path, out: Path, *extra: str) -> int:
    return main(["eval", "--gold", str(gold), "--index", str(index), "--mode", "bm25",
                 "--out", str(out), "-q", *extra])


def test_cli_writes_reports_and_escapes_html(small_gold, seeds_index_dir, tmp_path, capsys):
    assert wenda_eval(small_gold, seeds_index_dir, tmp_path / "out") == 0
    captured = capsys.readouterr()
    assert "line 2: not valid JSON" in captured.err
    assert "| overall | 2 | 1 |" in captured.out
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<script>" not in html
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["gold_problems"] == [captured.err.split("gold ")[1].split("; skipped")[0]]


def test_cli_fail_under_exit_codes(small_gold, seeds_index_dir, tmp_path, capsys):
    assert wenda_eval(small_gold, seeds_index_dir, tmp_path / "o1", "--fail-under",
                      "hit@5=0.5", "--fail-under", "mrr@10=0.1") == 0
    assert wenda_eval(small_gold, seeds_index_dir, tmp_path / "o2", "--fail-under",
                      "hit@5=1.01", "--fail-under", "hit@1=0", "--fail-under",
                      "accuracy=0.5") == 1
    failures = [line for line in capsys.readouterr().err.splitlines() if "eval failed" in line]
    assert len(failures) == 2
    assert "hit@5 = 1.0000 is under 1.01" in failures[0]
    assert "accuracy was not measured" in failures[1]
    assert wenda_eval(small_gold, seeds_index_dir, tmp_path / "o3", "--fail-under",
                      "hit@5") == 2
    assert wenda_eval(small_gold, seeds_index_dir, tmp_path / "o4", "--fail-under",
                      "nope=1") == 2
    assert "unknown metric 'nope'" in capsys.readouterr().err


def test_cli_compare(small_gold, seeds_index_dir, tmp_path, capsys):
    assert wenda_eval(small_gold, seeds_index_dir, tmp_path / "a") == 0
    assert main(["eval", "--compare", str(tmp_path / "a" / "report.json"),
                 str(tmp_path / "a" / "report.json")]) == 0
    out = capsys.readouterr().out
    assert "| hit@5 | 1.000 | 1.000 | 0.000 |" in out and "regression" not in out


@pytest.mark.xfail(strict=True, reason="issue 13: the answer-or-refuse decision has its "
                   "starting values, not yet a fit on the tune splits: it quotes an answer to "
                   "a markup-only unanswerable question")
def test_cli_scores_the_extractive_answerer(small_gold, seeds_index_dir, tmp_path):
    assert wenda_eval(small_gold, seeds_index_dir, tmp_path / "o", "--answerer", "extractive",
                      "--fail-under", "refusal_recall=1") == 0
    report = json.loads((tmp_path / "o" / "report.json").read_text(encoding="utf-8"))
    assert report["config"]["answerer"] == "extractive"
    answered, refused = report["records"]
    assert answered["citations"] and "Sora指数" in answered["answer"]
    assert refused["refused"] and not refused["citations"]
