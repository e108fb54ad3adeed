"""`wenda ask`: human output, --json, --batch, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main

QUESTION = "欧洲议会定于哪一天就欧盟人工智能法案进行投票?"


def test_human_output_is_the_answer_then_numbered_sources(
    seeds_index_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", QUESTION, "--index", str(seeds_index_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"» {QUESTION}" and "3月13日" in lines[1] and "[1]" in lines[1]
    assert lines[2].startswith("[1] ") and "chars" in lines[2] and "3月13日" in lines[3]


def test_json_is_the_result_without_passages(
    seeds_index_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", QUESTION, "--index", str(seeds_index_dir), "--json", "-k", "3"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"answer", "citations", "refused", "unsupported", "answerer",
                           "timings"}
    assert set(result["citations"][0]) == {"n", "doc_id", "source", "title", "start", "end",
                                           "page", "page_end", "section", "quote"}


def test_batch_answers_each_line_and_goes_on_after_a_bad_one(
    seeds_index_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "questions.txt"
    batch.write_text(f"{QUESTION}\n\n{'?' * 3}\nOpenAI目前有多少名員工?\n", encoding="utf-8")
    assert main(["ask", "--batch", str(batch), "--index", str(seeds_index_dir)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 3
    assert not rows[0]["refused"] and rows[2]["refused"]


def test_errors_are_one_line(seeds_index_dir: Path, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--index", str(tmp_path)]) == 2
    assert main(["ask", "Sora?", "--index", str(tmp_path / "none")]) == 2
    assert main(["ask", "Sora?", "--answerer", "llm", "--model", str(tmp_path / "x.gguf"),
                 "--index", str(seeds_index_dir)]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert errors[0].startswith("wenda: error: give a question")
    assert errors[1].startswith("wenda: error: no index at")
    assert errors[2].startswith("wenda: error: no GGUF file at") and len(errors) == 3
