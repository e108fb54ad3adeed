"""Saved web pages through trafilatura (Apache-2.0; works on the page given, no network):
the article's main content, without menus, related-article lists, comments and footers;
title, date and author as metadata; headings as the heading path of what follows them.
A page with no article trafilatura can find is read whole (visible text, a block a line)."""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser

import trafilatura
from lxml import etree
from trafilatura.settings import use_config

from rag.ingest.layout import TABLE_CELL_SEPARATOR, Extracted, Outline, fold

logging.getLogger("trafilatura").setLevel(logging.ERROR)
logging.getLogger("htmldate").setLevel(logging.ERROR)

# Whitespace that HTML collapses; &nbsp; (U+00A0) is not part of it.
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")

# Below its minimum article size (250 characters) trafilatura falls back to a baseline that
# runs the whole page, menus included, into one paragraph; a short article is still one.
# Dates come from the page's metadata only: the extensive search guesses them from any year
# in the text ("2023年…" made 2023-01-01).
_CONFIG = use_config()
_CONFIG["DEFAULT"]["MIN_EXTRACTED_SIZE"] = "1"
_CONFIG["DEFAULT"]["EXTENSIVE_DATE_SEARCH"] = "off"


def read_html(html: str) -> Extracted:
    """The main content of a page, or the whole page when trafilatura finds none (a page
    that is not an article, or too short to tell)."""
    article = _article(html)
    if article is not None:
        return article
    text, title = html_to_text(html)
    return Extracted(text, title=title)


def _article(html: str) -> Extracted | None:
    xml = trafilatura.extract(html, output_format="xml", with_metadata=True,
                              include_comments=False, include_tables=True,
                              include_images=False, include_links=False, deduplicate=False,
                              config=_CONFIG)
    if not xml:
        return None
    root = etree.fromstring(xml.encode())
    outline = Outline()
    main = root.find("main")
    for element in [] if main is None else main:
        _add(outline, element)
    if not outline.text.strip():
        return None
    return Extracted(outline.text, outline.located(), title=fold(root.get("title") or ""),
                     date=root.get("date") or None, author=fold(root.get("author") or "") or None)


def _add(outline: Outline, element: etree._Element) -> None:
    tag = element.tag
    if tag == "head":
        rend = element.get("rend") or "h2"
        outline.heading(int(rend[1]) if rend[1:].isdigit() else 2, _text(element))
    elif tag == "list":
        for item in element.iter("item"):
            outline.block(_text(item))
    elif tag == "table":
        for row in element.iter("row"):
            cells = [fold(_text(cell)) for cell in row.iter("cell")]
            if any(cells):
                outline.block(TABLE_CELL_SEPARATOR.join(cells))
    else:
        for line in _text(element).split("\n"):
            outline.block(line)


def _text(element: etree._Element) -> str:
    """The element's text, a <lb/> as a line break."""
    for lb in element.iter("lb"):
        lb.tail = "\n" + (lb.tail or "")
    return "".join(element.itertext())


class _HTMLText(HTMLParser):
    """Collect the visible text of a page: block tags become line breaks, script/style and
    the like are dropped, entities are unescaped (convert_charrefs)."""

    BLOCK = frozenset(
        {"address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt"}
        | {"figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6"}
        | {"header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table"}
        | {"td", "th", "tr", "ul"}
    )
    HIDDEN = frozenset({"script", "style", "noscript", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self.h1: list[str] = []
        self._hidden = 0
        self._in: str | None = None  # "title" or "h1" while collecting one

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title" or (tag == "h1" and not self.h1):
            self._in = tag
        if tag in self.HIDDEN:
            self._hidden += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None
        if tag in self.HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in == "title":  # metadata, not part of the page text
            self.title.append(data)
            return
        if self._in == "h1":
            self.h1.append(data)
        if not self._hidden:
            self.parts.append(_HTML_SPACE.sub(" ", data))


def html_to_text(html: str) -> tuple[str, str]:
    """Visible text of an HTML page (one block per line) and its title (<title>, else <h1>):
    how a page without a recognisable article is read."""
    parser = _HTMLText()
    parser.feed(html)
    parser.close()
    lines = (line.strip(" ") for line in "".join(parser.parts).split("\n"))
    title = _HTML_SPACE.sub(" ", "".join(parser.title or parser.h1)).strip()
    return "\n".join(line for line in lines if line), title
