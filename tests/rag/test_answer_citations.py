"""Citations that hold: exact spans of the original text, markers repaired against the
excerpts really given, unsupported sentences flagged. No models needed."""

from __future__ import annotations

from rag.answering.citations import CrossLingual, ground, numbers
from rag.answering.evidence import Excerpt, Passage, sentences_of
from rag.documents import SourceDocument
from rag.ingest.chunking import chunk_document

ORIGINAL = (
    "<p>Sora指數在收盤時上漲。</p>\n截至收盤,Sora指數漲幅為3.01%。工業富聯收盤時下跌1.81%,"
    "全天振幅接近12%。\n布魯克斯(Tim Brooks)說,Sora著(zhù)眼於研究。"
)


def passage(n: int = 1, original: str = ORIGINAL) -> Passage:
    document = SourceDocument("doc.txt", "doc.txt", original, "标题")
    [chunk] = chunk_document(document)
    sentences = sentences_of(chunk.text, chunk.sentences)
    return Passage(n, "doc.txt", "doc.txt", "标题", 1.0, document, sentences,
                   [0.0] * len(sentences))


def excerpt(n: int, p: Passage) -> Excerpt:
    return Excerpt(n, p, list(range(len(p.sentences))))


def test_sentences_map_to_exact_spans_of_the_original_without_debris() -> None:
    p = passage()
    assert [s.text for s in p.sentences] == [
        "Sora指數在收盤時上漲。", "截至收盤,Sora指數漲幅為3.01%。",
        "工業富聯收盤時下跌1.81%,全天振幅接近12%。", "布魯克斯(Tim Brooks)說,Sora著眼於研究。"]
    for s in p.sentences:
        quote = ORIGINAL[s.start : s.end]
        assert quote[0] == s.text[0] and quote[-1] == s.text[-1]
        assert "<p>" not in quote and "</p>" not in quote
    assert ORIGINAL[p.sentences[3].start : p.sentences[3].end].endswith("著(zhù)眼於研究。")
    assert p.sentences[1].norm == "截至收盘,sora指数涨幅为3.01%。"


def test_markers_are_checked_and_quotes_narrowed() -> None:
    given = [excerpt(1, passage())]
    out = ground("Sora指数涨幅为3.01%。[1]", given)
    assert out.answer == "Sora指数涨幅为3.01%[1]。"
    [citation] = out.citations
    assert citation.quote == "截至收盘,Sora指數漲幅為3.01%。".replace("收盘", "收盤")
    assert citation.quote == ORIGINAL[citation.start : citation.end]
    assert (citation.n, citation.doc_id) == (1, "doc.txt")


def test_markers_pointing_nowhere_are_dropped_and_missing_ones_added() -> None:
    given = [excerpt(1, passage()), excerpt(2, passage(2, "今天天氣很好,我們去公園散步。"))]
    out = ground("工业富联收盘时下跌1.81%[7]。", given)
    assert out.answer == "工业富联收盘时下跌1.81%[1]。" and out.supported == 1
    out = ground("工业富联收盘时下跌1.81%[2]。", given)  # [2] exists but says nothing of it
    assert out.answer == "工业富联收盘时下跌1.81%[1]。"
    assert [c.n for c in out.citations] == [1]


def test_unsupported_sentences_are_flagged_not_cited() -> None:
    given = [excerpt(1, passage())]
    out = ground("工业富联的收盘价是1.81元[1]。OpenAI有一千名员工。", given)
    assert out.supported == 0 and out.citations == []
    assert out.unsupported == ["工业富联的收盘价是1.81元。", "OpenAI有一千名员工。"]
    assert "[1]" not in out.answer


def test_numbers_keep_their_unit() -> None:
    assert numbers("收盘价1.81元,涨幅3.01%") == {"1.81元", "3.01"}


def test_english_answers_are_grounded_by_names_and_numbers() -> None:
    given = [excerpt(1, passage())]
    out = ground("The research lead is Tim Brooks. The index rose 3.01% [1].", given)
    assert out.supported == 2 and out.answer.count("[1]") == 2
    assert {(c.start, c.end) for c in out.citations} == {
        (given[0].passage.sentences[1].start, given[0].passage.sentences[3].end)}


def test_an_english_answers_made_up_brackets_are_dropped_and_real_ones_kept() -> None:
    given = [excerpt(1, passage())]
    made_up = ground("The research lead is Tim Brooks (蒂姆·布鲁斯) [1].", given)
    assert made_up.answer == "The research lead is Tim Brooks[1]." and made_up.supported == 1
    held = ground("The research lead is Tim Brooks (布魯克斯) [1].", given)
    assert held.answer == "The research lead is Tim Brooks (布魯克斯)[1]."


def test_restating_the_question_is_not_an_answer() -> None:
    given = [excerpt(1, passage())]
    question = "布魯克斯說Sora著眼於什麼?"
    assert ground("布鲁克斯说Sora着眼于Sora[1]。", given, question).supported == 0
    assert ground("布鲁克斯说Sora着眼于研究[1]。", given, question).supported == 1


def test_english_claims_about_chinese_text_are_checked_by_embedding(seeds_kb) -> None:  # noqa: ANN001
    """The real embedder: an English sentence that says what the Chinese one says is
    supported; one that says something else is not, and a number must still be there."""
    original = "據介紹,Strada Nuova: New Road 藝術展,為期三週。策展人是Paul Hill。"
    given = [excerpt(1, passage(original=original))]
    check = CrossLingual(seeds_kb.embedder)
    out = ground("The Strada Nuova: New Road art exhibition runs for three weeks.", given,
                 "How long does the Strada Nuova exhibition run?", cross_lingual=check)
    assert out.supported == 1 and out.citations[0].quote.endswith("為期三週。")
    wrong = ground("The exhibition was paid for by Bill Gates.", given, cross_lingual=check)
    assert wrong.supported == 0
    assert ground("The exhibition runs for 10 weeks.", given, cross_lingual=check).supported == 0
