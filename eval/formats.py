"""Articles in the formats people bring, made the way real ones are made, from text we control.

``Article.of_text`` reads a plain-text article (first line the title, short unpunctuated
lines subheadings); it is then printed to PDF by Chromium from HTML with a CJK font (one or
two columns, a running header and a page-number footer), written as ``.docx`` by
python-docx (headings, tables), or saved as a news page wrapped in navigation, a
related-articles list, comments and a footer. Tests and ``bench/documents_bench.py`` build
their documents with these, so what they check is known character by character.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import docx
import pypdf

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FONT = "WenQuanYi Micro Hei"  # Debian's fonts-wqy-microhei, installed with the test browser
MAX_SUBHEADING = 30  # characters: a subheading is a short line without final punctuation
_WHITE_SPACE_OR_RULE = re.compile(r"[\s|]+")
_FINAL = "。！？!?.;；:：,，…」”\"'）)"

Block = tuple[str, "str | list[list[str]]"]  # ("h2", text), ("p", text), ("table", rows)


@dataclass
class Article:
    """A title and its blocks: paragraphs, subheadings (h2, h3) and tables (rows of cells)."""

    title: str
    blocks: list[Block] = field(default_factory=list)
    author: str = ""
    date: str = ""

    @classmethod
    def of_text(cls, text: str) -> Article:
        """First non-empty line the title; a short line not ending in punctuation a
        subheading (h2); every other line a paragraph."""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        blocks: list[Block] = [
            ("h2" if len(line) <= MAX_SUBHEADING and line[-1] not in _FINAL else "p", line)
            for line in lines[1:]]
        return cls(lines[0], blocks)

    def headings_at(self) -> list[tuple[str, tuple[str, ...]]]:
        """Every text line (title, headings, paragraphs, table rows as " | ") with the heading
        path it lies under below the title: h2, then h3."""
        out = [(self.title, ())]
        path: list[str] = []
        for kind, content in self.blocks:
            if kind in ("h2", "h3"):
                path = path[: 0 if kind == "h2" else 1] + [str(content)]
            rows = content if kind == "table" else [[content]]
            out += [(" | ".join(row), tuple(path)) for row in rows]
        return out


def _block_html(kind: str, content: str | list[list[str]]) -> str:
    if kind == "table":
        rows = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                       for row in content)
        return f"<table>{rows}</table>"
    tag = kind if kind in ("h2", "h3") else "p"
    return f"<{tag}>{html.escape(str(content))}</{tag}>"


def print_html(article: Article, columns: int = 1, header: str = "") -> str:
    """The article as a page to print: A4, CJK font, ``columns`` columns, ``header`` at the
    top of every page and "第 N 页" at the bottom (CSS page-margin boxes)."""
    body = "".join(_block_html(kind, content) for kind, content in article.blocks)
    top = f'@top-center {{ content: "{header}"; font: 9pt "{FONT}" }}' if header else ""
    return f"""<!doctype html><html lang="zh"><head><meta charset="utf-8">
<title>{html.escape(article.title)}</title><style>
@page {{ size: A4; margin: 25mm 20mm; {top}
        @bottom-center {{ content: "第 " counter(page) " 页"; font: 9pt "{FONT}" }} }}
body {{ font-family: "{FONT}"; font-size: 11pt; line-height: 1.6; text-align: justify }}
main {{ column-count: {columns}; column-gap: 10mm }}
h1 {{ font-size: 18pt }} h2 {{ font-size: 15pt }} h3 {{ font-size: 13pt }}
table {{ border-collapse: collapse; margin: 1em 0 }}
td {{ border: 1px solid #000; padding: 2pt 6pt }}
</style></head><body><h1>{html.escape(article.title)}</h1><main>{body}</main></body></html>"""


def print_pdf(page_html: str, pdf: Path, timeout: float = 120) -> Path:
    """Print an HTML page to ``pdf`` with headless Chromium (its own profile folder, so
    parallel runs do not share one)."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "page.html"
        source.write_text(page_html, encoding="utf-8")
        subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
             f"--user-data-dir={tmp}/profile", f"--print-to-pdf={pdf}", source.as_uri()],
            check=True, capture_output=True, timeout=timeout)
    return pdf


