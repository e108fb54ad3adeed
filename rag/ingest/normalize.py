"""Matching normalization: one script (Simplified), half-width ASCII, lowercase.

``normalize`` keeps the length of its input, character for character, so a span of the
normalized text is the same span of the cleaned text and ``CleanText``'s offset map still
points into the original article.

Width folding follows NFKC for the full-width ASCII block (``ＡＢＣ１２３`` → ``ABC123`` and
also ``，？！：；（）`` → ``,?!:;()``) and the ideographic space (→ ``" "``); CJK punctuation
that has no ASCII twin (``。、「」《》…``) is kept as is. Seeds mix both comma styles, so
folding them makes "，" and "," match.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Literal

import opencc

Script = Literal["zh-Hans", "zh-Hant", "en"]

# Bump whenever normalize() can return something else: indexes record it and refuse a mismatch.
NORMALIZER_VERSION = "1"

_WIDTH_AND_CASE = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: ord(" ")}
_WIDTH_AND_CASE |= {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
_WIDTH_AND_CASE |= {c + 0xFEE0: c + 32 for c in range(ord("A"), ord("Z") + 1)}

# Segments converted as a whole, so OpenCC's phrase tables apply (著作 stays 著作, 著 → 着).
_SEGMENT = re.compile(r"[^\s。！？；，、：.!?;,:]+")
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")  # a Han character (CJK, Ext. A, compat.)
_ASCII_LETTER = re.compile(r"[A-Za-z]")

# Share of ASCII letters among letters and Han characters above which a text counts as English.
ENGLISH_LETTER_SHARE = 0.9


@cache
def _converter(config: str) -> opencc.OpenCC:
    """One OpenCC converter per config, built on first use (loading dictionaries takes ms)."""
    return opencc.OpenCC(config)


@cache
def _convert_char(config: str, char: str) -> str:
    converted = _converter(config).convert(char)
    return converted if len(converted) == 1 else char


def _convert_same_length(text: str, config: str) -> str:
    """Convert phrase-aware per segment, and char by char where a phrase conversion would
    change the segment's length."""
    parts, last = [], 0
    for m in _SEGMENT.finditer(text):
        segment = m.group()
        if segment.isascii():
            continue
        converted = _converter(config).convert(segment)
        if len(converted) != len(segment):
            converted = "".join(_convert_char(config, c) for c in segment)
        parts += [text[last : m.start()], converted]
        last = m.end()
    parts.append(text[last:])
    return "".join(parts)


def normalize(text: str) -> str:
    """Fold width, lowercase ASCII and convert to Simplified, keeping the length of ``text``."""
    return _convert_same_length(text.translate(_WIDTH_AND_CASE), "t2s")


def to_simplified(text: str) -> str:
    """Convert to Simplified Chinese (OpenCC ``t2s``) for display; length may change."""
    return _converter("t2s").convert(text)


def to_traditional(text: str) -> str:
    """Convert to Traditional Chinese (OpenCC ``s2t``: characters only, no regional
    vocabulary), to reply in the script of a Traditional question."""
    return _converter("s2t").convert(text)


def detect_script(text: str) -> Script:
    """Tell whether ``text`` is English, Traditional or Simplified Chinese.

    Mostly ASCII letters → ``en``. Otherwise count the characters that change under
    Traditional → Simplified (Traditional-only) and under Simplified → Traditional
    (Simplified-only); the larger count wins, a tie (no telling characters) is Simplified.
    """
    han = HAN.findall(text)
    letters = len(_ASCII_LETTER.findall(text))
    if letters and letters >= ENGLISH_LETTER_SHARE * (letters + len(han)):
        return "en"
    han_text = "".join(han)
    traditional = _changed(han_text, "t2s")
    simplified = _changed(han_text, "s2t")
    return "zh-Hant" if traditional > simplified else "zh-Hans"


def _changed(text: str, config: str) -> int:
    return sum(a != b for a, b in zip(text, _convert_same_length(text, config)))
