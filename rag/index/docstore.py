"""The docstore: documents, chunks and which vector row each chunk has, in one SQLite file.

Every change is a transaction (WAL journal), so a process killed at any moment leaves the
last committed state: the documents and chunks written so far, and the vectors whose rows
were committed. ``generation`` counts the committed lexical changes; the BM25 file is
stamped with the generation it was built from. Replaced and removed chunks are only marked
``retired`` until the next ingest starts, so that a reader still holding the state before an
ingest can read them to the end.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from rag.documents import Byline, Chunk, Location, Section, SentenceSpan, SourceDocument

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS documents (doc_id TEXT PRIMARY KEY, source TEXT, text TEXT,
    title TEXT, date TEXT, author TEXT, sections TEXT, origin TEXT, sha TEXT, bylines TEXT);
CREATE TABLE IF NOT EXISTS chunks (row INTEGER PRIMARY KEY AUTOINCREMENT, chunk_id TEXT,
    doc_id TEXT, start INTEGER, end INTEGER, text TEXT, norm TEXT, tokens TEXT, vec INTEGER,
    location TEXT, retired INTEGER NOT NULL DEFAULT 0, sentences TEXT);
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks (doc_id);
"""


class Docstore:
    """One SQLite connection, shared by threads under a lock (reads are short)."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # a killed process loses nothing committed
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    # -- meta -----------------------------------------------------------------------------
    def meta(self, key: str, default: int = 0) -> int:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return int(row[0]) if row else default

    def _set_meta(self, key: str, value: int) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, str(value)))

    @property
    def generation(self) -> int:
        return self.meta("generation")

    @property
    def committed_vectors(self) -> int:
        """Rows of the vector file that belong to the index; any beyond are a lost batch."""
        return self.meta("vectors")

    # -- reading --------------------------------------------------------------------------
    def count_documents(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]

    def count_chunks(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM chunks WHERE NOT retired").fetchone()[0]

    def fingerprints(self) -> dict[str, tuple[str, str]]:
        """doc_id -> (sha, origin) of every document: what an ingest compares against."""
        with self._lock:
            return {d: (s, o) for d, s, o in
                    self._db.execute("SELECT doc_id, sha, origin FROM documents")}

    def document(self, doc_id: str) -> SourceDocument | None:
        with self._lock:
            row = self._db.execute(f"SELECT {_DOCUMENT} FROM documents WHERE doc_id = ?",
                                   (doc_id,)).fetchone()
        return _document(row) if row else None

    def documents(self) -> Iterator[SourceDocument]:
        with self._lock:
            rows = self._db.execute(f"SELECT {_DOCUMENT} FROM documents "
                                    "ORDER BY doc_id").fetchall()
        return (_document(row) for row in rows)

    def chunk(self, row: int) -> Chunk | None:
        with self._lock:
            found = self._db.execute(
                "SELECT c.chunk_id, c.doc_id, IFNULL(d.source, ''), IFNULL(d.title, ''), d.date,"
                " c.start, c.end, c.text, c.norm, c.location, c.sentences FROM chunks c"
                " LEFT JOIN documents d USING (doc_id) WHERE c.row = ?",
                (int(row),)).fetchone()
        if found is None:
            return None
        chunk_id, doc_id, source, title, date, start, end, text, norm, location, sentences = found
        return Chunk(doc_id=doc_id, source=source, title=title, start=start, end=end,
                     chunk_id=chunk_id, date=date, text=text, norm=norm,
                     location=Location(*json.loads(location)) if location else Location(),
                     sentences=tuple(SentenceSpan(*s) for s in json.loads(sentences)))

    def layout(self) -> tuple[np.ndarray, np.ndarray]:
        """(chunk rows in order, their vector rows or -1): the live index, row by row."""
        with self._lock:
            pairs = self._db.execute("SELECT row, IFNULL(vec, -1) FROM chunks WHERE NOT retired"
                                     " ORDER BY row").fetchall()
        table = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        return table[:, 0].copy(), table[:, 1].copy()

    def tokens(self) -> Iterator[list[str]]:
        """The BM25 tokens of every chunk in row order, streamed."""
        cursor = self._db.cursor()
        with self._lock:
            cursor.execute("SELECT tokens FROM chunks WHERE NOT retired ORDER BY row")
        for (text,) in cursor:
            yield text.split(" ") if text else []

    def pending(self) -> list[int]:
        """Rows of the chunks that have no vector yet: every document's first chunk (its
        title and lead) before the rest, so that dense search reaches every document soonest."""
        with self._lock:
            return [r for (r,) in self._db.execute(
                "SELECT row FROM chunks WHERE vec IS NULL AND NOT retired"
                " ORDER BY chunk_id NOT LIKE '%#0', row")]

    def norms(self, rows: list[int]) -> list[str]:
        """The normalised text of the given chunk rows, in the same order."""
        with self._lock:
            found = dict(self._db.execute(
                f"SELECT row, norm FROM chunks WHERE row IN ({','.join('?' * len(rows))})",
                rows))
        return [found[r] for r in rows]

    # -- writing: each call is one transaction --------------------------------------------
    def put(self, documents: Iterable[tuple[SourceDocument, str, str, list[Chunk], list[str]]]
            ) -> None:
        """Insert or replace documents with their chunks and tokens:
        (document, origin, sha, chunks, space-joined tokens of each chunk)."""
        with self._lock, self._db:
            self._db.execute("BEGIN")
            for doc, origin, sha, chunks, tokens in documents:
                self._retire(doc.doc_id)
                self._db.execute(
                    "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (doc.doc_id, doc.source, doc.text, doc.title, doc.date, doc.author,
                     sections_json(doc), origin, sha, _bylines_json(doc)))
                self._db.executemany(
                    "INSERT INTO chunks (chunk_id, doc_id, start, end, text, norm, tokens,"
                    " location, sentences) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(c.chunk_id, c.doc_id, c.start, c.end, c.text, c.norm, t,
                      _location_json(c.location), json.dumps([s.to_list() for s in c.sentences]))
                     for c, t in zip(chunks, tokens)])
            self._set_meta("generation", self.generation + 1)

    def remove(self, doc_ids: list[str]) -> None:
        with self._lock, self._db:
            self._db.execute("BEGIN")
            for doc_id in doc_ids:
                self._retire(doc_id)
                self._db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
            self._set_meta("generation", self.generation + 1)

    def _retire(self, doc_id: str) -> None:
        self._db.execute("UPDATE chunks SET retired = 1 WHERE doc_id = ? AND NOT retired",
                         (doc_id,))

    def retired_vectors(self) -> list[int]:
        """Rows of the retired chunks that have a vector: what ``purge`` will forget."""
        with self._lock:
            return [r for (r,) in self._db.execute(
                "SELECT row FROM chunks WHERE retired AND vec IS NOT NULL")]

    def purge(self) -> None:
        """Delete the chunks retired by earlier ingests (no reader can still need them: a
        search takes the latest state when it starts)."""
        with self._lock, self._db:
            self._db.execute("BEGIN")
            self._db.execute("DELETE FROM chunks WHERE retired")

    def attach_vectors(self, rows: list[int], first: int) -> None:
        """Chunk ``rows[i]`` gets vector row ``first + i``; the vector file now holds
        ``first + len(rows)`` committed rows."""
        with self._lock, self._db:
            self._db.execute("BEGIN")
            self._db.executemany("UPDATE chunks SET vec = ? WHERE row = ?",
                                 [(first + i, r) for i, r in enumerate(rows)])
            self._set_meta("vectors", first + len(rows))


_DOCUMENT = "doc_id, source, text, title, date, author, sections, bylines"


def _document(row: tuple) -> SourceDocument:
    """A documents row (``_DOCUMENT``'s columns) as a SourceDocument."""
    sections = tuple(Section.of_list(s) for s in json.loads(row[6] or "[]"))
    bylines = tuple(Byline.of_list(b) for b in json.loads(row[7] or "[]"))
    return SourceDocument(*row[:6], sections=sections, bylines=bylines)


def sections_json(doc: SourceDocument) -> str:
    return json.dumps([s.to_list() for s in doc.sections], ensure_ascii=False)


def _bylines_json(doc: SourceDocument) -> str:
    return json.dumps([b.to_list() for b in doc.bylines])


def _location_json(location: Location) -> str | None:
    """None for a plain-text chunk (no page, no heading): most chunks, nothing to store."""
    where = [location.page, location.page_end, location.section]
    return None if where == [None, None, None] else json.dumps(where, ensure_ascii=False)
