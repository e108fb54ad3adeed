"""What the chat's first question gains when the LLM has read its system prompt at launch
(``LLMAnswerer.warm_up``, called by ``Service`` while it loads; issue 13: first token).

In one process, with the default generator, each seeds tune question is asked twice as if
it were a session's first: once after emptying llama.cpp's KV cache ("cold": the system
prompt is prefilled with the question) and once after emptying it and warming up
("warm"), alternately, so a busy machine slows both alike. Reports first-token p50/p95 of
each and their ratio, and the warm-up's own time (spent while the chat loads).

    python bench/llm_warmup_bench.py --questions 12
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scale_common import percentiles  # noqa: E402

from eval.report import machine_info  # noqa: E402
from eval.suites import suite_items, suite_kb  # noqa: E402
from rag.answering import AnswerChain, LLMAnswerer  # noqa: E402
from rag.answering.llm import DEFAULT_GENERATOR, llama_chat  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=DEFAULT_GENERATOR)
    parser.add_argument("--questions", type=int, default=12, help="seeds tune questions")
    args = parser.parse_args()

    kb = suite_kb("seeds")
    chain = AnswerChain.of(kb.retriever(k=5), "llm", model=args.model)
    chat = llama_chat(args.model)
    llama, _ = chat.load()
    first: dict[str, list[float]] = {"cold": [], "warm": []}
    warm_up: list[float] = []
    for item in suite_items("seeds", "tune", args.questions):
        for kind in ("cold", "warm"):
            llama.reset()
            if kind == "warm":
                began = time.perf_counter()
                LLMAnswerer(chat).warm_up()
                warm_up.append(time.perf_counter() - began)
            answer = chain.invoke(item.question)
            first[kind].append(answer["timings"]["first_token_ms"] / 1000)
    report = {"machine": machine_info(), "model": args.model, "questions": args.questions,
              "first_token_cold": percentiles(first["cold"]),
              "first_token_warm": percentiles(first["warm"]),
              "warm_up": percentiles(warm_up)}
    report["ratio_p50"] = round(report["first_token_warm"]["p50_ms"]
                                / report["first_token_cold"]["p50_ms"], 3)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "llm-warmup.json"
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "machine"}, indent=1))


if __name__ == "__main__":
    main()
