"""Fit the answer pipeline's settings on the gold sets' *tune* splits (all corpora together)
and write them to ``rag/answering/tuned.json``; the data and the fit go to
``bench/results/answer_tune.json``. Test splits are never read here.

    python bench/answer_tune.py                       # extractive and the default LLM
    python bench/answer_tune.py --llm-limit 0         # extractive only

1. ``meaning_weight`` (how much similarity of meaning ranks sentences): the value of the
   grid whose extractive candidates are most often right, every candidate accepted.
2. The decision models: every candidate answer is kept with the features the decision
   reads (``rag.answering.decision``) and whether it was right; a logistic model is fitted
   per answerer on the pooled suites, then thresholds are chosen to make the most
   questions come out well (a right answer, or a refused unanswerable question). The LLM
   chain's fallback quote uses the extractive model with its own threshold, chosen with the
   LLM's, on what the LLM left unanswered.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from eval.corpus import index_cache
from eval.gold import sample
from eval.runner import run_eval
from eval.suites import SUITES, suite_items, suite_kb
from rag.answering.config import FEATURES, TUNED, AnswerConfig, DecisionConfig, DecisionModel
from rag.answering.decision import calibrate, fit, probability
from rag.answering.llm import DEFAULT_GENERATOR

RESULTS = Path(__file__).resolve().parent / "results"
ACCEPT_ALL = DecisionModel(threshold=0.0)


def accepting(config: AnswerConfig) -> AnswerConfig:
    """The configuration with every grounded candidate standing: what the decision is fitted on."""
    return replace(config, decision=DecisionConfig(ACCEPT_ALL, ACCEPT_ALL, ACCEPT_ALL))


def candidates(kbs: dict, items: dict, answerer: str, config: AnswerConfig,
               options: dict[str, Any], rows_cache: Path) -> list[dict[str, Any]]:
    """Every tune question's candidate answer (or none), with its features and score.

    Each suite's rows are kept in ``rows_cache`` under a key of everything they depend on,
    so a fit that adds a suite or changes only the decision re-runs no answerer."""
    rows = []
    for suite, suite_items_ in items.items():
        key = hashlib.sha256(json.dumps(
            [suite, answerer, accepting(config).to_dict(), options,
             [i.id for i in suite_items_], str(kbs[suite].index.path), FEATURES],
            sort_keys=True).encode()).hexdigest()[:16]
        cached = rows_cache / f"{suite}-{answerer}-{key}.json"
        if cached.is_file():
            rows += json.loads(cached.read_text(encoding="utf-8"))
            continue
        run = run_eval(kbs[suite], suite_items_, answerer=answerer,
                       answer_options={"config": accepting(config), **options})
        found = [{"suite": suite, "id": r.id, "answerable": r.answerable,
                  "candidate": not r.refused and r.error is None, "by": r.answerer,
                  "right": bool(r.correct), "features": r.features, "error": r.error}
                 for r in run.records]
        rows_cache.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(found, ensure_ascii=False), encoding="utf-8")
        rows += found
    return rows


def add_rows_options(parser: argparse.ArgumentParser, suites: list[str]) -> None:
    """The options of a bench that reads the tune rows (``tune_rows``)."""
    parser.add_argument("--suites", nargs="+", choices=SUITES, default=suites)
    parser.add_argument("--limit", type=int, default=100, help="tune questions per suite")
    parser.add_argument("--rows-cache", type=Path, default=index_cache() / "answer-tune-rows")


def tune_rows(args: argparse.Namespace, answerer: str, config: AnswerConfig
              ) -> list[dict[str, Any]]:
    """``candidates`` of ``answerer`` on the tune splits of ``args.suites``."""
    kbs = {s: suite_kb(s) for s in args.suites}
    items = {s: suite_items(s, "tune", args.limit) for s in args.suites}
    return candidates(kbs, items, answerer, config, {}, args.rows_cache)


def outcome(rows: list[dict[str, Any]]) -> float:
    """Share of questions that come out well when each row's ``stands`` is decided."""
    good = [(r["stands"] and r["right"]) or (not r["stands"] and not r["answerable"])
            for r in rows]
    return sum(good) / len(good)


def fit_extractive(rows: list[dict[str, Any]]) -> DecisionModel:
    made = [r for r in rows if r["candidate"]]
    model = fit([r["features"] for r in made], [r["right"] for r in made])
    return calibrate(model, [r["features"] for r in made], [r["right"] for r in made],
                     [r["answerable"] for r in made])


