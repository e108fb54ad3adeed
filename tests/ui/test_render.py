"""The HTML the chat builds: everything escaped, markers become buttons, the highlighted
span is exactly the cited span of the original text."""

from __future__ import annotations

import re
from html import unescape

import pytest

from rag.documents import SourceDocument
from ui.render import answer_html, render_chat
from ui.source_panel import context_bounds, highlight, locate, render_source
from ui.turns import SourceRef, Turn

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[点我](javascript:alert(1))",
    '"><svg onload=alert(1)>',
]

ORIGINAL = ("标题一行\n"
            "第一段没有引用。\n"
            "第二段开头，梅洛尼表示政府正在制定人工智能法律。第二段结尾 <b>粗</b>。\n"
            "第三段。")
QUOTE = "梅洛尼表示政府正在制定人工智能法律。"


def ref(kind: str = "cite", text: str = QUOTE, **fields: object) -> SourceRef:
    start = ORIGINAL.index(QUOTE)
    values = dict(kind=kind, n=1, doc_id="a.txt", source="a.txt", title="标题一行",
                  date="2024-03-13", start=start, end=start + len(QUOTE), text=text,
                  original=QUOTE)
    return SourceRef(**(values | fields))  # type: ignore[arg-type]


def marked(html: str) -> str:
    """The text inside the one <mark>, unescaped."""
    (inner,) = re.findall(r"<mark>(.*?)</mark>", html, flags=re.S)
    return unescape(inner)


def tags(html: str) -> set[str]:
    return {t.lower() for t in re.findall(r"<\s*([a-zA-Z]+)", html)}


OUR_TAGS = {"div", "span", "button", "ol", "li", "details", "summary", "article", "h3", "mark",
            "br"}


@pytest.mark.parametrize("attack", ATTACKS)
def test_every_text_field_is_escaped(attack: str) -> None:
    turn = Turn(question=attack, query=attack + " q", answer=attack + "[1]", answerer="x",
                seconds=1.0, note=attack, unsupported=[attack],
                hits=[ref("hit", text=attack, title=attack, source=attack, date=attack)],
                citations=[ref(text=attack, title=attack)])
    html = render_chat([turn])
    assert tags(html) <= OUR_TAGS
    assert "href" not in html and not re.search(r"<[^>]*\son\w+\s*=", html)
    assert "<img" not in html and "<script" not in html and "<svg" not in html
    assert unescape(re.sub(r"<[^>]+>", "", html)).count(attack) >= 5


def test_document_text_in_the_panel_is_escaped() -> None:
    text = ORIGINAL.replace("第二段开头", '<img src=x onerror="alert(1)">')
    start = text.index(QUOTE)
    html = render_source(ref(start=start, end=start + len(QUOTE)),
                         SourceDocument("a.txt", "a.txt", text, "<script>t</script>"))
    assert "<img" not in html and "<script" not in html and "<b>" not in html
    assert '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;' in html


def test_markers_of_known_citations_become_buttons() -> None:
    html = answer_html("甲[1]。乙[2]。丙【1, 3】。", turn=4, cited={1, 3})
    buttons = re.findall(r'<button[^>]*data-turn="4" data-kind="cite" data-n="(\d)"', html)
    assert buttons == ["1", "1", "3"]
    assert "乙[2]" in html  # not a citation of this answer: left as text


def test_highlight_is_the_original_span_inside_its_paragraph() -> None:
    start = ORIGINAL.index(QUOTE)
    html = highlight(ORIGINAL, start, start + len(QUOTE))
    assert marked(html) == ORIGINAL[start : start + len(QUOTE)]
    shown = unescape(re.sub(r"</?mark>", "", html))
    assert shown == "第二段开头，梅洛尼表示政府正在制定人工智能法律。第二段结尾 <b>粗</b>。"


def test_long_paragraphs_are_cut_around_the_span() -> None:
    text = "长" * 1000 + QUOTE + "文" * 1000
    lo, hi = context_bounds(text, 1000, 1000 + len(QUOTE), context=50)
    assert (lo, hi) == (950, 1000 + len(QUOTE) + 50)
    html = highlight(text, 1000, 1000 + len(QUOTE))
    assert html.startswith("…") and html.endswith("…") and marked(html) == QUOTE


def test_panel_shows_title_file_date_and_the_span() -> None:
    html = render_source(ref(), SourceDocument("a.txt", "a.txt", ORIGINAL, "标题一行",
                                               "2024-03-13"))
    assert "标题一行" in html and "a.txt" in html and "2024-03-13" in html
    assert marked(html) == QUOTE


def test_a_changed_document_is_found_again_or_said_to_be_gone() -> None:
    moved = "新的一行\n" + ORIGINAL
    span = locate(ref(), moved)
    assert span is not None and moved[span[0] : span[1]] == QUOTE
    assert locate(ref(), "完全不同的文章") is None
    html = render_source(ref(), SourceDocument("a.txt", "a.txt", "完全不同的文章"))
    assert "改写" in html and marked(html) == QUOTE
    assert marked(render_source(ref(), None)) == QUOTE


def test_sources_show_while_the_answer_is_pending() -> None:
    turn = Turn("问题", query="问题", hits=[ref("hit", text="检索到的段落")])
    html = render_chat([turn])
    assert "检索到的段落" in html and "正在生成回答" in html and "wenda-foot" not in html
