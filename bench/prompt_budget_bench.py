"""Prompt budget benchmark: how many characters of excerpts the LLM answerer should read.

Prefill is what the first token waits for on 2 cores, and it grows with the excerpts; too
few, and the answer is not among them. For each budget this measures, on the seeds gold
set, the share of answerable questions whose gold answer (or an alias) is in the excerpts
the model would be given, and the prompt tokens llama.cpp must read for each question (the
system prompt is cached). No answer is generated, so it runs in a minute or two; English
questions are translated by the model first, as the chain does.

    python bench/prompt_budget_bench.py --budgets 200 300 400 500

Writes bench/results/prompt_budget.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from eval.gold import SEEDS_GOLD, load_gold
from eval.metrics import answer_correct
from eval.report import machine_info, markdown_table
from rag import KnowledgeBase
from rag.answering import AnswerChain, LLMAnswerer
from rag.answering.language import reply_script
from rag.answering.llm import DEFAULT_GENERATOR, llama_chat
from rag.answering.prompt import build_messages

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budgets", type=int, nargs="+", default=[200, 300, 400, 500])
    parser.add_argument("--model", default=DEFAULT_GENERATOR, help="GGUF store name or path")
    parser.add_argument("-k", type=int, default=5)
    args = parser.parse_args()

    items = [i for i in load_gold(SEEDS_GOLD)[0] if i.answerable]
    kb = KnowledgeBase.open(progress=False)
    chat = llama_chat(args.model)
    llama, _ = chat.load()
    chain = AnswerChain(kb.retriever(k=args.k), LLMAnswerer(chat))
    retrieved = [chain.passages(item.question) for item in items]

    rows, results = [], []
    for budget in args.budgets:
        answerer = LLMAnswerer(chat, budget=budget)
        found, tokens = [], []
        for item, (_, passages) in zip(items, retrieved):
            given = answerer.select(item.question, passages)
            found.append(answer_correct(" ".join(e.text for e in given), item.answers))
            prompt = build_messages(item.question, given, reply_script(item.question))[1].text
            tokens.append(len(llama.tokenize(prompt.encode(), add_bos=False)))
        by_lang = {lang: statistics.mean(f for f, i in zip(found, items) if i.lang == lang)
                   for lang in ("zh-Hans", "zh-Hant", "en")}
        results.append({"budget": budget, "answer_in_excerpts": statistics.mean(found),
                        "by_lang": by_lang, "prompt_tokens_p50": statistics.median(tokens),
                        "prompt_tokens_max": max(tokens)})
        rows.append([str(budget), f"{statistics.mean(found):.3f}",
                     *(f"{by_lang[lang]:.3f}" for lang in by_lang),
                     f"{statistics.median(tokens):.0f}", str(max(tokens))])
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "prompt_budget.json"
    out.write_text(json.dumps({"questions": len(items), "k": args.k, "model": args.model,
                               "budgets": results, "machine": machine_info()},
                              ensure_ascii=False, indent=1))
    print(f"wrote {out}")
    print(markdown_table(["budget (chars)", "answer in excerpts", "zh-Hans", "zh-Hant", "en",
                          "prompt tokens p50", "max"], rows))


if __name__ == "__main__":
    main()
