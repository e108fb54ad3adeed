"""``wenda serve``: the HTTP API over an index, on this machine only unless told otherwise.

The port is taken before anything loads, so a busy port fails at once; the embedder (and
the LLM with ``--answerer llm``) load before the first request is accepted.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys

from cli.common import add_generator_option, add_index_option
from rag.answering import ANSWERERS, AnswerError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``serve`` subcommand to wenda's parser."""
    p = subparsers.add_parser(
        "serve", help="serve the HTTP API (search, answers, OpenAI-compatible chat)",
        description="Serve the HTTP API: /v1/search, /v1/ask, /v1/ask/stream, /v1/documents, "
        "/v1/health and OpenAI-compatible /v1/chat/completions; OpenAPI at /docs. With "
        "WENDA_API_KEY set, requests need 'Authorization: Bearer <key>'.")
    p.set_defaults(func=cmd_serve)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars or access log")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to serve on (default %(default)s: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default %(default)s)")
    add_index_option(p)
    p.add_argument("--answerer", choices=ANSWERERS, default="extractive",
                   help="default answerer; llm also lets clients choose extractive "
                   "(default %(default)s: no LLM is loaded)")
    add_generator_option(p)
    p.add_argument("--max-upload-mb", type=float, default=20,
                   help="largest request to /v1/documents in MB (default %(default)s; "
                   "other requests: 1 MB)")


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn  # here, not at the top: only `wenda serve` pays for the web stack

    from api.app import create_app
    from rag import KnowledgeBase
    from rag.serving import Service, ServiceError

    api_key = os.environ.get("WENDA_API_KEY") or None
    if not api_key and args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"wenda: warning: serving on {args.host} without WENDA_API_KEY: anyone who "
              "reaches this port can read and add documents", file=sys.stderr)
    with bind(args.host, args.port) as sock:
        try:
            kb = KnowledgeBase.open(args.index, progress=not args.quiet, store=args.store)
            service = Service.of(kb, args.answerer, args.model)
        except (AnswerError, ServiceError) as err:
            print(f"wenda: error: {err}", file=sys.stderr)
            return 2
        app = create_app(service, api_key=api_key,
                         max_upload_bytes=int(args.max_upload_mb * 2**20))
        print(f"wenda: {len(service.kb.index.documents)} documents at "
              f"http://{args.host}:{sock.getsockname()[1]}/v1 (API docs: /docs); Ctrl-C stops",
              file=sys.stderr)
        config = uvicorn.Config(app, log_level="warning" if args.quiet else "info")
        uvicorn.Server(config).run(sockets=[sock])
    return 0


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``; ValueError (one line) if it cannot be had."""
    try:
        sock = socket.create_server((host, port), family=_family(host))
    except OSError as err:
        raise ValueError(f"cannot serve on {host}:{port} ({err.strerror}); is another "
                         "server using it? Pass --port N") from None
    # Accepted connections inherit this. asyncio turns Nagle off only on sockets it made
    # itself; left on, each response waits ~40 ms for the client's delayed ACK.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET
