"""Sanity checks for the gold Q/A set over the five seed articles (eval/gold/seeds.jsonl).

Every answerable question must point at evidence that is a verbatim substring of the
original seed file (debris included), and the answer (or one of its aliases) must occur in
that evidence once both are folded: OpenCC Traditional->Simplified, NFKC width folding and
removal of all whitespace.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path

import opencc
import pytest

ROOT = Path(__file__).parents[2]
SEEDS = ROOT / "seeds"
GOLD = ROOT / "eval" / "gold" / "seeds.jsonl"

FIELDS = ["id", "question", "answer", "aliases", "doc", "evidence", "type", "lang", "split"]
TYPES = {"factoid", "numeric", "date", "entity", "why", "multi_doc", "unanswerable", "debris"}
LANGS = {"zh-Hans", "zh-Hant", "en"}
MIN_QUESTIONS = 60
MIN_UNANSWERABLE = 8

_T2S = opencc.OpenCC("t2s")
_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Traditional->Simplified, full/half-width folding, no whitespace."""
    return _SPACE.sub("", _T2S.convert(unicodedata.normalize("NFKC", text)))


@cache
def seed_text(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


def seed_files() -> list[str]:
    return sorted(p.name for p in SEEDS.glob("*.txt"))


def load_rows() -> list[dict]:
    rows = []
    with GOLD.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:  # pragma: no cover - reported by the test
                pytest.fail(f"line {lineno} is not valid JSON: {exc}")
            assert isinstance(row, dict), f"line {lineno} is not a JSON object"
            rows.append(row)
    return rows


ROWS = load_rows() if GOLD.exists() else []


def as_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def test_gold_file_exists_and_is_utf8_jsonl():
    assert GOLD.exists(), f"missing {GOLD}"
    GOLD.read_bytes().decode("utf-8")
    assert ROWS, "gold file is empty"


def test_ids_unique():
    ids = [r.get("id") for r in ROWS]
    dupes = [i for i, n in Counter(ids).items() if n > 1]
    assert not dupes, f"duplicate ids: {dupes}"


@pytest.mark.parametrize("row", ROWS, ids=lambda r: str(r.get("id")))
def test_fields_and_types(row):
    assert list(row) == FIELDS, f"fields must be exactly {FIELDS}, got {list(row)}"
    assert isinstance(row["id"], str) and row["id"]
    assert isinstance(row["question"], str) and row["question"].strip()
    assert isinstance(row["answer"], str)
    assert isinstance(row["aliases"], list)
    assert all(isinstance(a, str) and a.strip() for a in row["aliases"])
    assert row["type"] in TYPES
    assert row["lang"] in LANGS

    doc, evidence = row["doc"], row["evidence"]
    if row["type"] == "unanswerable":
        assert row["answer"] == "" and row["aliases"] == []
        assert doc is None and evidence is None
        return

    assert row["answer"].strip(), "answerable question needs an answer"
    assert isinstance(doc, (str, list)) and isinstance(evidence, (str, list))
    if row["type"] == "multi_doc":
        assert isinstance(doc, list) and isinstance(evidence, list)
        assert len(doc) >= 2 and len(set(doc)) == len(doc), "multi_doc needs distinct docs"
        assert len(doc) == len(evidence), "one evidence string per doc"
    else:
        assert isinstance(doc, str) and isinstance(evidence, str)
    assert all(isinstance(d, str) for d in as_list(doc))
    assert all(isinstance(e, str) and e for e in as_list(evidence))


@pytest.mark.parametrize(
    "row", [r for r in ROWS if r.get("type") != "unanswerable"], ids=lambda r: str(r.get("id"))
)
def test_evidence_verbatim_and_contains_answer(row):
    docs, evidence = as_list(row["doc"]), as_list(row["evidence"])
    if len(evidence) == 1 and len(docs) > 1:  # pragma: no cover - caught by field test
        pytest.fail("multi-doc question needs one evidence string per doc")
    candidates = [fold(a) for a in [row["answer"], *row["aliases"]] if fold(a)]
    for name, ev in zip(docs, evidence):
        assert (SEEDS / name).is_file(), f"unknown seed file {name!r}"
        assert ev in seed_text(name), f"evidence is not verbatim in {name}: {ev!r}"
        folded = fold(ev)
        assert any(c in folded for c in candidates), (
            f"neither answer {row['answer']!r} nor aliases {row['aliases']} in evidence {ev!r}"
        )


def test_corpus_level_coverage():
    assert len(ROWS) >= MIN_QUESTIONS
    types = Counter(r["type"] for r in ROWS)
    assert types["unanswerable"] >= MIN_UNANSWERABLE
    assert {r["lang"] for r in ROWS} == LANGS

    covered = Counter()
    for r in ROWS:
        for name in as_list(r["doc"]):
            covered[name] += 1
    files = seed_files()
    assert len(files) == 5
    missing = [f for f in files if not covered[f]]
    assert not missing, f"articles without questions: {missing}"
