"""Answer benchmark: accuracy, citation precision, refusals and latency of each answerer on
the seeds gold set (eval/gold/seeds.jsonl), scored exactly as ``wenda eval`` scores them.

    python bench/answer_bench.py                          # extractive, then the default LLM
    python bench/answer_bench.py --answerer llm --model qwen2.5-coder-0.5b --limit 30
    python bench/answer_bench.py --answerer llm --budget 300   # excerpt characters (prefill)

accuracy: the gold answer or an alias is contained in the answer (both normalized), over
answerable questions; citation precision: share of an answer's citations that overlap the
gold evidence, mean over answered answerable questions; refusal recall: unanswerable
questions refused; false refusals: answerable questions refused. Latency is the chain's own
(first token = first piece of the answer streamed) after one warm-up question that loads
the models; retrieval metrics come with it, as in ``wenda eval``; peak RAM is the process's
peak RSS so far (the answerers run in order in one process, so the LLM's figure includes the
embedder's).

Writes bench/results/answer_<answerer>[_<model>].json (metrics, per-question records, config,
machine) and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import resource
from pathlib import Path
from typing import Any

from eval.gold import SEEDS_GOLD, GoldItem, load_gold, sample
from eval.report import fmt, machine_info, markdown_table
from eval.runner import run_eval
from rag import KnowledgeBase
from rag.answering.llm import DEFAULT_GENERATOR

RESULTS = Path(__file__).resolve().parent / "results"
COLUMNS = ["answerer", "accuracy", "citation precision", "refusal recall", "false refusals",
           "first token p50 / p95 (ms)", "total p50 / p95 (ms)", "peak RAM (MB)"]


def run(kb: KnowledgeBase, items: list[GoldItem], answerer: str, model: str | None,
        k: int, budget: int | None = None) -> dict[str, Any]:
    options: dict[str, Any] = {"model": model} if answerer == "llm" else {}
    if answerer == "llm" and budget:
        options["budget"] = budget
    kb.ask(items[0].question, answerer=answerer, k=k, **options)  # warm-up: load the models
    result = run_eval(kb, items, k=k, answerer=answerer, answer_options=options).to_dict()
    return result | {"machine": machine_info(), "peak_rss_mb": round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def row(result: dict[str, Any]) -> list[str]:
    m, config = result["metrics"]["overall"], result["config"]
    name = config["answerer"] + (f" ({config['model']})" if "model" in config else "")
    return [name, fmt(m["accuracy"]), fmt(m["citation_precision"]), fmt(m["refusal_recall"]),
            fmt(m["false_refusal_rate"]),
            f"{m['first_token_ms_p50']:.0f} / {m['first_token_ms_p95']:.0f}",
            f"{m['total_ms_p50']:.0f} / {m['total_ms_p95']:.0f}", str(result["peak_rss_mb"])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answerer", nargs="+", choices=["extractive", "llm"],
                        default=["extractive", "llm"])
    parser.add_argument("--model", default=DEFAULT_GENERATOR, help="GGUF store name or path")
    parser.add_argument("--index", type=Path, help="index folder (default: the seeds index)")
    parser.add_argument("--gold", type=Path, default=SEEDS_GOLD)
    parser.add_argument("--limit", type=int, help="a reproducible sample of this many questions")
    parser.add_argument("-k", type=int, default=5)
    parser.add_argument("--budget", type=int,
                        help="characters of excerpts the LLM reads (default: the answerer's)")
    args = parser.parse_args()

    items, problems = load_gold(args.gold)
    if problems:
        raise SystemExit(f"bad gold file {args.gold}: {problems[0]}")
    items = sample(items, args.limit)
    kb = KnowledgeBase.open(args.index, progress=False)
    RESULTS.mkdir(exist_ok=True)
    rows = []
    for answerer in args.answerer:
        result = run(kb, items, answerer, args.model, args.k, args.budget)
        suffix = f"_{Path(args.model).stem}" if answerer == "llm" else ""
        suffix += f"_budget{args.budget}" if answerer == "llm" and args.budget else ""
        out = RESULTS / f"answer_{answerer}{suffix}.json"
        out.write_text(json.dumps(result, ensure_ascii=False, indent=1))
        rows.append(row(result))
        print(f"wrote {out}")
    print(markdown_table(COLUMNS, rows))


if __name__ == "__main__":
    main()
