"""The Python examples the README quotes (``examples/*.py``), run as they are: over the
session's seeds index, or a folder of their own. The HTTP one runs in tests/api."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # noqa: ANN201
    def run(name: str, *args: str) -> str:
        monkeypatch.setattr(sys, "argv", [str(EXAMPLES / name), *args])
        runpy.run_path(str(EXAMPLES / name), run_name="__main__")
        return capsys.readouterr().out

    return run


def test_search(run, seeds_index_dir: Path) -> None:  # noqa: ANN001
    out = run("search.py", str(seeds_index_dir))
    assert "[1] " in out and "001_1dfd882fad084249.txt" in out  # the Goldman Sachs article
    assert "004_a71b114e23f90809.txt#" in out  # the Shanghai association's secretary


def test_build_index_and_add(run, tmp_path: Path) -> None:  # noqa: ANN001
    out = run("build_index.py", str(tmp_path / "index"))
    assert "1 added, 0 updated, 0 unchanged" in out
    assert "1 added, 0 updated, 1 unchanged" in out
    assert out.rstrip().endswith("测试工作由李工负责，六月底前完成。")


def test_ask(run, seeds_index_dir: Path) -> None:  # noqa: ANN001
    out = run("ask.py", str(seeds_index_dir))
    assert "3月13日" in out.splitlines()[0] and "[1]" in out.splitlines()[0]
    assert "chars 1591-1631: 欧洲议会定于3月13日" in out
    assert "checked:" in out and "钟俊浩" in out  # in the question's script


def test_lcel_chain(run, seeds_index_dir: Path) -> None:  # noqa: ANN001
    """The small model's words vary; the chain must run end to end and say something."""
    assert run("lcel_chain.py", str(seeds_index_dir)).strip()
