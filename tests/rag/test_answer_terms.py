"""What a question's terms are, over the real seeds index."""

from __future__ import annotations

from rag.answering.terms import known_names
from rag.knowledge_base import KnowledgeBase


def test_known_names_are_the_capitalised_words_and_numbers_the_corpus_uses(
        seeds_kb: KnowledgeBase) -> None:
    bm25 = seeds_kb.index.bm25
    question = ("In which country did the AI-driven start-up KoBold Metals discover a "
                "copper deposit in 2023, says Xyzzyq?")
    assert known_names(question, bm25) == ["ai", "kobold", "metals", "2023"]
    assert known_names("what is it about?", bm25) == []
