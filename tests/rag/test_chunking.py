import re
from pathlib import Path

import pytest

from rag.documents import SourceDocument
from rag.ingest.chunking import CHUNKER_VERSION, chunk_document, chunk_spans, split_sentences
from rag.ingest.cleaning import clean
from rag.ingest.normalize import normalize

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED_FILES = sorted(SEEDS.glob("00*.txt"))
NUMBER = re.compile(r"\d+(?:[.,:]\d+)+%?|\d+%")


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def _seed_doc(path: Path) -> SourceDocument:
    text = path.read_text(encoding="utf-8")
    return SourceDocument(doc_id=path.name, source=path.name, text=text, title="t", date="d")


def test_sentences_end_after_terminators_and_line_breaks() -> None:
    text = "第一句。第二句！第三句？第四句；第五句……\n標題\nEnd here? Yes! Fine; ok. Done"
    assert _sentences(text) == [
        "第一句。",
        "第二句！",
        "第三句？",
        "第四句；",
        "第五句……",
        "標題",
        "End here?",
        "Yes!",
        "Fine;",
        "ok.",
        "Done",
    ]


def test_numbers_urls_and_words_are_not_split() -> None:
    text = "截至收盘,Sora指数涨幅为3.01%。增长约1.5倍,見chat.openai.com和Yahoo!Japan網站。"
    assert _sentences(text) == [
        "截至收盘,Sora指数涨幅为3.01%。",
        "增长约1.5倍,見chat.openai.com和Yahoo!Japan網站。",
    ]


def test_closing_quotes_stay_with_their_sentence_and_quotes_are_not_split() -> None:
    text = "他說：“我們還沒有時間表。我們正處於獲取反饋階段。”她說「好。」然後（走了。）下一句。"
    assert _sentences(text) == [
        "他說：“我們還沒有時間表。我們正處於獲取反饋階段。”",
        "她說「好。」",
        "然後（走了。）",
        "下一句。",
    ]


def test_quote_left_open_by_a_bad_scrape_ends_at_the_line_break() -> None:
    text = "“一只狼對著月亮嚎叫?!\n第二行。第三句。"
    assert _sentences(text) == ["“一只狼對著月亮嚎叫?!", "第二行。", "第三句。"]


def test_chunks_pack_whole_sentences_with_overlap() -> None:
    text = "".join(f"第{i:02d}句話在這裡。" for i in range(20))  # 9 characters each
    spans = chunk_spans(text, size=35, overlap=10)
    pieces = [text[s:e] for s, e in spans]
    assert pieces[0] == "第00句話在這裡。第01句話在這裡。第02句話在這裡。"
    assert pieces[1] == "第02句話在這裡。第03句話在這裡。第04句話在這裡。"
    assert all(len(p) <= 35 for p in pieces)
    assert pieces[-1].endswith("第19句話在這裡。")
    assert chunk_spans(text, size=35, overlap=0)[1][0] == 27


def test_long_sentence_splits_at_clauses_then_spaces_then_hard() -> None:
    clauses = "，".join(["這是一個很長的分句"] * 8) + "。"
    spans = chunk_spans(clauses, size=25, overlap=0)
    assert all(e - s <= 25 for s, e in spans)
    assert all(clauses[e - 1] in "，。" for s, e in spans)

    words = " ".join(["word"] * 30)
    spans = chunk_spans(words, size=22, overlap=0)
    assert all(e - s <= 22 and words[s:e].endswith("word") for s, e in spans)

    solid = "字" * 50 + "abcdefgh" + "字" * 10
    spans = chunk_spans(solid, size=54, overlap=0)
    assert [solid[s:e] for s, e in spans] == ["字" * 50, "abcdefgh" + "字" * 10]


def test_long_quotation_is_split_at_its_own_sentence_ends() -> None:
    quote = "“" + "".join(f"第{i}句在引號裡。" for i in range(10)) + "”他說。"
    spans = chunk_spans(quote, size=30, overlap=0)
    assert all(e - s <= 30 for s, e in spans)
    assert all(quote[e - 1] in "。”" for s, e in spans)


def test_bad_parameters_and_empty_text() -> None:
    with pytest.raises(ValueError):
        chunk_spans("文字。", size=10, overlap=10)
    with pytest.raises(ValueError):
        chunk_spans("文字。", size=0, overlap=0)
    assert chunk_spans("", size=10, overlap=2) == []
    assert chunk_spans(" \n ", size=10, overlap=2) == []


@pytest.mark.parametrize("size", [120, 300, 500])
@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_seed_chunks_map_back_cover_and_respect_size(path: Path, size: int) -> None:
    doc = _seed_doc(path)
    overlap = size // 5
    cleaned = clean(doc.text)
    norm = normalize(cleaned.text)
    chunks = chunk_document(doc, size=size, overlap=overlap)
    assert chunks
    covered = [False] * len(cleaned.text)
    previous_end = 0
    for n, chunk in enumerate(chunks):
        assert chunk.chunk_id == f"{doc.doc_id}#{n}"
        assert (chunk.doc_id, chunk.source, chunk.title, chunk.date) == (
            doc.doc_id,
            doc.source,
            "t",
            "d",
        )
        assert 0 < len(chunk.text) <= size
        # the original span holds the chunk: cleaning it gives back exactly the chunk text
        start, end = cleaned.to_clean(chunk.start, chunk.end)
        assert cleaned.text[start:end] == chunk.text
        assert _in_order(chunk.text, doc.text[chunk.start : chunk.end])
        assert doc.text[chunk.start] == chunk.text[0] and doc.text[chunk.end - 1] == chunk.text[-1]
        assert chunk.norm == norm[start:end] and len(chunk.norm) == len(chunk.text)
        assert previous_end - start <= overlap  # overlap with the previous chunk
        previous_end = end
        covered[start:end] = [True] * (end - start)
    assert all(ok or c.isspace() for ok, c in zip(covered, cleaned.text))
    # no chunk starts or ends inside a number such as 3.01%
    for m in NUMBER.finditer(cleaned.text):
        for chunk in chunks:
            start, end = cleaned.to_clean(chunk.start, chunk.end)
            assert not m.start() < start < m.end() and not m.start() < end < m.end()


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_numbers_never_straddle_a_sentence_boundary(path: Path) -> None:
    text = clean(path.read_text(encoding="utf-8")).text
    bounds = {b for span in split_sentences(text) for b in span}
    for m in NUMBER.finditer(text):
        assert not any(m.start() < b < m.end() for b in bounds), m.group()


def test_seed_000_keeps_3_01_percent_in_one_sentence() -> None:
    text = clean(SEED_FILES[0].read_text(encoding="utf-8")).text
    assert "截至收盘,Sora指数涨幅为3.01%。" in _sentences(text)


def test_chunker_version_is_recorded() -> None:
    assert CHUNKER_VERSION == "2"


def _in_order(needle: str, haystack: str) -> bool:
    chars = iter(haystack)
    return all(c in chars for c in needle)
