"""Read files and folders into SourceDocuments: .txt, .md, .html/.htm, .jsonl, .jsonl.gz,
.pdf, .docx. This module walks the paths and hands each file to its format's reader
(``decoding``, ``records``, ``html``, ``pdf``, ``docx``, ``layout`` for Markdown).

One bad file never stops a load: it is skipped with a one-line reason that says what to do,
and the reasons are returned next to the documents so that a CLI or UI can show them.
Office formats wenda cannot read (.doc, .ppt…) found in a folder are reported the same way.
Archives (.jsonl.gz, and .jsonl over the size limit) are streamed a record at a time, so a
news archive of any size is read in constant memory; ``iter_documents`` yields as it reads.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from rag.documents import Section, SourceDocument
from rag.ingest.bylines import find_bylines, is_byline
from rag.ingest.cleaning import clean
from rag.ingest.decoding import decode
from rag.ingest.docx import read_docx
from rag.ingest.html import read_html
from rag.ingest.layout import Extracted, SkipFile, markdown_sections
from rag.ingest.pdf import read_pdf
from rag.ingest.records import jsonl_documents, open_records, streamed_records

SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl", ".jsonl.gz", ".pdf", ".docx")
_BINARY_READERS = {".pdf": read_pdf, ".docx": read_docx}
# Document types people keep beside the ones above: named in the ingest summary, not ignored.
UNSUPPORTED = {
    ".doc": "old Word format (.doc) is not supported; save it as .docx",
    ".wps": "WPS document format is not supported; save it as .docx",
    ".rtf": "RTF is not supported; save it as .docx",
    ".odt": "OpenDocument text is not supported; save it as .docx",
    ".ppt": "PowerPoint files are not supported; export them as PDF",
    ".pptx": "PowerPoint files are not supported; export them as PDF",
    ".xls": "spreadsheets are not supported; export the text as .txt or .jsonl",
    ".xlsx": "spreadsheets are not supported; export the text as .txt or .jsonl",
}
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_TITLE_CHARS = 80
# The "#" marks of a markdown heading, opening and optional closing ("## 標題 ##", not "C#").
_MARKDOWN_HEADING = re.compile(r"^#+\s*|\s+#+$")


@dataclass
class LoadResult:
    """The documents read, and the (path, reason) of everything that was skipped."""

    documents: list[SourceDocument] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def load_paths(paths: Iterable[str | Path], max_bytes: int = DEFAULT_MAX_BYTES) -> LoadResult:
    """Load every supported file named in ``paths`` or found in folders among them.

    Folders are walked recursively in sorted order; hidden files and folders and files of
    other types are ignored there. Raises FileNotFoundError, before reading anything, when a
    path does not exist.
    """
    result = LoadResult()
    result.documents.extend(iter_documents(paths, result.skipped, max_bytes))
    return result


def iter_documents(paths: Iterable[str | Path], skipped: list[tuple[str, str]],
                   max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[SourceDocument]:
    """``load_paths`` as a stream: documents one at a time, skip reasons appended to
    ``skipped`` as they happen."""
    roots = [Path(p) for p in paths]
    for root in roots:
        if not root.exists():
            raise FileNotFoundError(f"{root}: no such file or folder; check the path")
    seen: set[str] = set()
    for path, doc_id in _files(roots):
        try:
            documents = _load_file(path, doc_id, max_bytes, skipped)
            for doc in documents:
                if doc.doc_id in seen:
                    skipped.append(
                        (str(path), f"duplicate id {doc.doc_id!r}; load the parent folder instead")
                    )
                    continue
                seen.add(doc.doc_id)
                yield doc
        except SkipFile as why:
            skipped.append((str(path), str(why)))


def count_documents(paths: Iterable[str | Path]) -> int:
    """About how many documents ``iter_documents`` will yield (a record a line in JSON
    Lines): the total of a progress bar, found by one cheap pass without parsing."""
    total = 0
    for path, _ in _files([Path(p) for p in paths]):
        if _suffix(path) not in (".jsonl", ".jsonl.gz"):
            total += 1
            continue
        with open_records(path) as stream:
            total += sum(block.count(b"\n") for block in iter(lambda: stream.read(1 << 20), b""))
    return total


def _suffix(path: Path) -> str:
    name = path.name.lower()
    return ".jsonl.gz" if name.endswith(".jsonl.gz") else path.suffix.lower()


def _files(roots: list[Path]) -> Iterator[tuple[Path, str]]:
    """(file, doc_id) for every file to load; doc_id is relative to its folder root."""
    for root in roots:
        if root.is_file():
            yield root, root.name
            continue
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root)
            hidden = any(part.startswith(".") for part in rel.parts)
            known = _suffix(path) in SUFFIXES or _suffix(path) in UNSUPPORTED
            if path.is_file() and not hidden and known:
                yield path, rel.as_posix()


def _load_file(
    path: Path, doc_id: str, max_bytes: int, skipped: list[tuple[str, str]]
) -> Iterable[SourceDocument]:
    suffix = _suffix(path)
    if suffix in UNSUPPORTED:
        raise SkipFile(UNSUPPORTED[suffix])
    if suffix not in SUFFIXES:
        raise SkipFile(
            f"unsupported file type {suffix or '(none)'!r}; convert it to one of "
            + ", ".join(SUFFIXES)
        )
    if suffix == ".jsonl.gz" or (suffix == ".jsonl" and _size_of(path) > max_bytes):
        return streamed_records(path, doc_id, skipped)
    data = _read(path, max_bytes)
    if suffix in _BINARY_READERS:
        extracted = _extract(_BINARY_READERS[suffix], data, suffix)
    else:
        text = decode(data)
        if suffix == ".jsonl":
            return jsonl_documents(path, doc_id, text, skipped)
        if suffix in (".html", ".htm"):
            extracted = read_html(text)
        elif suffix == ".md":
            extracted = Extracted(text, markdown_sections(text))
        else:
            extracted = Extracted(text)
    if not extracted.text.strip():
        raise SkipFile("no text in the file; nothing to index")
    title = extracted.title or _first_line_title(extracted.text)
    return [SourceDocument(doc_id=doc_id, source=path.name, text=extracted.text, title=title,
                           date=extracted.date, author=extracted.author,
                           sections=tuple(_below_title(s, title) for s in extracted.sections),
                           bylines=find_bylines(extracted.text))]


def _below_title(section: Section, title: str) -> Section:
    """The section's heading path without the document's title, which a citation already
    shows ("第二章 > 2.1", not "年报 > 第二章 > 2.1")."""
    if section.headings[:1] == (title,):
        return replace(section, headings=section.headings[1:])
    return section


def _extract(reader: Callable[[bytes], Extracted], data: bytes, suffix: str) -> Extracted:
    """Run a binary format's reader; whatever a damaged file makes its parser raise
    becomes the file's skip reason."""
    try:
        return reader(data)
    except SkipFile:
        raise
    except Exception as err:  # parsers of damaged files raise anything
        raise SkipFile(f"not a readable {suffix} file (damaged or truncated: "
                       f"{type(err).__name__}); re-save or re-download it") from None


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as err:
        raise SkipFile(f"cannot read the file ({err.strerror}); check its permissions") from err


def _read(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise SkipFile(
                f"file is {_size(size)}, over the {_size(max_bytes)} limit;"
                " split it or raise max_bytes"
            )
        data = path.read_bytes()
    except OSError as err:
        raise SkipFile(f"cannot read the file ({err.strerror}); check its permissions") from err
    if not data:
        raise SkipFile("empty file; nothing to index")
    return data


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n} bytes"


def _first_line_title(text: str) -> str:
    """The first non-empty line of the cleaned text that is not a byline, without
    markdown '#', if short enough."""
    for line in clean(text).text.splitlines():
        line = _MARKDOWN_HEADING.sub("", line.strip())
        if line and not is_byline(line):
            return line if len(line) <= MAX_TITLE_CHARS else ""
    return ""
