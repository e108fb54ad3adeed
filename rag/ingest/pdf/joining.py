"""How wrapped lines join: scripts written without spaces (CJK) join with nothing, others
with a space, and a hyphen at a line end goes before a lower-case continuation."""

from __future__ import annotations


def is_cjk(char: str) -> bool:
    """Han, kana, hangul and CJK/full-width punctuation: scripts written without spaces."""
    if not char:
        return False
    code = ord(char)
    return (0x2E80 <= code <= 0x9FFF or 0xAC00 <= code <= 0xD7AF or 0xF900 <= code <= 0xFAFF
            or 0xFE30 <= code <= 0xFE4F or 0xFF00 <= code <= 0xFFEF or 0x20000 <= code <= 0x3FFFF)


def joint(tail: str, line: str) -> tuple[int, str]:
    """How a text ending in ``tail`` goes on with the wrapped ``line``: characters to drop
    from the text and the separator. "co-" + "operate" → "cooperate" (the hyphen dropped),
    "DALL-" + "E3" → "DALL-E3", a space between two words of a spaced script, nothing
    where the nearest letter on either side is CJK ("產出," + "“總之")."""
    a, b = tail[-1:], line[:1]
    if not a or not b or a.isspace():
        return 0, ""
    if a == "-":
        return (1, "") if tail[-2:-1].isalpha() and b.islower() else (0, "")
    before = next((ch for ch in reversed(tail) if ch.isalnum()), "")
    after = next((ch for ch in line if ch.isalnum()), "")
    if is_cjk(a) or is_cjk(b) or is_cjk(before) or is_cjk(after):
        return 0, ""
    return 0, " "
