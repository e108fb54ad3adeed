import codecs
import gzip
import json
from pathlib import Path

import pytest

from rag.ingest.html import html_to_text
from rag.ingest.loading import LoadResult, count_documents, iter_documents, load_paths

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

HANS = "人工智能正在改变世界，监管机构加强审查。欧盟即将通过全面的人工智能法规。"
HANT = "人工智慧正在改變世界，監管機構加強審查。歐盟即將通過全面的人工智慧法規。"


def _write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def _reasons(result: LoadResult) -> dict[str, str]:
    return {Path(path).name: reason for path, reason in result.skipped}


def test_seed_files_load_with_ids_titles_and_text() -> None:
    files = sorted(SEEDS.glob("00*.txt"))
    result = load_paths(files)
    assert result.skipped == []
    assert [d.doc_id for d in result.documents] == [f.name for f in files]
    first = result.documents[0]
    assert first.source == files[0].name
    assert first.title == "当前最火的生成式AI领域,传来两则利空消息!"
    assert first.text == files[0].read_text(encoding="utf-8")
    assert first.date is None
    assert result.documents[1].title == ""  # its first line is longer than 80 characters


def test_folder_is_walked_recursively_sorted_without_hidden_or_unsupported(
    tmp_path: Path,
) -> None:
    _write(tmp_path / "b.txt", "# 乙\n正文。")
    _write(tmp_path / "a" / "z.md", "## 甲 標題 ##\n\n正文。")
    _write(tmp_path / "a" / "y.htm", "<h1>丙</h1><p>正文。</p>")
    _write(tmp_path / ".hidden.txt", "隱藏")
    _write(tmp_path / ".git" / "c.txt", "隱藏")
    _write(tmp_path / "figure.png", b"\x89PNG")
    result = load_paths([tmp_path])
    assert [d.doc_id for d in result.documents] == ["a/y.htm", "a/z.md", "b.txt"]
    assert [d.source for d in result.documents] == ["y.htm", "z.md", "b.txt"]
    assert [d.title for d in result.documents] == ["丙", "甲 標題", "乙"]
    assert result.skipped == []


def test_encodings_are_detected(tmp_path: Path) -> None:
    files = {
        "utf8.txt": HANS.encode("utf-8"),
        "bom.txt": codecs.BOM_UTF8 + HANS.encode("utf-8"),
        "utf16le.txt": HANT.encode("utf-16"),  # with BOM
        "utf16be.txt": codecs.BOM_UTF16_BE + HANT.encode("utf-16-be"),
        "gbk.txt": HANS.encode("gbk"),
        "gb18030.txt": HANT.encode("gb18030"),
        "big5.txt": HANT.encode("big5"),
        "big5_short.txt": "會議紀要".encode("big5"),
        "gbk_short.txt": "会议纪要".encode("gbk"),
    }
    for name, data in files.items():
        _write(tmp_path / name, data)
    result = load_paths([tmp_path])
    assert result.skipped == []
    texts = {d.doc_id: d.text for d in result.documents}
    expected = {name: HANT for name in files if name.startswith(("utf16", "gb18030", "big5"))}
    expected |= {"utf8.txt": HANS, "bom.txt": HANS, "gbk.txt": HANS}
    expected |= {"big5_short.txt": "會議紀要", "gbk_short.txt": "会议纪要"}
    assert texts == expected


