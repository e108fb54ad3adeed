"""What a question's terms are, over the real seeds index."""

from __future__ import annotations

from rag.answering.terms import QueryTerms, known_names
from rag.ingest.normalize import normalize
from rag.knowledge_base import KnowledgeBase


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


def test_a_dotted_name_matches_the_parts_the_question_is_split_into(
        seeds_kb: KnowledgeBase) -> None:
    terms = QueryTerms.of("为什么“chat.openai.com”的流量自然会下降?", seeds_kb.index.bm25)
    answering = normalize("域名這麼一改,「chat.openai.com」的流量自然就會下降了。")
    assert terms.coverage(answering) == 1.0


def test_the_words_asking_for_a_date_need_not_be_in_the_sentence_that_gives_it(
        seeds_kb: KnowledgeBase) -> None:
    terms = QueryTerms.of("两篇报道都提到了OpenAI推出Sora的日期,是哪一天?", seeds_kb.index.bm25)
    assert terms.relevance(normalize("此前2月16日,OpenAI推出新的AI大模型Sora。")) == 1.0


def test_a_translation_keeps_the_shape_its_english_question_asks_for(
        seeds_kb: KnowledgeBase) -> None:
    asked = ("Three of the articles state the maximum length of video Sora can generate. "
             "How long is it?")
    terms = QueryTerms.of("三篇文章都提到Sora视频的最大长度?", seeds_kb.index.bm25, asked=asked)
    assert terms.has_shape(normalize("生成長達60 秒的高清視頻"))
    assert not terms.has_shape(normalize("十餘家A股公司"))
    conjunction = ("According to Hu Quan, Chinese AI video was still struggling with coherence "
                   "at what length when OpenAI could already make 60-second videos?")
    assert QueryTerms.of(conjunction, seeds_kb.index.bm25).shape is None


def test_a_lone_character_term_counts_only_as_a_word_of_its_own() -> None:
    terms = QueryTerms({"车": 1.0, "价格": 1.0})
    assert terms.coverage(normalize("火车站的票价格上涨。")) == 0.5  # "车" inside "火车站"
    assert terms.coverage(normalize("他买了车，价格不高。")) == 1.0