def fit_llm(rows: list[dict[str, Any]], quotes: dict[str, dict[str, Any]],
            quoted: DecisionModel) -> tuple[DecisionModel, DecisionModel]:
    """The LLM's model, and the thresholds of it and of the fallback quote, chosen
    together: a question whose LLM answer does not stand gets the quote if that stands."""
    written = [r for r in rows if r["candidate"] and r["by"] == "llm"]
    model = fit([r["features"] for r in written], [r["right"] for r in written])
    p_llm = {r["id"]: probability(model, r["features"]) for r in written}
    p_quote = {i: probability(quoted, q["features"]) for i, q in quotes.items() if q["candidate"]}
    grid = sorted({0.5, *(round(p, 3) for p in [*p_llm.values(), *p_quote.values()])})
    best, best_good = (0.5, 0.5), -1.0
    for t_llm, t_quote in itertools.product(grid, grid):
        good = 0
        for r in rows:
            if r["id"] in p_llm and p_llm[r["id"]] >= t_llm:
                good += r["right"]
            elif r["id"] in p_quote and p_quote[r["id"]] >= t_quote:
                good += quotes[r["id"]]["right"]
            else:
                good += not r["answerable"]
        if good > best_good:
            best, best_good = (t_llm, t_quote), good
    return (replace(model, threshold=best[0]), replace(quoted, threshold=best[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suites", nargs="+", choices=SUITES, default=list(SUITES))
    parser.add_argument("--limit", type=int, default=100,
                        help="tune questions per suite for the extractive answerer")
    parser.add_argument("--llm-limit", type=int, default=30,
                        help="tune questions per suite for the LLM (0: no LLM)")
    parser.add_argument("--llm-suites", nargs="+", choices=SUITES,
                        help="suites the LLM answers (default: all of --suites)")
    parser.add_argument("--model", default=DEFAULT_GENERATOR)
    parser.add_argument("--grid", type=float, nargs="+", default=[0.0, 0.3, 0.6],
                        help="meaning_weight values tried")
    parser.add_argument("--cache", type=Path, help="index cache folder")
    parser.add_argument("--bm25-only", nargs="*", choices=SUITES, default=[],
                        help="suites searched by BM25 alone, over an index without vectors "
                             "(for a corpus not embedded yet; recorded in the results)")
    parser.add_argument("--rows-cache", type=Path, default=index_cache() / "answer-tune-rows",
                        help="folder keeping each suite's candidate answers between runs")
    args = parser.parse_args()

    kbs = {s: suite_kb(s, cache_dir=args.cache, dense=s not in args.bm25_only)
           for s in args.suites}
    items = {s: suite_items(s, "tune", args.limit) for s in args.suites}
    base = AnswerConfig()
    grid = {}
    for weight in args.grid:
        config = replace(base, selection=replace(base.selection, meaning_weight=weight))
        rows = candidates(kbs, items, "extractive", config, {}, args.rows_cache)
        answerable = [r for r in rows if r["answerable"]]
        right = sum(r["right"] for r in answerable) / len(answerable)
        grid[weight] = {"rows": rows, "right": right}
        print(f"meaning_weight {weight}: candidates right {grid[weight]['right']:.3f}")
    weight = max(grid, key=lambda w: (grid[w]["right"], -w))
    config = replace(base, selection=replace(base.selection, meaning_weight=weight))
    extractive_rows = grid[weight]["rows"]
    extractive = fit_extractive(extractive_rows)
    for r in extractive_rows:
        r["stands"] = (r["candidate"]
                       and probability(extractive, r["features"]) >= extractive.threshold)
    report: dict[str, Any] = {
        "suites": args.suites, "bm25_only": args.bm25_only, "split": "tune",
        "questions": {s: [i.id for i in v] for s, v in items.items()},
        "grid": {str(w): g["right"] for w, g in grid.items()}, "meaning_weight": weight,
        "extractive": {"model": extractive.__dict__, "outcome": outcome(extractive_rows),
                       "rows": extractive_rows},
    }
    llm, quoted = base.decision.llm, replace(extractive, threshold=base.decision.quoted.threshold)
    if args.llm_limit:
        # a subset of the extractive sample: every LLM question has its fallback quote
        llm_items = {s: sample(items[s], args.llm_limit)
                     for s in args.llm_suites or args.suites}
        rows = candidates(kbs, llm_items, "llm", config, {"model": args.model},
                          args.rows_cache)
        quotes = {r["id"]: r for r in extractive_rows}
        llm, quoted = fit_llm(rows, quotes, extractive)
        report["llm"] = {"model_name": args.model, "model": llm.__dict__,
                         "quoted": quoted.__dict__, "rows": rows,
                         "questions": {s: [i.id for i in v] for s, v in llm_items.items()}}
    config = replace(config, decision=DecisionConfig(extractive, llm, quoted))
    report["config"] = config.to_dict()
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "answer_tune.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1))
    provenance = "bench/results/answer_tune.json (bench/answer_tune.py on the tune splits)"
    TUNED.write_text(json.dumps({"provenance": provenance, "config": config.to_dict()},
                                ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {out} and {TUNED}")
    print(json.dumps(config.to_dict()["decision"], indent=1))


if __name__ == "__main__":
    main()
