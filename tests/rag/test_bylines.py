"""What ingestion keeps for answering: byline lines found when a document is loaded, and
each chunk's sentence spans, stored in the index. No models needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.documents import Byline, SourceDocument
from rag.index.docstore import Docstore
from rag.ingest.bylines import find_bylines, is_byline, roles
from rag.ingest.chunking import chunk_document, split_sentences
from rag.ingest.cleaning import clean
from rag.ingest.loading import load_paths

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_a_byline_is_never_a_title(tmp_path: Path) -> None:
    assert all(map(is_byline, ["本報記者 樊三彩", "◎陳寧", "文/王明", "作者：李四"]))
    assert not any(map(is_byline, ["记者会今天召开", "今天的新闻很好看，记者王明说"]))
    (tmp_path / "a.txt").write_text("◎王明\n短標題\n正文第一句。", encoding="utf-8")
    [doc] = load_paths([tmp_path]).documents
    assert doc.title == "短標題"


@pytest.mark.parametrize(("line", "expected"), [
    ("本報記者 樊三彩", ("reporter",)),
    ("北京商報記者 楊躍涵.", ("reporter",)),
    ("本报记者 王明 李四", ("reporter",)),
    ("責任編輯：劉萬里 SF014", ("editor",)),
    ("來源：新華社", ("source",)),
    ("本文作者:新智元,來源:新智元,原文標題:《Sora 陷研究泥潭?》", ("reporter", "source")),
    ("某大廠業內人士向北京商報記者介紹,國內企業的產品是基於大型語言模型。", ()),
    ("作者：" + "很" * 130, ()),  # a byline is a short line
])
def test_each_byline_names_its_roles(line: str, expected: tuple[str, ...]) -> None:
    assert roles(line) == expected


def test_the_seeds_bylines_are_found_with_exact_spans() -> None:
    found = {}
    for doc in load_paths([SEEDS]).documents:
        assert doc.bylines == find_bylines(doc.text)
        found[doc.doc_id[:3]] = [(doc.text[b.start : b.end], b.roles) for b in doc.bylines]
    assert found["000"] == [("责任编辑:刘万里 SF014", ("editor",))]
    assert found["001"][0][0].startswith("本文作者:新智元,來源:新智元")
    assert found["002"] == [("北京商報記者 楊躍涵.", ("reporter",))]
    assert ("本報記者 樊三彩", ("reporter",)) in found["003"]
    assert found["004"] == [("◎陳寧", ("reporter",))]


def test_bylines_of_a_jsonl_record_point_into_its_text(tmp_path: Path) -> None:
    (tmp_path / "news.jsonl").write_text(
        '{"id": 1, "title": "t", "text": "正文。\\n  編輯：宋玉錚  \\n"}\n', encoding="utf-8")
    [doc] = load_paths([tmp_path]).documents
    [byline] = doc.bylines
    assert doc.text[byline.start : byline.end] == "編輯：宋玉錚"


def test_chunks_keep_their_sentences_as_cut_from_their_own_text() -> None:
    original = ("<p>Sora指數在收盤時上漲。</p>\n截至收盤,Sora指數漲幅為3.01%。工業富聯收盤時下跌"
                "1.81%,全天振幅接近12%。\n布魯克斯(Tim Brooks)說,Sora著(zhù)眼於研究。")
    doc = SourceDocument("a.txt", "a.txt", original)
    chunks = chunk_document(doc, size=40, overlap=10)
    assert len(chunks) > 1
    for chunk in chunks:
        assert [(s.text_start, s.text_end) for s in chunk.sentences] == split_sentences(
            chunk.text)
        for s in chunk.sentences:
            quote = original[s.start : s.end]
            # the original span holds the sentence, debris and all, and nothing around it
            assert clean(quote).text == chunk.text[s.text_start : s.text_end]
            assert chunk.start <= s.start < s.end <= chunk.end
    last = chunks[-1].sentences[-1]
    assert original[last.start : last.end] == "布魯克斯(Tim Brooks)說,Sora著(zhù)眼於研究。"


def test_the_docstore_keeps_bylines_and_sentence_spans(tmp_path: Path) -> None:
    text = "◎陳寧\n近期,OpenAI 推出“Sora”。它能生成60秒的視頻。"
    doc = SourceDocument("a.txt", "a.txt", text, bylines=find_bylines(text))
    chunks = chunk_document(doc)
    store = Docstore(tmp_path / "docstore.sqlite")
    store.put([(doc, "a.txt", "sha", chunks, ["" for _ in chunks])])
    assert store.document("a.txt").bylines == (Byline(0, 3, ("reporter",)),)
    stored = [store.chunk(row) for row in store.layout()[0]]
    assert [c.sentences for c in stored] == [c.sentences for c in chunks]
    assert len(stored[0].sentences) == 3
    store.close()
