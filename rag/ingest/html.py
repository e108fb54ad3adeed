"""Saved web pages through trafilatura (Apache-2.0; works on the page given, no network):
the article's main content, without menus, related-article lists, comments and footers;
title, date and author as metadata; headings as the heading path of what follows them."""

from __future__ import annotations

import logging

import trafilatura
from lxml import etree
from trafilatura.settings import use_config

from rag.ingest.layout import TABLE_CELL_SEPARATOR, Extracted, Outline, fold

logging.getLogger("trafilatura").setLevel(logging.ERROR)
logging.getLogger("htmldate").setLevel(logging.ERROR)

# Below its minimum article size (250 characters) trafilatura falls back to a baseline that
# runs the whole page, menus included, into one paragraph; a short article is still one.
# Dates come from the page's metadata only: the extensive search guesses them from any year
# in the text ("2023年…" made 2023-01-01).
_CONFIG = use_config()
_CONFIG["DEFAULT"]["MIN_EXTRACTED_SIZE"] = "1"
_CONFIG["DEFAULT"]["EXTENSIVE_DATE_SEARCH"] = "off"


def read_html(html: str) -> Extracted | None:
    """The main content of a page, or None when trafilatura finds none (a page that is not
    an article, or too short to tell: read it whole instead)."""
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
