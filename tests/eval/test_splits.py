"""The fixed tune/test splits and the news gold set, checked on the real files.

The news and SQuAD checks read the third-party datasets (``shared/datasets`` beside the
checkout or a folder above it, or ``$WENDA_DATASETS``); on a machine without them they are
skipped and say where they looked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eval.gold import load_gold
from eval.news import NEWS_ARCHIVE, NEWS_FILE, NEWS_GOLD, SLICE_IDS, news_corpus, slice_ids
from eval.splits import (
    GOLD_DIR,
    GOLD_SIDES,
    SEEDS_TUNE_DOCS,
    seeds_side,
    side,
    split_of,
    with_splits,
)
from eval.squad import load_squad

DATASETS = NEWS_ARCHIVE.parent
SQUAD_FILES = ("cmrc2018_trial.json", "DRCD_dev.json")


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def _docs(row: dict[str, Any]) -> list[str]:
    doc = row["doc"]
    return [] if doc is None else [doc] if isinstance(doc, str) else doc


def _require(path: Path) -> Path:
    if not path.exists():  # third-party data beside the checkout, not part of the repository
        pytest.skip(f"{path} not found: these tests need the shared datasets; "
                    "set WENDA_DATASETS to their folder")
    return path


# -- the rules, on synthetic keys ---------------------------------------------------------
def test_side_is_a_fixed_function_of_the_key() -> None:
    keys = [f"doc-{n}" for n in range(400)]
    sides = [side(k) for k in keys]
    assert sides == [side(k) for k in keys]
    assert set(sides) == {"tune", "test"}
    assert 0.4 < sides.count("tune") / len(sides) < 0.6


def test_a_question_goes_with_its_documents() -> None:
    tune = [k for k in (f"d{n}" for n in range(50)) if side(k) == "tune"]
    test = [k for k in (f"d{n}" for n in range(50)) if side(k) == "test"]
    assert split_of("q1", [tune[0]]) == "tune"
    assert split_of("q2", [test[0], test[1]]) == "test"
    assert split_of("q3", [tune[0], test[0]]) is None  # straddles: in neither split
    assert split_of("q4", []) == side("q4")  # no document: its own id decides


# -- the JSON Lines gold sets ----------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(GOLD_SIDES))
def test_committed_splits_follow_the_rules(name: str) -> None:
    rows = _rows(GOLD_DIR / name)
    assert [r["split"] for r in rows] == [r["split"] for r in with_splits(rows, GOLD_SIDES[name])]


@pytest.mark.parametrize("name", sorted(GOLD_SIDES))
def test_no_document_on_both_sides(name: str) -> None:
    items, problems = load_gold(GOLD_DIR / name)
    assert not problems
    docs = {s: {d for i in items if i.split == s for d in i.docs} for s in ("tune", "test")}
    assert docs["tune"] and docs["test"]
    assert not docs["tune"] & docs["test"]
    split = [i for i in items if i.split]
    assert 0.35 < sum(i.split == "tune" for i in split) / len(split) < 0.65
    for kind in ("unanswerable", "multi_doc"):
        assert {i.split for i in split if i.type == kind} == {"tune", "test"}


def test_seeds_split_by_hand_leaves_out_only_straddling_questions() -> None:
    items, _ = load_gold(GOLD_DIR / "seeds.jsonl")
    assert {d for i in items for d in i.docs} >= SEEDS_TUNE_DOCS
    left_out = [i for i in items if i.split is None]
    assert len(left_out) <= 4
    assert all(len({seeds_side(d) for d in i.docs}) == 2 for i in left_out)


# -- CMRC 2018 and DRCD -------------------------------------------------------------------
@pytest.mark.parametrize("name", SQUAD_FILES)
def test_squad_sets_split_by_article(name: str) -> None:
    path = _require(DATASETS / name)
    items = load_squad(path)
    article = {p["context"]: a["title"] for a in json.loads(path.read_text("utf-8"))["data"]
               for p in a["paragraphs"]}
    assert len(article) > 100
    sides: dict[str, set[str | None]] = {}
    for item in items:
        sides.setdefault(item.evidence[0].doc, set()).add(item.split)
    assert all(len(s) == 1 for s in sides.values())
    assert 0.35 < sum(i.split == "tune" for i in items) / len(items) < 0.65


# -- the news gold set over its slice ----------------------------------------------------------
def test_news_gold_set_has_the_required_shape() -> None:
    rows = _rows(NEWS_GOLD)
    items, problems = load_gold(NEWS_GOLD)
    assert not problems and len(items) == len(rows) >= 150
    articles = {d for r in rows for d in _docs(r)}
    assert len(articles) >= 60
    assert sum(not i.answerable for i in items) / len(items) >= 0.15
    assert sum(len(i.docs) == 2 for i in items) / len(items) >= 0.10
    assert all(not any(g in i.question for g in i.answers) for i in items)
    ids = set(SLICE_IDS.read_text(encoding="utf-8").split())
    assert all(d.startswith(f"{NEWS_FILE}#") and d.split("#", 1)[1] in ids for d in articles)


@pytest.fixture(scope="module")
def news_slice(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = news_corpus(2000, _require(NEWS_ARCHIVE), home=tmp_path_factory.mktemp("home"))
    return {f"{NEWS_FILE}#{r['id']}": r["text"] for r in _rows(folder / NEWS_FILE)}


def test_the_slice_is_the_committed_ids(news_slice: dict[str, str]) -> None:
    ids = SLICE_IDS.read_text(encoding="utf-8").split()
    assert ids == slice_ids(2000)
    assert set(news_slice) == {f"{NEWS_FILE}#{i}" for i in ids}
    assert slice_ids(500) == ids[:500]  # nested: a smaller slice is a prefix


def test_news_evidence_is_verbatim_in_its_article(news_slice: dict[str, str]) -> None:
    for row in _rows(NEWS_GOLD):
        evidence = row["evidence"]
        texts = [] if evidence is None else [evidence] if isinstance(evidence, str) else evidence
        for doc, text in zip(_docs(row), texts):
            assert text in news_slice[doc], (row["id"], text)


def test_unanswerable_news_questions_have_no_answer_in_the_slice(
    news_slice: dict[str, str],
) -> None:
    """Each unanswerable line lists the term groups that would answer it; no article holds
    every term of any group."""
    def found(group: list[str]) -> list[str]:
        return [d for d, t in news_slice.items() if all(term in t for term in group)]

    unanswerable = [r for r in _rows(NEWS_GOLD) if not r["answer"]]
    assert all(r.get("absent") for r in unanswerable)
    for row in unanswerable:
        for group in row["absent"]:
            assert not found(group), (row["id"], group, found(group)[:3])
