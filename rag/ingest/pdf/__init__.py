"""The text layer of a PDF as one text in reading order, with sections that say the page
and the heading path of each part.

pdfplumber (pdfminer.six underneath, both MIT) gives every glyph with its box; the layout
is rebuilt here rather than taken from a library's text mode, because the common modes
fail Chinese documents in measurable ways (``bench/documents_bench.py``): pypdf puts
spaces between the characters of a justified CJK line, pdfminer/pdfplumber read a
two-column page row by row across both columns. The steps, a module each:

1. ``glyphs``: glyphs on one baseline make a row, cut into *fragments* at column gutters;
   ruled tables become one block of rows, cells joined by " | ";
2. ``running``: running headers and footers go: the top and bottom row of a page when they
   repeat on other pages (digits aside) or are a page number;
3. ``order``: reading order by recursive XY-cut: a region is split at its vertical gutters
   (columns, left to right), else at its widest horizontal gaps (top to bottom);
4. ``paragraphs`` with ``joining``: a line break inside a paragraph is joined (no space
   between CJK characters, a hyphen at a line end dropped before a lower-case
   continuation); a short line, a wider gap, an indent, a change of font size or a table
   ends the paragraph; a short paragraph set larger than the body text is a heading, its
   level by its size.

``reader.read_pdf`` runs them.
"""

from rag.ingest.pdf.reader import read_pdf

__all__ = ["read_pdf"]
