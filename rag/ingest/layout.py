"""What a reader of a laid-out format (PDF, Word, web page, Markdown) hands the loader: the
text wenda indexes and the located sections of it (page, heading path).

``Outline`` builds that text block by block while keeping the heading path, so the Word,
web-page and Markdown readers share one notion of "the section a span is in".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.documents import Section

TABLE_CELL_SEPARATOR = " | "  # a table row is one line: "公司 | 涨幅 | 3.01%"


class SkipFile(Exception):
    """A file that cannot be loaded; the message is the one-line reason shown to people."""


@dataclass
class Extracted:
    """A file's text as wenda extracted it, where each part of it is, and its metadata."""

    text: str
    sections: list[Section] = field(default_factory=list)
    title: str = ""
    date: str | None = None
    author: str | None = None


class Outline:
    """Text assembled from blocks (one a line) under a heading path: ``heading`` opens a
    level (closing deeper ones), ``block`` adds a line, ``mark`` records that a span of an
    existing text lies under the current path. Consecutive spans under the same path are
    one ``Section``."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self._stack: list[tuple[int, str]] = []
        self.sections: list[Section] = []

    @property
    def text(self) -> str:
        return "".join(self._parts)

    @property
    def headings(self) -> tuple[str, ...]:
        return tuple(title for _, title in self._stack)

    def enter(self, level: int, title: str) -> None:
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        self._stack.append((level, title))

    def heading(self, level: int, title: str) -> None:
        title = fold(title)
        if title:
            self.enter(level, title)
            self.block(title)

    def block(self, text: str) -> None:
        text = text.strip()
        if not text:
            return
        if self._parts:
            self._parts.append("\n")
            self._length += 1
        self._parts.append(text)
        self._length += len(text)
        self.mark(self._length - len(text), self._length)

    def mark(self, start: int, end: int) -> None:
        last = self.sections[-1] if self.sections else None
        if last is not None and last.headings == self.headings:
            self.sections[-1] = Section(last.start, end, None, last.headings)
        else:
            self.sections.append(Section(start, end, None, self.headings))

    def located(self) -> list[Section]:
        """The sections, or none at all when no text is under a heading."""
        return self.sections if any(s.headings for s in self.sections) else []


def fold(text: str) -> str:
    """White space runs as one space, ends trimmed (a heading or a table cell)."""
    return re.sub(r"\s+", " ", text).strip()


_MARKDOWN_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")


def markdown_sections(text: str) -> list[Section]:
    """The heading path of every line of a Markdown text (ATX headings, "## 2.1 方法"; not
    inside fenced code)."""
    outline, fenced, offset = Outline(), False, 0
    for line in text.splitlines(keepends=True):
        if _FENCE.match(line):
            fenced = not fenced
        heading = None if fenced else _MARKDOWN_HEADING.match(line)
        if heading and fold(heading[2]):
            outline.enter(len(heading[1]), fold(heading[2]))
        if line.strip():
            outline.mark(offset, offset + len(line.rstrip()))
        offset += len(line)
    return outline.located()
