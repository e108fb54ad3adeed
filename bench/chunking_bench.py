"""Chunk size and overlap, chosen by measurement on the seeds gold set.

For each (size, overlap) the seeds are indexed afresh (the embedding cache makes repeats
cheap) and the answerable gold questions are retrieved with dense-only and with the hybrid
retriever. Small chunks localise evidence (hit@1) but lose context; large ones cost more
to embed and make longer prompts.

    python bench/chunking_bench.py [--sizes 200 300 450] [--overlaps 0 60] [--model NAME]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from embeddings import DEFAULT_EMBEDDER
from eval.gold import SEEDS_GOLD, load_gold
from eval.report import fmt, machine_info, markdown_table
from eval.runner import run_eval
from rag import KnowledgeBase

ROOT = Path(__file__).resolve().parents[1]
METRICS = ("hit@1", "hit@5", "mrr@10")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[150, 200, 300, 450, 600])
    parser.add_argument("--overlaps", type=int, nargs="+", default=[0, 60])
    parser.add_argument("--model", default=DEFAULT_EMBEDDER)
    args = parser.parse_args()

    items = [item for item in load_gold(SEEDS_GOLD)[0] if item.answerable]
    rows, results = [], []
    for size in args.sizes:
        for overlap in args.overlaps:
            with tempfile.TemporaryDirectory() as tmp:
                started = time.perf_counter()
                kb, _ = KnowledgeBase.build(ROOT / "seeds", Path(tmp) / "idx", model=args.model,
                                            chunk_size=size, overlap=overlap, progress=False)
                build_s = time.perf_counter() - started
                chunks = kb.index.chunks
                row = {"size": size, "overlap": overlap, "chunks": len(chunks),
                       "mean_chars": round(sum(len(c.text) for c in chunks) / len(chunks)),
                       "build_s": round(build_s, 1)}
                for mode in ("dense", "hybrid"):
                    overall = run_eval(kb, items, mode=mode, progress=False).metrics["overall"]
                    row |= {f"{mode} {m}": overall[m] for m in METRICS}
            results.append(row)
            rows.append([fmt(v) for v in row.values()])
            print(markdown_table(list(results[0]), rows[-1:]), flush=True)

    print(f"\n## chunking on the seeds ({len(items)} answerable questions, {args.model})\n")
    print(markdown_table(list(results[0]), rows))
    out = ROOT / "bench" / "results" / f"chunking-{args.model}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": machine_info(), "results": results}, indent=1))


if __name__ == "__main__":
    main()
