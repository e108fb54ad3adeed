"""Sentence-aware chunking for Chinese (and some English) text.

A chunk is a run of whole sentences of at most ``size`` characters. Sentences end after
。！？；!?; … (and ". " in English) together with the closing quotes or brackets that follow,
and at every line break; they never end inside a number (``3.01%``), an English word or a
quotation. A sentence longer than ``size`` is cut, in order of preference, at sentence ends
inside its quotations, at clause punctuation (，、：), at spaces, and as a last resort at
``size`` characters (moved back so as not to cut an English word or number).
"""

from __future__ import annotations

from collections.abc import Callable

from rag.documents import Chunk, CleanText, SentenceSpan, SourceDocument
from rag.ingest.cleaning import clean
from rag.ingest.normalize import normalize

# Bump whenever the chunks of the same document can change, cleaning rules included (changes
# to ``normalize`` bump NORMALIZER_VERSION instead): the index manifest records both.
CHUNKER_VERSION = "2"

Span = tuple[int, int]

_CJK_TERMINATORS = "。！？；…｡"
_ASCII_TERMINATORS = "!?;"
_TERMINATORS = _CJK_TERMINATORS + _ASCII_TERMINATORS
_CLOSERS = "”’」』）)】》〉\"'"
_QUOTES = {"“": "”", "「": "」", "『": "』"}
_CLAUSE = "，、：,:"


def _is_ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _ends_sentence(text: str, i: int) -> bool:
    """Whether ``text[i]`` is a sentence terminator here (not "3.01", "Yahoo!Mail", "a.com")."""
    char, after = text[i], text[i + 1 : i + 2]
    if char in _CJK_TERMINATORS:
        return True
    if char in _ASCII_TERMINATORS:
        return not _is_ascii_alnum(after)
    return char == "." and (not after or after.isspace())


def _sentence_end(text: str, i: int, end: int) -> int:
    """End of the sentence whose terminator is at ``i``: absorb further terminators and
    closing quotes/brackets ("。”", "?!", "……")."""
    i += 1
    while i < end and (text[i] in _TERMINATORS or text[i] in _CLOSERS):
        i += 1
    return i


