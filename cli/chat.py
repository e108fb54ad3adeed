"""``wenda chat``: the chat window (a local web page) over an index."""

from __future__ import annotations

import argparse

from cli.common import add_embedder_option, add_index_option, command


def register(subparsers: argparse._SubParsersAction) -> None:
    p = command(subparsers, "chat", cmd_chat,
                "open the chat window (a local web page) over an index")
    add_index_option(p)
    add_embedder_option(p)
    p.add_argument("--host", default="127.0.0.1",
                   help="address to serve on (default %(default)s: this machine only)")
    p.add_argument("--port", type=int, default=7860, help="port (default %(default)s)")
    p.add_argument("--answerer", default="llm", metavar="NAME|URL",
                   help="extractive (instant, quotes only), llm (local Qwen2.5 GGUF), or the "
                   "URL of an OpenAI-compatible server (default %(default)s; changeable in "
                   "the page's settings)")


def cmd_chat(args: argparse.Namespace) -> int:
    from ui import serve  # gradio takes seconds to import: only for this command

    return serve(index=args.index, model=args.model, host=args.host, port=args.port,
                 answerer=args.answerer, quiet=args.quiet, store=args.store)
