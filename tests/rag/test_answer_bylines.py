"""Who wrote, edited or published an article is told by its byline, a line that shares no
words with the question: over the real seeds index, such a question gets the byline of the
article it describes as a passage, and the extractive answerer quotes it."""

from __future__ import annotations

import pytest

from rag.answering import AnswerChain
from rag.knowledge_base import KnowledgeBase


@pytest.mark.parametrize(("question", "byline"), [
    ("这篇采访上海人工智能行业协会秘书长、谈Sora的文章署名作者是谁?", "◎陳寧"),
    ("說Sora還不是一個產品的那篇報道,責任編輯是誰?", "责任编辑:刘万里"),
    ("這篇談Sora陷研究泥潭、高盛報告烏龍的文章,作者與來源是哪家媒體?", "本文作者:新智元"),
])
def test_a_question_asking_who_wrote_the_article_is_answered_from_its_byline(
        seeds_kb: KnowledgeBase, question: str, byline: str) -> None:
    result = AnswerChain.of(seeds_kb.retriever(k=5), "extractive").invoke(question)
    assert not result["refused"]
    first = result["citations"][0]
    assert first["quote"].startswith(byline)
    assert first["quote"] == seeds_kb.index.document(first["doc_id"]).text[
        first["start"] : first["end"]]


def test_a_question_that_only_mentions_a_reporter_gets_no_byline(
        seeds_kb: KnowledgeBase) -> None:
    chain = AnswerChain.of(seeds_kb.retriever(k=5), "extractive")
    question = "北京商報記者在鹹魚上用關鍵詞搜尋Sora文生視頻課程,共呈現了多少條相關內容?"
    terms, passages = chain.passages(question)
    assert terms.byline is None
    assert [p.n for p in passages] == [1, 2, 3, 4, 5]
    assert "59條" in chain.invoke(question)["answer"]
