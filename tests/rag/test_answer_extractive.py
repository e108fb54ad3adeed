"""The extractive answerer and the answer chain on the real seeds index: right answers,
exact quotes, refusals, the question's script, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.runnables import Runnable

from rag.answering import REFUSALS, AnswerChain
from rag.index.store import CorpusIndex
from rag.ingest.normalize import detect_script, normalize
from rag.knowledge_base import KnowledgeBase

CASES = [  # (question, a gold answer, script of the reply)
    ("按欧盟人工智能法案,工作场所“情绪识别”等被禁用途面临的最高罚款,按全球收入计是多少比例?", "7%",
     "zh-Hans"),
    ("Sora團隊是在哪一類節目中接受採訪,表示Sora在「可預見的未來」不會發布?", "播客", "zh-Hant"),
    ("欧洲议会定于哪一天就欧盟人工智能法案进行投票?", "3月13日", "zh-Hans"),
    ("高盛認為許多「搭便車」的公司直到哪一年智能手機和應用程序出現後才浮出水面?", "2006",
     "zh-Hant"),
]


def assert_exact_citations(kb: KnowledgeBase, result: dict) -> None:
    assert result["citations"]
    given = {p["n"] for p in result["passages"]}
    for c in result["citations"]:
        assert c["n"] in given and f"[{c['n']}]" in result["answer"]
        assert c["quote"] == kb.index.document(c["doc_id"]).text[c["start"] : c["end"]]


@pytest.mark.parametrize(("question", "gold", "script"), CASES)
def test_answers_quote_the_original_in_the_questions_script(
    seeds_kb: KnowledgeBase, question: str, gold: str, script: str
) -> None:
    result = seeds_kb.ask(question)
    assert not result["refused"] and result["answerer"] == "extractive"
    assert gold in normalize(result["answer"])
    assert detect_script(result["answer"]) == script
    assert_exact_citations(seeds_kb, result)
    assert any(gold in normalize(c["quote"]) for c in result["citations"])
    assert set(result["timings"]) == {"retrieve_ms", "first_token_ms", "total_ms"}


@pytest.mark.parametrize(("question", "script"), [
    ("工业富联3月13日的收盘价是多少元?", "zh-Hans"),  # the passage gives a % change, not a price
    ("OpenAI目前有多少名員工?", "zh-Hant"),
    ("What is the capital of Peru?", "en"),
])
def test_refuses_when_the_passages_do_not_hold_the_answer(
    seeds_kb: KnowledgeBase, question: str, script: str
) -> None:
    result = seeds_kb.ask(question)
    assert result["refused"] and result["citations"] == []
    assert result["answer"] == REFUSALS[script]


def test_the_chain_is_a_runnable(seeds_kb: KnowledgeBase) -> None:
    chain = AnswerChain.of(seeds_kb.retriever(k=3))
    assert isinstance(chain, Runnable)
    question = CASES[0][0]
    result = chain.invoke({"question": question})
    events = list(chain.stream(question))
    assert events[-1]["answer"] == result["answer"]
    assert "".join(e["delta"] for e in events[:-1]).replace("[1]", "")[:8] == \
        result["answer"][:8]
    batch = chain.batch([question, CASES[2][0]])
    assert [b["answer"] for b in batch][0] == result["answer"] and len(batch) == 2


def test_the_passages_are_what_the_answer_quotes_from(seeds_kb: KnowledgeBase) -> None:
    chain = AnswerChain.of(seeds_kb.retriever(k=5))
    question = CASES[2][0]
    terms, passages = chain.passages(question)
    assert [p.n for p in passages] == [1, 2, 3, 4, 5] and "投票" in terms.weights
    starts = {(p.doc_id, s.start) for p in passages for s in p.sentences}
    ends = {(p.doc_id, s.end) for p in passages for s in p.sentences}
    result = chain.invoke(question)
    assert result["citations"]
    for c in result["citations"]:  # whole sentences of the passages
        assert (c["doc_id"], c["start"]) in starts and (c["doc_id"], c["end"]) in ends


def test_bad_questions(seeds_kb: KnowledgeBase) -> None:
    with pytest.raises(ValueError, match="empty query"):
        seeds_kb.ask("  ")
    with pytest.raises(ValueError, match="unknown answerer"):
        seeds_kb.ask("Sora", answerer="oracle")
    with pytest.warns(UserWarning, match="first 1000"):
        result = seeds_kb.ask("Sora指数涨幅是多少?" * 1000)
    assert isinstance(result["answer"], str)
    result = seeds_kb.ask("Какова цена Sora?")  # Russian: answered in English, or refused
    assert result["refused"] and result["answer"] == REFUSALS["en"]


def test_an_empty_index_refuses(tmp_path: Path, seeds_kb: KnowledgeBase) -> None:
    kb = KnowledgeBase(CorpusIndex.empty(tmp_path / "empty", "x", 768), seeds_kb.embedder)
    assert kb.ask("Sora是什么?")["refused"]


def test_the_pipeline_declares_its_stages_and_returns_a_typed_answer(
        seeds_kb: KnowledgeBase) -> None:
    import json

    from rag import Answer, Citation, SourceSpan
    from rag.answering import STAGES, AnswerPipeline

    pipeline = AnswerPipeline.of(seeds_kb.retriever(k=3))
    assert pipeline.stages == STAGES == ("retrieve", "select", "generate", "ground", "decide")
    answer = pipeline.invoke("上海人工智能行业协会秘书长是谁？")
    assert isinstance(answer, Answer) and not answer.refused
    assert all(isinstance(c, Citation) and isinstance(c, SourceSpan) for c in answer.citations)
    assert 0.0 <= answer.confidence <= 1.0 and answer.features
    assert json.loads(json.dumps(answer.to_dict()))["citations"][0]["n"] == 1