class PrintedPages:
    """The body text of each page of a PDF ``print_pdf`` made, as pypdf (a reader wenda does
    not use) reads it, with the running header and "第 N 页" footer ``print_html`` put on
    it taken off: the reference a PDF span's pages are checked against. Both sides are
    compared without white space and table-cell rules ("|"), which one reader writes and
    the other does not. The pages are read as one text, so a span that runs over a page
    break is found whole and has its first and last characters on different pages."""

    def __init__(self, pdf: Path, header: str = "") -> None:
        running = _unruled(header)
        self.text, self.breaks = "", []  # breaks[n]: where page n + 2 begins in ``text``
        for number, page in enumerate(pypdf.PdfReader(pdf).pages, start=1):
            body = _unruled(page.extract_text())
            body = body.replace(running, "", 1) if running else body
            self.text += body.replace(f"第{number}页", "", 1)
            self.breaks.append(len(self.text))
        self.breaks.pop()

    def pages_of(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """The first and last page (1-based) of ``text[start:end]``, a span of the text
        extracted from this PDF; of its occurrences the one nearest its place in ``text``;
        None when it is on no page."""
        span, near = _unruled(text[start:end]), len(_unruled(text[:start]))
        found = [m.start() for m in re.finditer(re.escape(span), self.text)] if span else []
        if not found:
            return None
        at = min(found, key=lambda pos: abs(pos - near))
        return (bisect_right(self.breaks, at) + 1,
                bisect_right(self.breaks, at + len(span) - 1) + 1)


def _unruled(text: str) -> str:
    return _WHITE_SPACE_OR_RULE.sub("", text)


def write_docx(article: Article, path: Path) -> Path:
    """The article as Word writes it: title as Heading 1, subheadings as Heading 2/3,
    tables in the "Table Grid" style, the author and title in the file's properties."""
    document = docx.Document()
    document.core_properties.title = article.title
    document.core_properties.author = article.author
    if article.date:  # else the template's own date (2013) would stand as the file's
        document.core_properties.created = datetime.fromisoformat(article.date)
    document.add_heading(article.title, level=1)
    for kind, content in article.blocks:
        if kind in ("h2", "h3"):
            document.add_heading(str(content), level=int(kind[1]))
        elif kind == "table":
            table = document.add_table(rows=0, cols=len(content[0]), style="Table Grid")
            for row in content:
                cells = table.add_row().cells
                for cell, text in zip(cells, row):
                    cell.text = text
        elif kind == "li":
            document.add_paragraph(str(content), style="List Bullet")
        else:
            document.add_paragraph(str(content))
    document.save(path)
    return path


def news_page(article: Article, site: str = "环球科技网") -> str:
    """The article as a saved news page: site navigation, the article with its byline,
    a related-articles list, readers' comments and a footer around it."""
    body = "".join(_block_html(kind, content) for kind, content in article.blocks)
    meta = ""
    if article.author:
        meta += f'<meta name="author" content="{html.escape(article.author)}">'
    if article.date:
        meta += f'<meta property="article:published_time" content="{article.date}">'
    return f"""<!doctype html><html lang="zh"><head><meta charset="utf-8">
<title>{html.escape(article.title)} - {site}</title>{meta}</head><body>
<header><nav><ul><li><a href="/">首页</a></li><li><a href="/tech">科技</a></li>
<li><a href="/finance">财经</a></li><li><a href="/login">登录</a></li></ul></nav></header>
<div class="content"><article><h1>{html.escape(article.title)}</h1>
<div class="byline">{html.escape(article.author)} {article.date}</div>{body}</article>
<aside class="related"><h3>相关阅读</h3><ul>
<li><a href="/a/1">独家：某手机品牌新品发布会定档下周</a></li>
<li><a href="/a/2">这家咖啡店凭什么排队三小时</a></li></ul></aside>
<section id="comments" class="comments"><h3>网友评论</h3>
<div class="comment"><span class="user">路人甲</span><p>写得太好了，支持一下！</p></div>
<div class="comment"><span class="user">吃瓜群众</span><p>楼上说得对，我也这么觉得。</p></div>
</section></div>
<footer><p>关于我们 | 联系方式 | 广告服务</p><p>版权所有 © {site} 京ICP备00000000号</p></footer>
</body></html>"""


_CJK = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_SPACE_BY_CJK = re.compile(f"(?<=[{_CJK}]) | (?=[{_CJK}])")


def fold(text: str) -> str:
    """Text compared across formats: each white-space run one space, none next to a CJK
    character (PDF and Word do not keep a text file's line and paragraph breaks, and
    Chinese puts no spaces between words, so a space there is an extraction error only
    on one side). A space between two English words stays."""
    return _SPACE_BY_CJK.sub("", re.sub(r"\s+", " ", text)).strip()
