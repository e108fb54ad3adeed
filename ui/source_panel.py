"""The source panel: a cited span shown inside its paragraph, as the article was written.

The span is ``document.text[start:end]`` of the original text (debris, script and all), so
what is highlighted is exactly what the citation points at. Every piece of document text is
escaped: an article's ``<script>`` or ``<img onerror=...>`` shows as text.
"""

from __future__ import annotations

from html import escape

from rag import SourceDocument
from ui.turns import SourceRef

CONTEXT_CHARS = 300  # at most this much of the paragraph on each side of the span

PLACEHOLDER = (
    '<div class="wenda-panel-empty">点击回答中的 <span class="wenda-cite-sample">[1]</span> '
    "或检索到的段落，在这里查看原文出处。<br>Click a citation to see the passage in its "
    "article.</div>"
)


def context_bounds(text: str, start: int, end: int,
                   context: int = CONTEXT_CHARS) -> tuple[int, int]:
    """The paragraph(s) around ``text[start:end]`` (line breaks delimit paragraphs), cut to
    ``context`` characters on each side."""
    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", end)
    hi = len(text) if hi < 0 else hi
    return max(lo, start - context), min(hi, end + context)


def locate(ref: SourceRef, text: str) -> tuple[int, int] | None:
    """Where the referenced span is in the document's current text: at its offsets, or
    elsewhere if the document was re-ingested with other text before it; None if gone."""
    if text[ref.start : ref.end] == ref.original:
        return ref.start, ref.end
    moved = text.find(ref.original) if ref.original else -1
    return (moved, moved + len(ref.original)) if moved >= 0 else None


def highlight(text: str, start: int, end: int) -> str:
    """HTML of the span's paragraph with the span in ``<mark>``; all text escaped."""
    lo, hi = context_bounds(text, start, end)
    return (("…" if lo > 0 and text[lo - 1] != "\n" else "")
            + escape(text[lo:start]) + f"<mark>{escape(text[start:end])}</mark>"
            + escape(text[end:hi]) + ("…" if hi < len(text) and text[hi] != "\n" else ""))


def render_source(ref: SourceRef, document: SourceDocument | None) -> str:
    """The panel for one citation or retrieved passage."""
    kicker = f"引用 [{ref.n}]" if ref.kind == "cite" else f"检索到的段落 #{ref.n}"
    span = locate(ref, document.text) if document else None
    date = document.date if document else ref.date
    meta = [escape(x) for x in (ref.source, ref.where, date) if x]
    if document is None or span is None:
        body = ('<div class="wenda-source-gone">这篇文档已从索引中删除或改写，以下是回答时的原文：'
                f"</div><div class=\"wenda-source-text\"><mark>{escape(ref.original)}</mark></div>")
    else:
        meta.append(f"第 {span[0]}–{span[1]} 字")
        body = f'<div class="wenda-source-text">{highlight(document.text, *span)}</div>'
    return (f'<article class="wenda-source"><div class="wenda-source-kicker">{kicker}</div>'
            f"<h3>{escape(ref.title or ref.source)}</h3>"
            f'<div class="wenda-source-meta">{" · ".join(meta)}</div>{body}</article>')
