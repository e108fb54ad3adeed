"""``wenda serve`` fails at once, in one line, when it cannot serve."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.main import main
from cli.serve import bind


def test_a_taken_port_fails_before_anything_loads(capsys: pytest.CaptureFixture[str]) -> None:
    with bind("127.0.0.1", 0) as taken:
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port), "--index", "/nonexistent"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"wenda: error: cannot serve on 127.0.0.1:{port} (")
    assert err.endswith("Pass --port N\n") and err.count("\n") == 1


def test_a_missing_index(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "0", "--index", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err
    assert err == (f"wenda: error: no index at {tmp_path / 'none'}; build one with "
                   f"`wenda ingest FOLDER --index {tmp_path / 'none'}`\n")
