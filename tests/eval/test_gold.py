"""Reading gold files and placing their evidence in the real seeds index."""

from __future__ import annotations

import json
from pathlib import Path

from eval.gold import SEEDS_GOLD, EvidenceRef, EvidenceResolver, GoldItem, load_gold, sample
from eval.metrics import Span
from rag.knowledge_base import KnowledgeBase

DOC = "000_a3d2e3e7c9ddcafe.txt"


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def row(**fields) -> str:
    base = {"id": "q", "question": "问?", "answer": "答", "aliases": [], "doc": DOC,
            "evidence": "证据", "type": "factoid", "lang": "zh-Hans"}
    return json.dumps(base | fields, ensure_ascii=False)


def test_seeds_gold_loads_without_problems():
    items, problems = load_gold(SEEDS_GOLD)
    assert problems == []
    assert len(items) == 120
    assert sum(not i.answerable for i in items) == 13
    multi = next(i for i in items if i.type == "multi_doc")
    assert len(multi.evidence) == len(multi.docs) >= 2


def test_malformed_lines_are_reported_and_skipped(tmp_path):
    path = write_lines(tmp_path / "gold.jsonl", [
        row(id="ok", extra_field="ignored"),
        "{not json",
        "[1, 2]",
        row(id="ok"),  # duplicate id
        row(id="noq", question="  "),
        row(id="half", answer="", doc=None, evidence="x"),
        row(id="bad", doc=["a.txt", "b.txt"], evidence=["only one"]),
        row(id="unans", answer="", doc=None, evidence=None, aliases=[]),
        "",
        row(id="ali", aliases="not a list"),
        row(id="noanswer", answer=None),
    ])
    items, problems = load_gold(path)
    assert [i.id for i in items] == ["ok", "unans"]
    assert not items[1].answerable and items[1].evidence == ()
    assert [p.split(":")[0] for p in problems] == [
        "line 2", "line 3", "line 4", "line 5", "line 6", "line 7", "line 10", "line 11"]
    assert "not valid JSON" in problems[0] and "duplicate id" in problems[2]
    assert "one evidence string per doc" in problems[5]


def test_defaults_for_missing_type_and_lang(tmp_path):
    line = json.dumps({"id": 7, "question": "Who said it?", "answer": "Tim", "doc": DOC,
                       "evidence": "x"})
    (item,), _ = load_gold(write_lines(tmp_path / "g.jsonl", [line]))
    assert (item.id, item.type, item.lang) == ("7", "factoid", "en")


def test_sample_is_reproducible_and_keeps_order():
    items = [GoldItem(str(i), "q", "a") for i in range(50)]
    picked = sample(items, 10, seed=3)
    assert picked == sample(items, 10, seed=3) != sample(items, 10, seed=4)
    assert [int(i.id) for i in picked] == sorted(int(i.id) for i in picked)
    assert sample(items, None) == items and sample(items, 99) == items


def test_every_seeds_evidence_is_found_verbatim(seeds_kb: KnowledgeBase):
    resolve = EvidenceResolver(seeds_kb.index)
    for item in load_gold(SEEDS_GOLD)[0]:
        groups, why = resolve(item)
        assert why is None, item.id
        assert len(groups) == len(item.evidence)
        for ref, group in zip(item.evidence, groups):
            text = seeds_kb.index.document(group[0].doc_id).text
            assert all(text[s.start : s.end] == ref.text for s in group)


def test_resolver_fallbacks(seeds_kb: KnowledgeBase):
    resolve = EvidenceResolver(seeds_kb.index)
    text = seeds_kb.index.document(DOC).text
    # written in the other script: found in normalized text, spans still point at the original
    (span,) = resolve.find(EvidenceRef(DOC, "截至收盤,Sora指數漲幅為3.01%。"))
    assert text[span.start : span.end] == "截至收盘,Sora指数涨幅为3.01%。"
    # a wrong offset falls back to searching; a doc without evidence is the whole document
    assert resolve.find(EvidenceRef(DOC, "Sora指数涨幅为3.01%", start=0)) != ()
    assert resolve.find(EvidenceRef(DOC)) == (Span(DOC, 0, len(text)),)
    groups, why = resolve(GoldItem("x", "q", "a", evidence=(EvidenceRef("nope.txt", "x"),)))
    assert groups == [] and "not found in the index" in why
