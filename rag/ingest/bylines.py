"""Byline lines: who reported, edited or published an article ("本報記者 樊三彩", "◎陳寧",
"責任編輯:劉萬里", "本文作者:新智元,來源:新智元").

A byline stands on a short line of its own and shares no words with a question about it,
so it is found once, when a document is loaded, and kept as the document's metadata
(``SourceDocument.bylines``): the loader never takes one for a title, and answering gives a
question asking "who wrote it" the byline it asks for without reading the article again.
The role patterns here are the only ones: answering matches sentences against them too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rag.documents import Byline
from rag.ingest.normalize import normalize

_NAME = r"[\u4e00-\u9fff]{2,4}"
# What each role's line looks like, matched whole against the stripped, normalized line
# (Simplified, half-width: "責任編輯：" reads "责任编辑:").
ROLES: dict[str, re.Pattern[str]] = {
    "reporter": re.compile(rf"◎\s*\S{{2,4}}|\S{{0,8}}记者\s*{_NAME}(?:\s+\S{{2,4}})*\.?"
                           r"|(?:本文)?作者\s*[:/].+|(?:文|撰文|撰稿)\s*[:/]\s*\S{2,12}"),
    "editor": re.compile(r"(?:责任)?编辑\s*:.+"),
    "source": re.compile(r"(?:来源|(?:本文)?作者\s*:.*来源)\s*:.+"),
}
MAX_BYLINE = 120  # characters: a byline is a short line


def roles(line: str) -> tuple[str, ...]:
    """The roles a line names, when it is a byline (else empty); ``line`` as written."""
    line = line.strip()
    if not line or len(line) > MAX_BYLINE:
        return ()
    norm = normalize(line)
    return tuple(role for role, pattern in ROLES.items() if pattern.fullmatch(norm))


def is_byline(line: str) -> bool:
    """Whether ``line`` is a byline rather than text or a title."""
    return bool(roles(line))


def find_bylines(text: str) -> tuple[Byline, ...]:
    """The byline lines of a document's text, in order, each stripped of surrounding
    whitespace."""
    return tuple(Byline(start, end, found) for start, end in _lines(text)
                 if (found := roles(text[start:end])))


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """The span of every line without its surrounding whitespace (blank lines skipped)."""
    for m in re.finditer(r"[^\n]+", text):
        line = m[0]
        stripped = line.strip()
        if stripped:
            start = m.start() + line.index(stripped)
            yield start, start + len(stripped)
