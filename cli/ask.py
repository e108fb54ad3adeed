"""``wenda ask``: a grounded answer with citations, or a refusal, for a question."""

from __future__ import annotations

import argparse
import sys

from cli.common import (
    add_generator_option,
    add_index_option,
    command,
    note_partial_index,
    print_json,
    read_lines,
)
from rag import KnowledgeBase, Location
from rag.answering import ANSWERERS, AnswerChain, AnswerError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = command(subparsers, "ask", cmd_ask,
                "answer a question from the index, citing the exact passages")
    p.add_argument("question", nargs="?", help="the question")
    add_index_option(p)
    p.add_argument("--answerer", choices=ANSWERERS, default="extractive",
                   help="extractive: quote the best sentences (instant); llm: a model writes "
                   "the answer (default %(default)s)")
    add_generator_option(p)
    p.add_argument("--endpoint", metavar="URL",
                   help="LLM: an OpenAI-compatible server instead of a local model")
    p.add_argument("--endpoint-model", metavar="NAME", help="model name at --endpoint")
    p.add_argument("--timeout", type=float, default=60.0,
                   help="seconds to wait for --endpoint (default %(default)s)")
    p.add_argument("-k", type=int, default=5, help="passages to read (default 5)")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.add_argument("--batch", metavar="FILE",
                   help="one question a line (- for stdin); prints one JSON object a line")
    p.epilog = ("Each call loads the models (seconds); --batch answers many questions with "
                "one load, and `wenda chat` / `wenda serve` keep them loaded and warmed up.")


def _show_answer(question: str, result: dict) -> None:
    print(f"» {question}")
    print(result["answer"])
    for sentence in result["unsupported"]:
        print(f"  (no source supports: {sentence})")
    for c in result["citations"]:
        title = f" — {c['title']}" if c["title"] else ""
        where = Location.of(c).label()
        where = f", {where}" if where else ""
        print(f"[{c['n']}] {c['source']}{title}  (chars {c['start']}-{c['end']}{where})")
        print(f"    {(c.get('text') or c['quote']).replace(chr(10), ' ')}")  # cleaned


def _without_passages(result: dict) -> dict:
    return {key: value for key, value in result.items() if key != "passages"}


def cmd_ask(args: argparse.Namespace) -> int:
    if args.batch is None and not args.question:
        raise ValueError("give a question, or --batch FILE (one question a line, - for stdin)")
    kb = KnowledgeBase.open(args.index, progress=not args.quiet, store=args.store)
    note_partial_index(kb.index)
    try:
        chain = AnswerChain.of(kb.retriever(k=args.k), args.answerer, model=args.model,
                               endpoint=args.endpoint, endpoint_model=args.endpoint_model,
                               timeout=args.timeout)
        if args.batch is None:
            result = chain.invoke(args.question)
            if args.json:
                print_json(_without_passages(result))
            else:
                _show_answer(args.question, result)
            return 0
        for question in read_lines(args.batch):
            try:
                print_json(_without_passages(chain.invoke(question)))
            except (ValueError, AnswerError) as err:
                print_json({"question": question, "error": str(err)})  # the batch goes on
        return 0
    except AnswerError as err:
        print(f"wenda: error: {err}", file=sys.stderr)
        return 2
