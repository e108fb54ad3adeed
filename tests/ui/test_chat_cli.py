"""`wenda chat` fails in one line, before loading anything, when it cannot start."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from cli.main import main


def test_missing_index(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chat", "--index", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("wenda: error: no index at") and "wenda ingest" in err


def test_unknown_answerer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chat", "--answerer", "gpt"]) == 2
    assert "extractive, llm, or the URL" in capsys.readouterr().err


def test_taken_port(seeds_index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["chat", "-q", "--index", str(seeds_index_dir), "--port", str(port)]) == 2
    assert f"cannot serve on 127.0.0.1:{port}" in capsys.readouterr().err
