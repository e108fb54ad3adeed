"""Documents benchmark, part (a) text: how much of each seed article comes back from each
format, and the PDF readers compared (wenda's against pypdf's, pdfminer.six's and
pdfplumber's own text modes: recall, precision, spaces put between CJK characters, pages/s).
``documents_bench.py`` runs it."""

from __future__ import annotations

import difflib
import io
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pdfminer.high_level
import pdfplumber
import pypdf

from eval.formats import Article, fold
from rag.ingest import load_paths
from rag.ingest.pdf import read_pdf

_CJK_SPACE = re.compile(r"[\u3400-\u9fff]\s+(?=[\u3400-\u9fff])")


def agreement(source: str, extracted: str) -> dict[str, int]:
    ref, got = fold(source), fold(extracted)
    matcher = difflib.SequenceMatcher(None, ref, got, autojunk=False)
    same = sum(block.size for block in matcher.get_matching_blocks())
    return {"source_chars": len(ref), "extracted_chars": len(got), "matched": same,
            "cjk_spaces": len(_CJK_SPACE.findall(extracted)) - len(_CJK_SPACE.findall(source))}


def totals(rows: list[dict[str, int]]) -> dict[str, Any]:
    total = {key: sum(r[key] for r in rows) for key in rows[0]}
    total["recall"] = total["matched"] / total["source_chars"]
    total["precision"] = total["matched"] / total["extracted_chars"]
    total["worst_doc_recall"] = min(r["matched"] / r["source_chars"] for r in rows)
    return total


def text_fidelity(corpora: dict[str, Path], sources: dict[str, tuple[str, Article]]) -> dict:
    out = {}
    for name, folder in corpora.items():
        if name == "txt":
            continue
        loaded = load_paths([folder])
        rows = [agreement(sources[d.doc_id.split(".")[0]][0], d.text) for d in loaded.documents]
        out[name] = {**totals(rows), "skipped": loaded.skipped}
    return out


def _pypdf(data: bytes) -> tuple[str, int]:
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return "\n".join(p.extract_text() for p in pages), len(pages)


def _pdfminer(data: bytes) -> tuple[str, int]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        pages = len(pdf.pages)
    return pdfminer.high_level.extract_text(io.BytesIO(data)), pages


def _pdfplumber(data: bytes) -> tuple[str, int]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(p.extract_text() for p in pdf.pages), len(pdf.pages)


def _wenda(data: bytes) -> tuple[str, int]:
    extracted = read_pdf(data)
    return extracted.text, extracted.sections[-1].page


READERS: dict[str, Callable[[bytes], tuple[str, int]]] = {
    "pypdf": _pypdf, "pdfminer.six extract_text": _pdfminer,
    "pdfplumber extract_text": _pdfplumber, "wenda (pdfplumber glyphs + layout)": _wenda}


def pdf_readers(corpora: dict[str, Path], sources: dict[str, tuple[str, Article]]) -> dict:
    out: dict[str, dict] = {}
    for layout in ("pdf-1col", "pdf-2col"):
        files = sorted(corpora[layout].glob("*.pdf"))
        for name, reader in READERS.items():
            rows, pages, began = [], 0, time.perf_counter()
            for path in files:
                text, n = reader(path.read_bytes())
                pages += n
                rows.append(agreement(sources[path.stem][0], text))
            seconds = time.perf_counter() - began
            out.setdefault(name, {})[layout] = {**totals(rows), "pages": pages,
                                                "pages_per_s": pages / seconds}
    return out
