"""Read files and folders into SourceDocuments: .txt, .md, .html/.htm, .jsonl, .jsonl.gz,
.pdf, .docx.

One bad file never stops a load: it is skipped with a one-line reason that says what to do,
and the reasons are returned next to the documents so that a CLI or UI can show them.
Office formats wenda cannot read (.doc, .ppt…) found in a folder are reported the same way.
Archives (.jsonl.gz, and .jsonl over the size limit) are streamed a record at a time, so a
news archive of any size is read in constant memory; ``iter_documents`` yields as it reads.
"""

from __future__ import annotations

import codecs
import gzip
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path

from charset_normalizer import from_bytes

from rag.documents import Section, SourceDocument
from rag.ingest.cleaning import clean, is_byline
from rag.ingest.docx import read_docx
from rag.ingest.html import read_html
from rag.ingest.layout import Extracted, SkipFile, markdown_sections
from rag.ingest.pdf import read_pdf

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
# Whitespace that HTML collapses; &nbsp; (U+00A0) is not part of it.
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")

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
        with _open_binary(path) as stream:
            total += sum(block.count(b"\n") for block in iter(lambda: stream.read(1 << 20), b""))
    return total


def _suffix(path: Path) -> str:
    name = path.name.lower()
    return ".jsonl.gz" if name.endswith(".jsonl.gz") else path.suffix.lower()


def _open_binary(path: Path):  # noqa: ANN202 - a binary file object, plain or gzip
    return gzip.open(path, "rb") if _suffix(path) == ".jsonl.gz" else path.open("rb")


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
        return _streamed_records(path, doc_id, skipped)
    data = _read(path, max_bytes)
    if suffix in _BINARY_READERS:
        extracted = _extract(_BINARY_READERS[suffix], data, suffix)
    else:
        text = decode(data)
        if suffix == ".jsonl":
            return _jsonl_documents(path, doc_id, text, skipped)
        if suffix in (".html", ".htm"):
            extracted = read_html(text) or _whole_page(text)
        elif suffix == ".md":
            extracted = Extracted(text, markdown_sections(text))
        else:
            extracted = Extracted(text)
    if not extracted.text.strip():
        raise SkipFile("no text in the file; nothing to index")
    title = extracted.title or _first_line_title(extracted.text)
    return [SourceDocument(doc_id=doc_id, source=path.name, text=extracted.text, title=title,
                           date=extracted.date, author=extracted.author,
                           sections=tuple(_below_title(s, title) for s in extracted.sections))]


def _below_title(section: Section, title: str) -> Section:
    """The section's heading path without the document's title, which a citation already
    shows ("第二章 > 2.1", not "年报 > 第二章 > 2.1")."""
    if section.headings[:1] == (title,):
        return replace(section, headings=section.headings[1:])
    return section


def _whole_page(html: str) -> Extracted:
    text, title = html_to_text(html)
    return Extracted(text, title=title)


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


def _streamed_records(path: Path, file_id: str, skipped: list[tuple[str, str]]
                      ) -> Iterator[SourceDocument]:
    """The records of a large or gzipped JSON Lines file, read a line at a time (UTF-8, as
    JSON is); a bad line is skipped with its number."""
    try:
        with _open_binary(path) as stream:
            for number, raw in enumerate(stream, start=1):
                if not raw.strip():
                    continue
                try:
                    line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
                    yield _record(path, file_id, line)
                except UnicodeDecodeError:
                    skipped.append((str(path), f"line {number}: not UTF-8; re-save as UTF-8"))
                except ValueError as why:
                    skipped.append((str(path), f"line {number}: {why}; fix or remove the line"))
    except (OSError, EOFError) as err:  # gzip.BadGzipFile is an OSError
        raise SkipFile(f"cannot read the archive ({err}); check the file") from err


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


def _first_line_title(text: str) -> str:
    """The first non-empty line of the cleaned text that is not a byline, without
    markdown '#', if short enough."""
    for line in clean(text).text.splitlines():
        line = _MARKDOWN_HEADING.sub("", line.strip())
        if line and not is_byline(line):
            return line if len(line) <= MAX_TITLE_CHARS else ""
    return ""


def _jsonl_documents(
    path: Path, file_id: str, text: str, skipped: list[tuple[str, str]]
) -> list[SourceDocument]:
    """One document per record; a malformed record is skipped with its line number."""
    documents = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            documents.append(_record(path, file_id, line))
        except ValueError as why:
            skipped.append((str(path), f"line {number}: {why}; fix or remove the line"))
    if not documents and not skipped:
        raise SkipFile("no records in the file; nothing to index")
    return documents


def json_object(line: str) -> dict:
    """One JSON Lines line as an object; ValueError with a reason a person can act on."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise ValueError(f"not valid JSON ({err.msg}, column {err.colno})") from None
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    return record


def _record(path: Path, file_id: str, line: str) -> SourceDocument:
    record = json_object(line)
    text, rec_id = record.get("text"), record.get("id")
    if not isinstance(text, str) or not text.strip():
        raise ValueError('no "text" string')
    if not isinstance(rec_id, (str, int)) or isinstance(rec_id, bool) or str(rec_id) == "":
        raise ValueError('no "id" string or number')
    title, date = record.get("title"), record.get("date")
    return SourceDocument(
        doc_id=f"{file_id}#{rec_id}",
        source=path.name,
        text=text,
        title=title.strip() if isinstance(title, str) else "",
        date=str(date) if date not in (None, "") else None,
    )


class _HTMLText(HTMLParser):
    """Collect the visible text of a page: block tags become line breaks, script/style and
    the like are dropped, entities are unescaped (convert_charrefs)."""

    BLOCK = frozenset(
        {"address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt"}
        | {"figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6"}
        | {"header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table"}
        | {"td", "th", "tr", "ul"}
    )
    HIDDEN = frozenset({"script", "style", "noscript", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self.h1: list[str] = []
        self._hidden = 0
        self._in: str | None = None  # "title" or "h1" while collecting one

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title" or (tag == "h1" and not self.h1):
            self._in = tag
        if tag in self.HIDDEN:
            self._hidden += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None
        if tag in self.HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in == "title":  # metadata, not part of the page text
            self.title.append(data)
            return
        if self._in == "h1":
            self.h1.append(data)
        if not self._hidden:
            self.parts.append(_HTML_SPACE.sub(" ", data))


def html_to_text(html: str) -> tuple[str, str]:
    """Visible text of an HTML page (one block per line) and its title (<title>, else <h1>):
    how a page without a recognisable article is read."""
    parser = _HTMLText()
    parser.feed(html)
    parser.close()
    lines = (line.strip(" ") for line in "".join(parser.parts).split("\n"))
    title = _HTML_SPACE.sub(" ", "".join(parser.title or parser.h1)).strip()
    return "\n".join(line for line in lines if line), title
