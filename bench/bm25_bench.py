"""wenda's BM25 against bm25s over the whole archive (issue 17: adopt a maintained library
only if it is faster and leaner at ~200,000 chunks).

Both engines index the same jieba tokens, the ones the archive index stores for its 191,161
chunks (``scale_bench.py --part archive`` builds it), with k1 1.2, b 0.75 and Lucene's idf
(bm25s ``method="lucene"`` is wenda's formula but for the constant factor k1 + 1, so the
rankings should match). Each engine runs in its own process, so its peak RSS is its own:
build (from the docstore's token stream: wenda counts terms as they stream by, bm25s takes
token-id lists, made here and timed with its build), the saved index's bytes, and per gold
question the score of every chunk plus the top 10 (one ``argpartition`` for both) p50/p95.
Then how many of each question's top 10 the two share.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scale_common import ARCHIVE_INDEX, percentiles, questions, rss  # noqa: E402

from eval.report import machine_info  # noqa: E402
from rag.index.bm25 import tokenize  # noqa: E402
from rag.index.docstore import Docstore  # noqa: E402
from rag.index.phases import build_bm25  # noqa: E402
from rag.index.settings import DEFAULT_INDEX  # noqa: E402
from rag.ingest import normalize  # noqa: E402

RESULTS = ROOT / "bench" / "results"
K1, B = 1.2, 0.75


def build_wenda(store: Docstore, folder: Path) -> tuple:
    """The index's own build (``rag.index.phases.build_bm25``), with k1 and b set here."""
    engine = build_bm25(store, replace(DEFAULT_INDEX, k1=K1, b=B), folder / "bm25.npz",
                        progress=False)
    return engine.scores, engine.vocabulary


def build_bm25s(store: Docstore, folder: Path) -> tuple:
    import bm25s

    vocabulary: dict[str, int] = {}
    ids = [[vocabulary.setdefault(t, len(vocabulary)) for t in tokens]
           for tokens in store.tokens()]
    engine = bm25s.BM25(k1=K1, b=B, method="lucene")
    engine.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocabulary), show_progress=False)
    del ids
    engine.save(folder / "bm25s", show_progress=False)

    def scores(tokens: list[str]) -> np.ndarray:
        return engine.get_scores_from_ids([vocabulary[t] for t in tokens if t in vocabulary])
    return scores, vocabulary


def child(engine: str, out: Path) -> None:
    """One engine, in this process: build, size, query latency, top 10s (to ``out``)."""
    queries = [tokenize(normalize(item.question)) for item in questions()]
    store = Docstore(ARCHIVE_INDEX / "docstore.sqlite")
    chunks = store.count_chunks()
    before = rss()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        scores, vocabulary = (build_wenda if engine == "wenda" else build_bm25s)(store,
                                                                                  Path(folder))
        built = time.perf_counter() - started
        size = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
    top, times = [], []
    for q in queries:
        started = time.perf_counter()
        s = scores(q)
        best = np.argpartition(-s, 10)[:10]
        times.append(time.perf_counter() - started)
        top.append(sorted(best.tolist()))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    out.write_text(json.dumps({
        "chunks": chunks, "vocabulary": len(vocabulary), "build_seconds": round(built, 1),
        "rss_before_build_mb": round(before / 2**20), "peak_rss_mb": round(peak / 2**20),
        "peak_over_start_mb": round((peak - before) / 2**20), "saved_index_mb":
        round(size / 2**20, 1), "query": percentiles(times), "top10": top}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("wenda", "bm25s"), help="(child process)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.engine:
        child(args.engine, args.out)
        return
    import bm25s

    result: dict = {"machine": machine_info(), "command": " ".join(sys.argv),
                    "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "bm25s_version":
                    bm25s.__version__, "k1": K1, "b": B}
    with tempfile.TemporaryDirectory() as folder:
        for engine in ("wenda", "bm25s"):
            out = Path(folder) / f"{engine}.json"
            subprocess.run([sys.executable, __file__, "--engine", engine, "--out", str(out)],
                           check=True)
            result[engine] = json.loads(out.read_text())
    ours, theirs = result["wenda"].pop("top10"), result["bm25s"].pop("top10")
    shared = [len(set(a) & set(b)) / 10 for a, b in zip(ours, theirs)]
    result["top10_agreement"] = {"mean": round(float(np.mean(shared)), 4),
                                 "min": min(shared), "questions": len(shared)}
    out = RESULTS / "bm25-archive.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(out.read_text())


if __name__ == "__main__":
    main()