def test_bad_files_are_skipped_with_a_reason_and_the_rest_loads(tmp_path: Path) -> None:
    _write(tmp_path / "good.txt", HANS)
    _write(tmp_path / "binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    _write(tmp_path / "empty.txt", b"")
    _write(tmp_path / "blank.md", "  \n\n")
    _write(tmp_path / "big.txt", "大" * 100)
    _write(tmp_path / "scripts.html", "<script>var a = 1;</script><style>p {}</style>")
    result = load_paths([tmp_path], max_bytes=200)
    assert [d.doc_id for d in result.documents] == ["good.txt"]
    reasons = _reasons(result)
    assert set(reasons) == {"binary.txt", "empty.txt", "blank.md", "big.txt", "scripts.html"}
    assert "binary" in reasons["binary.txt"]
    assert "empty" in reasons["empty.txt"]
    assert "over the 200 bytes limit" in reasons["big.txt"] and "max_bytes" in reasons["big.txt"]
    assert "no text" in reasons["blank.md"] and "no text" in reasons["scripts.html"]
    assert all("\n" not in reason and ";" in reason for reason in reasons.values())


def test_unsupported_file_named_explicitly_is_skipped(tmp_path: Path) -> None:
    image = _write(tmp_path / "scan.png", b"\x89PNG")
    txt = _write(tmp_path / "ok.txt", HANS)
    result = load_paths([image, str(txt)])
    assert [d.doc_id for d in result.documents] == ["ok.txt"]
    assert "unsupported file type '.png'" in _reasons(result)["scan.png"]


def test_missing_path_raises_before_loading(tmp_path: Path) -> None:
    _write(tmp_path / "ok.txt", HANS)
    with pytest.raises(FileNotFoundError, match="nope.txt: no such file or folder"):
        load_paths([tmp_path, tmp_path / "nope.txt"])


def test_same_file_twice_is_loaded_once(tmp_path: Path) -> None:
    path = _write(tmp_path / "ok.txt", HANS)
    result = load_paths([path, path])
    assert len(result.documents) == 1
    assert "duplicate id 'ok.txt'" in _reasons(result)["ok.txt"]


def test_jsonl_records_become_documents_and_bad_lines_are_skipped(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a1", "title": "會議", "text": HANT, "date": "2024-02-20"}),
        "{not json",
        "",
        json.dumps({"id": 7, "text": HANS}),
        json.dumps({"id": "x", "title": "無正文"}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "a1", "text": "重複的編號"}),
    ]
    _write(tmp_path / "sub" / "news.jsonl", "\n".join(lines) + "\n")
    result = load_paths([tmp_path])
    docs = result.documents
    assert [d.doc_id for d in docs] == ["sub/news.jsonl#a1", "sub/news.jsonl#7"]
    assert (docs[0].title, docs[0].date, docs[0].text, docs[0].source) == (
        "會議",
        "2024-02-20",
        HANT,
        "news.jsonl",
    )
    assert (docs[1].title, docs[1].date) == ("", None)
    reasons = [reason for _, reason in result.skipped]
    assert reasons[0].startswith("line 2: not valid JSON")
    assert reasons[1].startswith('line 5: no "text" string')
    assert reasons[2].startswith("line 6: not a JSON object")
    assert "duplicate id 'sub/news.jsonl#a1'" in reasons[3]
    assert len(reasons) == 4


def test_whole_page_text_title_entities_and_blocks() -> None:
    """How a page without a recognisable article is read (trafilatura finds none)."""
    page = """<!DOCTYPE html><html><head><meta charset="utf-8"><title> Sora 報導 </title>
    <style>body { color: red }</style><script>alert("x")</script></head>
    <body><h1>大標題</h1><div>第一段&amp;文字&nbsp;繼續
    同一段</div><p>第二段 &lt;引用&gt;<br>換行</p><ul><li>甲</li><li>乙</li></ul></body></html>"""
    text, title = html_to_text(page)
    assert title == "Sora 報導"
    assert text == "大標題\n第一段&文字\xa0繼續 同一段\n第二段 <引用>\n換行\n甲\n乙"
    assert "alert" not in text and "color" not in text


def test_html_without_title_uses_first_h1(tmp_path: Path) -> None:
    _write(tmp_path / "p.htm", "<body><h1>第一<b>標題</b></h1><h1>第二</h1><p>正文</p>")
    (doc,) = load_paths([tmp_path]).documents
    assert doc.title == "第一標題"


def test_markdown_title_is_stripped_and_long_first_line_is_no_title(tmp_path: Path) -> None:
    _write(tmp_path / "a.md", "\n\n#  Sora 研究 \n正文")
    _write(tmp_path / "b.txt", "長" * 81 + "\n正文")
    docs = load_paths([tmp_path]).documents
    assert [d.title for d in docs] == ["Sora 研究", ""]


def test_a_gzipped_archive_is_streamed_record_by_record(tmp_path: Path) -> None:
    archive = tmp_path / "news.jsonl.gz"
    with gzip.open(archive, "wb") as out:
        out.write(json.dumps({"id": 1, "text": HANS, "date": "2023-08-16"}).encode() + b"\n")
        out.write(b"{broken\n")
        out.write("非UTF-8".encode("gbk") + b"\n")
        out.write(json.dumps({"id": "b", "text": HANT}, ensure_ascii=False).encode() + b"\n")
    skipped: list[tuple[str, str]] = []
    stream = iter_documents([tmp_path], skipped)
    assert next(stream).doc_id == "news.jsonl.gz#1" and not skipped  # read as it goes
    rest = list(stream)
    assert [d.doc_id for d in rest] == ["news.jsonl.gz#b"] and rest[0].text == HANT
    assert [reason.split(":")[0] for _, reason in skipped] == ["line 2", "line 3"]
    assert "not UTF-8" in skipped[1][1]
    assert count_documents([tmp_path]) == 4  # lines, counted without parsing: a progress total
