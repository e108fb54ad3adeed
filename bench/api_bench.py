"""/v1/search over HTTP against ``kb.search`` in-process, on the seeds, in one run.

A real ``wenda serve`` (its own process) on 127.0.0.1 is sent the seeds gold questions by
N concurrent clients (keep-alive connections, default 8); the same questions are then run
through ``kb.search`` by as many threads in this process. The ratios are the cost of the
HTTP layer (FastAPI, uvicorn, JSON, the loopback) over the search itself.

    .venv/bin/python bench/api_bench.py [--clients 8] [--requests 240] [--index DIR] [--json]

Prints a Markdown table (or the JSON); writes bench/results/api_search.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from cli.serve import bind
from eval.gold import SEEDS_GOLD, load_gold
from eval.report import machine_info, markdown_table
from rag import KnowledgeBase

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def free_port() -> int:
    with bind("127.0.0.1", 0) as sock:
        return sock.getsockname()[1]


def start_server(index: Path, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--index", str(index), "--port", str(port),
         "-q"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"wenda serve exited: {server.stderr.read().strip()}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1)
            return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("wenda serve did not answer within 300 s")


def load(call: Callable[[str], object], queries: list[str], clients: int) -> dict[str, float]:
    """Send ``queries`` through ``call`` from ``clients`` threads; latencies and rate."""
    latencies: list[float] = []
    lock = threading.Lock()
    pending = iter(queries)

    def worker() -> None:
        while True:
            with lock:
                query = next(pending, None)
            if query is None:
                return
            started = time.perf_counter()
            call(query)
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=20)
    return {"requests": len(latencies), "req_per_s": round(len(latencies) / wall, 2),
            "p50_ms": round(statistics.median(latencies), 1), "p95_ms": round(cuts[-1], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=240)
    parser.add_argument("-k", type=int, default=5)
    parser.add_argument("--index", type=Path, default=None, help="default: the seeds index")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    golds, _ = load_gold(SEEDS_GOLD)
    questions = [g.question for g in golds]
    queries = [questions[i % len(questions)] for i in range(args.requests)]

    kb = KnowledgeBase.open(args.index, progress=False)
    kb.search(questions[0], k=args.k)  # load the embedder
    load_before = os.getloadavg()
    direct = load(lambda q: kb.search(q, k=args.k), queries, args.clients)

    port = free_port()
    server = start_server(kb.index.path, port)
    local = threading.local()

    def search(query: str) -> None:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
        local.client.post("/v1/search", json={"query": query, "k": args.k}).raise_for_status()

    try:
        load(search, queries[: 2 * args.clients], args.clients)  # connect, warm up
        http = load(search, queries, args.clients)
    finally:
        server.terminate()
        server.wait()

    result: dict[str, Any] = {
        "clients": args.clients, "k": args.k, "chunks": len(kb.index.chunks),
        "http": http, "direct": direct,
        "http_over_direct": {key: round(http[key] / direct[key], 3)
                             for key in ("req_per_s", "p50_ms", "p95_ms")},
        # other work on the same cores inflates every number: record how busy they were
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "machine": machine_info(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "api_search.json").write_text(json.dumps(result, indent=2) + "\n")
    if args.json:
        print(json.dumps(result, indent=2))
        return
    rows = [[name, str(r["requests"]), f"{r['req_per_s']:.1f}", f"{r['p50_ms']:.0f}",
             f"{r['p95_ms']:.0f}"] for name, r in (("HTTP /v1/search", http),
                                                    ("kb.search in-process", direct))]
    ratio = result["http_over_direct"]
    rows.append(["HTTP ÷ in-process", "", f"{ratio['req_per_s']:.3f}",
                 f"{ratio['p50_ms']:.3f}", f"{ratio['p95_ms']:.3f}"])
    print(markdown_table([f"{args.clients} concurrent clients, k={args.k}", "requests",
                          "req/s", "p50 ms", "p95 ms"], rows))
    print(f"load average before/after: {load_before} / {result['load_average']['after']}")


if __name__ == "__main__":
    main()
