"""JSON Lines files of records (``{"id", "title", "text", "date"}`` a line) → documents, one
a record; a large or gzipped file is streamed a line at a time, so an archive of any size
is read in constant memory. A bad line is skipped with its number, never the whole file."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from rag.documents import SourceDocument
from rag.ingest.bylines import find_bylines
from rag.ingest.layout import SkipFile


def open_records(path: Path) -> BinaryIO:
    """A JSON Lines file opened for reading bytes, gunzipped on the fly if it is a .gz."""
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else path.open("rb")


def json_object(line: str) -> dict:
    """One JSON Lines line as an object; ValueError with a reason a person can act on."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise ValueError(f"not valid JSON ({err.msg}, column {err.colno})") from None
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    return record


def jsonl_documents(path: Path, file_id: str, text: str, skipped: list[tuple[str, str]]
                    ) -> list[SourceDocument]:
    """One document per record of a decoded file; a malformed record is skipped with its
    line number."""
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


def streamed_records(path: Path, file_id: str, skipped: list[tuple[str, str]]
                     ) -> Iterator[SourceDocument]:
    """The records of a large or gzipped JSON Lines file, read a line at a time (UTF-8, as
    JSON is); a bad line is skipped with its number."""
    try:
        with open_records(path) as stream:
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
        bylines=find_bylines(text),
    )
