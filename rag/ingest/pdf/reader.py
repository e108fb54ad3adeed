"""A PDF's bytes → ``Extracted``: the steps of the package run page by page, the file's
metadata (title, author, creation date), and one skip reason for a file pdfminer cannot read."""

from __future__ import annotations

import io
import logging
import re

import pdfplumber

from rag.ingest.layout import Extracted, SkipFile
from rag.ingest.pdf.glyphs import page_blocks
from rag.ingest.pdf.order import reading_order
from rag.ingest.pdf.paragraphs import assemble, headings, with_headings
from rag.ingest.pdf.running import drop_running_lines

# pdfminer logs every oddity of a damaged file at WARNING; the loader reports one reason.
logging.getLogger("pdfminer").setLevel(logging.ERROR)


def read_pdf(data: bytes) -> Extracted:
    """The text of a PDF, its sections (page and heading path) and its title/author/date
    metadata. Raises SkipFile for an encrypted, damaged or image-only file."""
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = []
            for page in pdf.pages:
                pages.append(page_blocks(page))
                page.close()  # its parsed objects: a long PDF is read a page at a time
            meta = pdf.metadata
    except Exception as err:  # pdfminer raises many types for damaged files
        raise SkipFile(_reason(err)) from None
    if not any(pages):
        raise SkipFile("no text layer (a scanned or image-only PDF?); OCR is not supported, "
                       "run OCR first (e.g. ocrmypdf) or export the text")
    drop_running_lines(pages)
    text, sections, paragraphs = assemble([reading_order(blocks) for blocks in pages])
    sections = with_headings(sections, headings(text, paragraphs))
    return Extracted(text, sections, title=_meta(meta, "Title"), date=_pdf_date(meta),
                     author=_meta(meta, "Author") or None)


def _meta(meta: dict, key: str) -> str:
    value = meta.get(key)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return re.sub(r"\s+", " ", value).strip() if isinstance(value, str) else ""


def _pdf_date(meta: dict) -> str | None:
    """The creation date ("D:20240314…") as 2024-03-14."""
    match = re.match(r"(?:D:)?(\d{4})(\d{2})(\d{2})", _meta(meta, "CreationDate"))
    return "-".join(match.groups()) if match else None


def _reason(err: Exception) -> str:
    """The one-line reason for a PDF pdfminer could not read, named after the first error
    in the chain (pdfplumber wraps pdfminer's)."""
    chain = list(_chain(err))
    names = " ".join(type(e).__name__ for e in chain).lower()
    if "password" in names or "encrypt" in names:
        return "encrypted PDF (password protected); save an unprotected copy and ingest that"
    return (f"not a readable PDF (damaged or truncated: {type(chain[-1]).__name__}); "
            "re-export or re-download it")


def _chain(err: BaseException | None):
    while err is not None:
        yield err
        err = err.__cause__ or err.__context__
