"""A fixed, nested slice of the ``crud_news_68k`` archive as a JSON Lines corpus.

The archive (68,798 lines ``{"id", "date", "text"}``) is too big to index for every run, and
questions over it must mean the same thing whatever slice they are asked on. So a slice of N
articles is the N articles whose ids have the smallest sha256 digests: the choice does not
depend on the file's order, and a larger slice holds every smaller one, so one gold set can
be asked over 2,000, 10,000 or all articles.

The file is always named ``news.jsonl`` (in a folder named after N), so an article's doc id,
``news.jsonl#<id>``, is the same in every slice. The archive has no titles and the corpus
invents none: a first sentence as title would only repeat the text, and whether a lead
sentence should be indexed twice is a retrieval setting, not a property of the data.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from embeddings import wenda_home


def _datasets() -> Path:
    """``$WENDA_DATASETS``, else the nearest ``shared/datasets`` beside the repository or a
    folder above it (a worktree or a CI clone sits deeper than the main checkout)."""
    if os.environ.get("WENDA_DATASETS"):
        return Path(os.environ["WENDA_DATASETS"])
    repo = Path(__file__).resolve().parents[1]
    found = (p / "shared" / "datasets" for p in repo.parents)
    return next((d for d in found if d.is_dir()), repo.parent / "shared" / "datasets")


DATASETS = _datasets()
NEWS_ARCHIVE = DATASETS / "crud_news_68k.jsonl.gz"
NEWS_FILE = "news.jsonl"
NEWS_GOLD = Path(__file__).resolve().parent / "gold" / "news.jsonl"
SLICE_IDS = Path(__file__).resolve().parent / "gold" / "news_slice_ids.txt"


def rank(article_id: str) -> str:
    """An article's place in every slice: the sha256 hex digest of its id."""
    return hashlib.sha256(article_id.encode("utf-8")).hexdigest()


def records(archive: Path = NEWS_ARCHIVE) -> Iterator[dict[str, Any]]:
    """The archive's records one at a time (the file is never held in memory)."""
    with gzip.open(archive, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def slice_ids(n: int, archive: Path = NEWS_ARCHIVE) -> list[str]:
    """The ids of the N-article slice, in slice order (smallest digest first)."""
    ids = [str(record["id"]) for record in records(archive)]
    if len(set(ids)) < len(ids):
        raise ValueError(f"{archive}: duplicate article ids; a slice would be ambiguous")
    if not 0 < n <= len(ids):
        raise ValueError(f"a slice holds 1 to {len(ids)} articles, not {n}")
    return sorted(ids, key=rank)[:n]


def news_corpus(n: int = 2000, archive: Path = NEWS_ARCHIVE, home: Path | None = None) -> Path:
    """The folder holding ``news.jsonl``, the N-article slice; written on first use only.

    Records keep the archive's order and become ``{"id", "title": "", "date", "text"}``.
    """
    folder = (home or wenda_home()) / "corpora" / f"news-{n}"
    target = folder / NEWS_FILE
    if target.exists():
        return folder
    wanted = set(slice_ids(n, archive))
    folder.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for record in records(archive):
            if str(record["id"]) in wanted:
                # ASCII escapes: the loader splits lines as str.splitlines does (U+2028 too)
                out.write(json.dumps({"id": str(record["id"]), "title": "",
                                      "date": record.get("date"), "text": record["text"]})
                          + "\n")
    os.replace(tmp, target)
    return folder
