"""What the parts of ``scale_bench.py`` share: where the bench indexes live, the news gold
questions, latency percentiles, memory of a process tree, and hit@5."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from embeddings import wenda_home
from eval.gold import load_gold
from eval.news import NEWS_GOLD
from rag.knowledge_base import KnowledgeBase

ROOT = Path(__file__).resolve().parents[1]
BENCH_HOME = wenda_home() / "bench"
ARCHIVE_INDEX = BENCH_HOME / "scale-68k"


def percentiles(values: list[float]) -> dict[str, float]:
    ms = sorted(v * 1000 for v in values)
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return {"p50_ms": round(q[49], 2), "p95_ms": round(q[94], 2), "n": len(ms)}


def questions() -> list:
    items, _ = load_gold(NEWS_GOLD)
    return items


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants, from /proc."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        stack += [int(c) for c in children]
    return total


def run_measured(args: list[str], env: dict[str, str] | None = None) -> tuple[float, int, int]:
    """(seconds, peak tree RSS in bytes, exit code) of ``python -m cli ARGS``."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "cli", *args], cwd=ROOT,
                               env=env or os.environ.copy(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss(process.pid))
        time.sleep(0.2)
    if process.returncode:
        sys.stderr.write(process.stderr.read().decode()[-3000:])
    return time.perf_counter() - started, peak, process.returncode


def search_latency(kb: KnowledgeBase, mode: str, repeat: int = 1) -> dict:
    retriever = kb.retriever(mode=mode, k=5)
    texts = [item.question for item in questions()]
    retriever.search(texts[0])  # model load and first-touch page faults are not latency
    times = []
    for _ in range(repeat):
        for text in texts:
            started = time.perf_counter()
            retriever.search(text)
            times.append(time.perf_counter() - started)
    return percentiles(times)


def rss() -> int:
    return tree_rss(os.getpid())


def hit_at_5(kb: KnowledgeBase, mode: str) -> dict:
    """hit@5 over the answerable questions whose articles are all in the index."""
    retriever = kb.retriever(mode=mode, k=5)
    answerable = [item for item in questions() if item.docs
                  and all(_has(kb, doc) for doc in item.docs)]
    hits = 0
    for item in answerable:
        found = {hit.chunk.doc_id for hit in retriever.search(item.question)}
        hits += any(doc in found for doc in item.docs)
    return {"hit@5": round(hits / len(answerable), 4), "questions": len(answerable)}


def _has(kb: KnowledgeBase, doc_id: str) -> bool:
    try:
        kb.index.document(doc_id)
    except KeyError:
        return False
    return True