def _trim(text: str, start: int, end: int) -> Span | None:
    """The span without surrounding whitespace, or None when nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _sentences(text: str, start: int, end: int, quotes: bool) -> list[Span]:
    """Sentence spans of ``text[start:end]``; with ``quotes``, no split inside “…”/「…」/"…".

    Quotes are closed at line breaks, so an unbalanced quote (lost to a bad scrape) costs at
    most one line.
    """
    spans: list[Span] = []
    begin, i, expected = start, start, []
    while i < end:
        char = text[i]
        if char == "\n":
            spans.append((begin, i))
            begin, expected = i + 1, []
        elif quotes and expected and char == expected[-1]:
            expected.pop()
            if not expected and i > start and text[i - 1] in _TERMINATORS:
                i = _sentence_end(text, i, end)
                spans.append((begin, i))
                begin = i
                continue
        elif quotes and (char in _QUOTES or char == '"'):
            expected.append(_QUOTES.get(char, '"'))
        elif not expected and _ends_sentence(text, i):
            i = _sentence_end(text, i, end)
            spans.append((begin, i))
            begin = i
            continue
        i += 1
    spans.append((begin, end))
    return [span for s, e in spans if (span := _trim(text, s, e))]


def split_sentences(text: str) -> list[Span]:
    """Spans of the sentences of ``text``, whitespace between them excluded."""
    return _sentences(text, 0, len(text), quotes=True)


def _cut_after(chars: str) -> Callable[[str, int, int], list[Span]]:
    """A splitter cutting after any of ``chars`` (ASCII ones only when no letter or digit
    follows, so "1,000" and "10:30" stay whole)."""

    def split(text: str, start: int, end: int) -> list[Span]:
        cuts = [
            i + 1
            for i in range(start, end - 1)
            if text[i] in chars and not (text[i].isascii() and _is_ascii_alnum(text[i + 1]))
        ]
        bounds = [start, *cuts, end]
        return [span for s, e in zip(bounds, bounds[1:]) if (span := _trim(text, s, e))]

    return split


def _hard_split(text: str, start: int, end: int, size: int) -> list[Span]:
    """Cut every ``size`` characters, moved back to the start of an English word or number
    that the cut would break, unless that word fills the whole piece."""
    pieces = []
    while end - start > size:
        cut = start + size
        back = cut
        while back > start and _is_ascii_alnum(text[back - 1]) and _is_ascii_alnum(text[back]):
            back -= 1
        cut = back if back > start else cut
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return [span for s, e in pieces if (span := _trim(text, s, e))]


_SPLITTERS: tuple[Callable[[str, int, int], list[Span]], ...] = (
    lambda text, start, end: _sentences(text, start, end, quotes=False),
    _cut_after(_CLAUSE),
    _cut_after(" \t\u3000"),
)


def _split_long(text: str, start: int, end: int, size: int, level: int = 0) -> list[Span]:
    """Pieces of at most ``size`` characters of an over-long sentence."""
    if end - start <= size:
        return [(start, end)]
    if level == len(_SPLITTERS):
        return _hard_split(text, start, end, size)
    pieces = _SPLITTERS[level](text, start, end)
    if len(pieces) == 1:
        return _split_long(text, *pieces[0], size, level + 1)
    return [
        short
        for s, e in _pack(pieces, size, overlap=0)
        for short in _split_long(text, s, e, size, level + 1)
    ]


def _pack(units: list[Span], size: int, overlap: int) -> list[Span]:
    """Greedily group consecutive units into spans of at most ``size`` characters; each span
    after the first starts with the trailing units of the previous one that fit in
    ``overlap`` characters (always leaving room for at least one new unit)."""
    spans: list[Span] = []
    first = 0
    while first < len(units):
        last = first
        while last + 1 < len(units) and units[last + 1][1] - units[first][0] <= size:
            last += 1
        spans.append((units[first][0], units[last][1]))
        if last + 1 == len(units):
            break
        nxt = last + 1
        while (
            nxt - 1 > first
            and units[last][1] - units[nxt - 1][0] <= overlap
            and units[last + 1][1] - units[nxt - 1][0] <= size
        ):
            nxt -= 1
        first = nxt
    return spans


def chunk_spans(text: str, size: int, overlap: int) -> list[Span]:
    """Spans of chunks of whole sentences of at most ``size`` characters each, consecutive
    chunks sharing trailing sentences of up to ``overlap`` characters."""
    if size < 1 or not 0 <= overlap < size:
        raise ValueError(f"need size >= 1 and 0 <= overlap < size, got {size=}, {overlap=}")
    units = [piece for s, e in split_sentences(text) for piece in _split_long(text, s, e, size)]
    return _pack(units, size, overlap)


def chunk_document(doc: SourceDocument, size: int = 300, overlap: int = 60) -> list[Chunk]:
    """Clean, normalize and chunk one document; chunk offsets point into ``doc.text``, and
    each chunk keeps its sentences' spans (what answering quotes)."""
    cleaned = clean(doc.text)
    norm = normalize(cleaned.text)
    chunks = []
    for n, (start, end) in enumerate(chunk_spans(cleaned.text, size, overlap)):
        orig_start, orig_end = cleaned.to_original(start, end)
        chunks.append(
            Chunk(
                chunk_id=f"{doc.doc_id}#{n}",
                doc_id=doc.doc_id,
                source=doc.source,
                title=doc.title,
                date=doc.date,
                start=orig_start,
                end=orig_end,
                text=cleaned.text[start:end],
                norm=norm[start:end],
                location=doc.locate(orig_start, orig_end),
                sentences=_sentence_spans(cleaned, start, end),
            )
        )
    return chunks


def _sentence_spans(cleaned: CleanText, start: int, end: int) -> tuple[SentenceSpan, ...]:
    """The sentences of the chunk ``cleaned.text[start:end]``, cut as a passage is read
    (``split_sentences`` of the chunk's own text), each also located in the original."""
    return tuple(SentenceSpan(s, e, *cleaned.to_original(start + s, start + e))
                 for s, e in split_sentences(cleaned.text[start:end]))
