"""Bytes of unknown encoding → text: Unicode with a BOM, UTF-8, then the likeliest legacy
Chinese encoding; binary data is refused with a reason."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from rag.ingest.layout import SkipFile

# Legacy encodings of Chinese text that charset_normalizer chooses among when a file is not
# UTF-8; restricting it keeps short texts from being read as Korean or Cyrillic.
LEGACY_ENCODINGS = ["gb18030", "big5", "cp950"]
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes) -> str:
    """Decode text of unknown encoding: Unicode with a BOM (stripped), strict UTF-8, then the
    likeliest legacy Chinese encoding (GB18030/GBK, Big5). Raises SkipFile for binary data."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as err:
                raise SkipFile(f"not valid {encoding} despite its BOM; re-save as UTF-8") from err
    if b"\x00" in data:
        raise SkipFile("binary file (contains NUL bytes); convert it to text first")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=LEGACY_ENCODINGS).best()
    if best is None:
        raise SkipFile("unknown text encoding (not UTF-8, GBK or Big5); re-save it as UTF-8")
    return str(best)
