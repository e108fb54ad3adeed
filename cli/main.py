"""The ``wenda`` command: each front end's subcommands, registered on one parser.

Every failure a user can act on ends in one line on stderr (``wenda: error: ...``) and a
non-zero exit code; nothing is written to an index unless the whole ingest succeeded.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings

from cli import ask, chat, evaluate, ingest, models, search, serve
from embeddings import ClusterError, ModelStoreError
from rag import CorpusIndexError

SUBCOMMANDS = (models, ingest, search, ask, chat, evaluate, serve)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wenda",
        description="Offline retrieval-augmented Q&A over Chinese documents. Models and "
        "indexes live under $WENDA_HOME (default ~/.cache/wenda).",
    )
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="also show third-party progress bars, warnings and tracebacks")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.verbose:
        return args.func(args)
    _quiet_third_parties()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # third-party chatter; our own warnings are printed
        warnings.showwarning = _one_line_warning
        warnings.filterwarnings("always", module=r"(rag|embeddings|eval|ui|api|cli)\.")
        try:
            return args.func(args)
        except (ModelStoreError, CorpusIndexError, ClusterError, FileNotFoundError,
                ValueError) as err:
            print(f"wenda: error: {err}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print("wenda: interrupted; nothing was written", file=sys.stderr)
            return 130


def _quiet_third_parties() -> None:
    """Our own progress bars say what wenda does; the libraries' ("Loading weights")
    only add noise. Read when those libraries are first imported, so set before."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    print(f"wenda: warning: {message}", file=sys.stderr)
