"""Word ``.docx`` files (python-docx, MIT): paragraphs, headings as the heading path of
what follows them, list items and table rows each on a line, in document order."""

from __future__ import annotations

import io
import re

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from rag.ingest.layout import TABLE_CELL_SEPARATOR, Extracted, Outline, SkipFile, fold

_HEADING_STYLE = re.compile(r"^(?:heading|标题|標題)\s*(\d)$", re.IGNORECASE)
_OLE = b"\xd0\xcf\x11\xe0"  # Word 97-2003 files, and encrypted .docx files


def read_docx(data: bytes) -> Extracted:
    """Text and heading sections of a .docx file. Raises SkipFile when it is not one."""
    if data.startswith(_OLE):
        raise SkipFile("an encrypted Word file or an old .doc saved as .docx; save it "
                       "unprotected as .docx")
    document = docx.Document(io.BytesIO(data))  # a damaged file raises; the loader says so
    outline = Outline()
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in _rows(item):
                outline.block(row)
        elif (level := _heading_level(item)) is not None:
            outline.heading(level, item.text)
        else:
            outline.block(item.text)
    props = document.core_properties
    title, author, created = props.title, props.author, props.created
    if not outline.text.strip():
        raise SkipFile("no text in the file; nothing to index")
    return Extracted(outline.text, outline.located(), title=fold(title or ""),
                     date=created.date().isoformat() if created else None,
                     author=fold(author or "") or None)


def _heading_level(paragraph: Paragraph) -> int | None:
    """1 for "Heading 1"/"标题 1" or an outline level 0 set on the paragraph; None for body
    text. The "Title" style is the document's title, not a section."""
    name = paragraph.style.name if paragraph.style is not None else ""
    if match := _HEADING_STYLE.match(name or ""):
        return int(match[1])
    levels = paragraph._p.xpath("./w:pPr/w:outlineLvl/@w:val")
    return int(levels[0]) + 1 if levels and levels[0].isdigit() and int(levels[0]) < 9 else None


def _rows(table: Table) -> list[str]:
    """Each row's cells joined by " | "; a merged cell (repeated by python-docx) once."""
    out = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                cells.append(fold(cell.text))
        if any(cells):
            out.append(TABLE_CELL_SEPARATOR.join(cells))
    return out
