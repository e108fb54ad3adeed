"""Every question the README shows is asked with the default settings and must be answered
right: the gold answer of each is fixed here, and a question added to the README without
one fails ``test_every_readme_question_has_a_gold_answer``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag import KnowledgeBase
from rag.ingest import normalize

README = Path(__file__).resolve().parents[1] / "README.md"

# question → what a right answer contains (Simplified), over the seeds
GOLD = {
    "Sora 能生成多长的视频？": "60秒",
    "上海人工智能行业协会秘书长是谁？": "钟俊浩",
    "欧洲议会定于哪一天就欧盟人工智能法案进行投票?": "3月13日",
    "梅洛尼說了什麼？": "人工智能",
    "高盛報告如何引發AI股票拋售？": "流量",
}
# asked of the index built in the README's own example (examples/build_index.py)
OWN_DOCUMENTS = {"测试工作由谁负责？": "李工"}
FOLLOW_UPS = {"他后来又说了什么？"}  # shown as a follow-up: the chat's tests ask it


def readme_questions() -> set[str]:
    return set(re.findall(r"\"([^\"\n]*[？?])\"", README.read_text(encoding="utf-8")))


def test_every_readme_question_has_a_gold_answer() -> None:
    assert readme_questions() == set(GOLD) | set(OWN_DOCUMENTS) | FOLLOW_UPS


@pytest.mark.parametrize("question", sorted(GOLD))
def test_a_readme_question_is_answered_right(seeds_kb: KnowledgeBase, question: str) -> None:
    result = seeds_kb.ask(question)
    assert not result["refused"]
    assert GOLD[question] in normalize(result["answer"]).replace(" ", "")
    for c in result["citations"]:
        assert c["quote"] == seeds_kb.index.document(c["doc_id"]).text[c["start"] : c["end"]]


def test_the_readme_question_about_your_own_documents(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "meeting.md").write_text("# 评审会议\n\n下次评审定于五月十二日，由王工主持。\n",
                                     encoding="utf-8")
    (docs / "plan.txt").write_text("测试工作由李工负责，六月底前完成。\n", encoding="utf-8")
    kb, _ = KnowledgeBase.build(docs, tmp_path / "index", progress=False)
    [(question, answer)] = OWN_DOCUMENTS.items()
    result = kb.ask(question)
    assert not result["refused"] and answer in result["answer"]


@pytest.mark.slow
@pytest.mark.parametrize("question", sorted(GOLD))
def test_a_readme_question_is_answered_right_by_the_chats_llm(seeds_kb: KnowledgeBase,
                                                              question: str) -> None:
    result = seeds_kb.ask(question, answerer="llm")
    assert not result["refused"]
    assert GOLD[question] in normalize(result["answer"]).replace(" ", "")
