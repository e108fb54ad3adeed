"""``wenda search``: the passages that best match a query, for a person or a program."""

from __future__ import annotations

import argparse
import sys

from cli.common import (
    add_embedder_option,
    add_index_option,
    command,
    note_partial_index,
    print_json,
    read_lines,
)
from rag import Hit, KnowledgeBase
from rag.index import HybridRetriever


def register(subparsers: argparse._SubParsersAction) -> None:
    p = command(subparsers, "search", cmd_search, "print the passages that best match a query")
    p.add_argument("query", nargs="?",
                   help="the question or keywords (none: an interactive prompt)")
    add_index_option(p)
    add_embedder_option(p)
    p.add_argument("-k", type=int, default=5, help="number of passages (default 5)")
    p.add_argument("--mode", choices=["hybrid", "dense", "bm25"], default="hybrid",
                   help="retriever (default hybrid)")
    p.add_argument("--json", action="store_true", help="print a JSON list of hits")
    p.add_argument("--batch", metavar="FILE",
                   help="one query a line (- for stdin); prints one JSON list a line")


def _show_hits(query: str, hits: list[Hit]) -> None:
    print(f"» {query}")
    for hit in hits:
        c = hit.chunk
        title = f" — {c.title}" if c.title else ""
        where = f", {c.location.label()}" if c.location.label() else ""
        print(f"[{hit.rank}] {c.source}{title}  (chars {c.start}-{c.end}{where}, "
              f"score {hit.score:.4f})")
        print(f"    {c.text.replace(chr(10), ' ')}")
    if not hits:
        print("(no passages: the index is empty)")


def cmd_search(args: argparse.Namespace) -> int:
    interactive = args.batch is None and not args.query
    if interactive and not sys.stdin.isatty():
        raise ValueError("give a query, or --batch FILE (one query a line, - for stdin)")
    kb = KnowledgeBase.open(args.index, model=args.model, progress=not args.quiet,
                            store=args.store)
    note_partial_index(kb.index)
    retriever = kb.retriever(mode=args.mode)
    if interactive:
        return _search_prompt(retriever, args.k)
    if args.batch is not None:
        for query in read_lines(args.batch):
            try:
                hits = [h.to_dict() for h in retriever.search(query, k=args.k)]
            except ValueError as err:
                hits = {"error": str(err)}  # one bad line never stops a batch
            print_json(hits)
        return 0
    hits = retriever.search(args.query, k=args.k)
    if args.json:
        print_json([h.to_dict() for h in hits])
    else:
        _show_hits(args.query, hits)
    return 0


def _search_prompt(retriever: HybridRetriever, k: int) -> int:
    """A minimal read-search-print loop until the chat UI lands; Ctrl-D ends it."""
    print(f"wenda: {len(retriever.index.documents)} documents, {len(retriever.index.chunks)} "
          "chunks. Type a question (Ctrl-D to quit).")
    while True:
        try:
            query = input("问> ")
        except EOFError:
            print()
            return 0
        try:
            _show_hits(query, retriever.search(query, k=k))
        except ValueError as err:
            print(f"wenda: {err}")
