"""What a question's terms are, over the real seeds index."""

from __future__ import annotations

from rag.answering.terms import QueryTerms, known_names
from rag.knowledge_base import KnowledgeBase
from rag.normalize import normalize


def test_known_names_are_the_capitalised_words_and_numbers_the_corpus_uses(
        seeds_kb: KnowledgeBase) -> None:
    bm25 = seeds_kb.index.bm25
    question = ("In which country did the AI-driven start-up KoBold Metals discover a "
                "copper deposit in 2023, says Xyzzyq?")
    assert known_names(question, bm25) == ["ai", "kobold", "metals", "2023"]
    assert known_names("what is it about?", bm25) == []


def test_a_question_of_how_long_needs_a_sentence_stating_a_duration(
        seeds_kb: KnowledgeBase) -> None:
    terms = QueryTerms.of("文心一言用了多長時間生成那篇關於靈活就業群體勞動權益的文章?",
                          seeds_kb.index.bm25)
    stating = normalize("本文由“文心一言(文心大數據模型3.5)”在十五秒內生成后,由編輯校對加工而成。")
    assert terms.relevance(stating) > 0
    assert terms.relevance(normalize("保護靈活就業群體的勞動權益,是當下社會發展的重要議題。")) == 0
