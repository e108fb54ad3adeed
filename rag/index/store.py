"""A corpus index on disk: documents, chunks, their vectors, and a manifest saying how it was built.

Layout of an index folder::

    manifest.json     embedder, dimension, chunker/normaliser versions, corpus fingerprint
    docstore.sqlite   documents (original text) and chunks (spans, text, BM25 tokens)
    vectors.faiss     one normalised vector per chunk, row = chunk row

The whole folder is written next to the old one and swapped in by renames, so a crash or a
bad input never leaves a half-written index. No pickle anywhere.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings
from tqdm import tqdm

from embeddings import wenda_home
from rag.documents import Chunk, Section, SourceDocument
from rag.index.bm25 import BM25, chunk_tokens
from rag.index.settings import DEFAULT_INDEX, IndexSettings
from rag.index.vectors import VectorIndex
from rag.ingest.chunking import CHUNKER_VERSION, chunk_document
from rag.ingest.loading import load_paths
from rag.ingest.normalize import NORMALIZER_VERSION

# 2: documents carry author and located sections (page, heading path) as JSON.
INDEX_FORMAT = 2
DEFAULT_CHUNK_SIZE = DEFAULT_INDEX.chunk_size
DEFAULT_OVERLAP = DEFAULT_INDEX.overlap


class CorpusIndexError(RuntimeError):
    """The index is missing or does not match this wenda; the message says how to fix it."""


def default_index_dir() -> Path:
    return wenda_home() / "indexes" / "seeds"


def default_corpus() -> Path:
    """The seed articles shipped with the project."""
    return Path(os.environ.get("WENDA_SEEDS") or Path(__file__).resolve().parents[2] / "seeds")


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    chunks: int = 0
    embedded: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [
            f"{len(self.added)} added, {len(self.updated)} updated, {self.unchanged} unchanged, "
            f"{len(self.removed)} removed; {self.chunks} chunks ({self.embedded} embedded) "
            f"in {self.seconds:.1f} s"
        ]
        lines += [f"skipped {path}: {reason}" for path, reason in self.skipped]
        return "\n".join(lines)


def _fingerprint(doc: SourceDocument) -> str:
    return hashlib.sha256(json.dumps([doc.text, doc.title, doc.date, doc.author,
                                      _sections_json(doc)]).encode()).hexdigest()


def _sections_json(doc: SourceDocument) -> str:
    return json.dumps([s.to_list() for s in doc.sections], ensure_ascii=False)


def _stored_document(row: tuple) -> SourceDocument:
    """A documents-table row (doc_id, source, text, title, date, author, sections)."""
    return SourceDocument(*row[:6], sections=tuple(Section.of_list(s) for s in json.loads(row[6])))


@dataclass
class _StoredDocument:
    document: SourceDocument
    origin: str  # absolute path of the file it came from; decides what a re-ingest drops
    sha: str


class CorpusIndex:
    """Documents + chunks + vectors of one corpus, built with one embedder and one chunker."""

    def __init__(self, path: Path, manifest: dict, documents: dict[str, _StoredDocument],
                 chunks: list[Chunk], tokens: list[list[str]], vectors: VectorIndex) -> None:
        self.path = path
        self.manifest = manifest
        self._documents = documents
        self.chunks = chunks
        self.tokens = tokens
        self.vectors = vectors
        self._bm25: BM25 | None = None

    @property
    def bm25(self) -> BM25:
        """The sparse index, derived from the stored tokens on first use."""
        if self._bm25 is None:
            self._bm25 = BM25(self.tokens, k1=self.settings.k1, b=self.settings.b)
        return self._bm25

    @property
    def settings(self) -> IndexSettings:
        """How this index was chunked and tokenized (from its manifest)."""
        return IndexSettings.from_dict(self.manifest)

    # -- reading -------------------------------------------------------------------------
    @property
    def embedder_name(self) -> str:
        return self.manifest["embedder"]

    def document(self, doc_id: str) -> SourceDocument:
        return self._documents[doc_id].document

    @property
    def documents(self) -> list[SourceDocument]:
        return [stored.document for stored in self._documents.values()]

    @classmethod
    def exists(cls, path: Path) -> bool:
        _recover(path)
        return (path / "manifest.json").exists()

    @classmethod
    def open(cls, path: Path) -> CorpusIndex:
        if not cls.exists(path):
            raise CorpusIndexError(
                f"no index at {path}; build one with `wenda ingest FOLDER --index {path}`"
            )
        manifest = json.loads((path / "manifest.json").read_text())
        _check_compatible(manifest, path)
        db = sqlite3.connect(path / "docstore.sqlite")
        try:
            documents = {
                row[0]: _StoredDocument(_stored_document(row[:7]), origin=row[7], sha=row[8])
                for row in db.execute("SELECT doc_id, source, text, title, date, author, sections,"
                                      " origin, sha FROM documents")
            }
            chunks, tokens = [], []
            for row in db.execute(
                "SELECT chunk_id, doc_id, start, end, text, norm, tokens FROM chunks ORDER BY row"
            ):
                doc = documents[row[1]].document
                chunks.append(Chunk(chunk_id=row[0], doc_id=row[1], source=doc.source,
                                    title=doc.title, date=doc.date, start=row[2], end=row[3],
                                    text=row[4], norm=row[5],
                                    location=doc.locate(row[2], row[3])))
                tokens.append(row[6].split(" ") if row[6] else [])
        finally:
            db.close()
        vectors = VectorIndex.load(path / "vectors.faiss")
        if len(vectors) != len(chunks):
            raise CorpusIndexError(f"index at {path} is inconsistent ({len(vectors)} vectors, "
                              f"{len(chunks)} chunks); rebuild it with `wenda ingest --rebuild`")
        return cls(path, manifest, documents, chunks, tokens, vectors)

    @classmethod
    def empty(cls, path: Path, embedder_name: str, dimension: int,
              settings: IndexSettings = DEFAULT_INDEX) -> CorpusIndex:
        manifest = {
            "format": INDEX_FORMAT,
            "embedder": embedder_name,
            "dimension": dimension,
            "normalizer_version": NORMALIZER_VERSION,
            "chunker_version": CHUNKER_VERSION,
            **settings.to_dict(),
        }
        return cls(path, manifest, {}, [], [], VectorIndex(dimension))

    # -- writing -------------------------------------------------------------------------
    def ingest(self, paths: Iterable[str | Path], embedder: Embeddings,
               progress: bool = True) -> IngestReport:
        """Add new and changed documents under ``paths``, drop the ones deleted from them,
        keep the vectors of unchanged ones, then save atomically."""
        started = time.perf_counter()
        roots = [Path(p).resolve() for p in paths]
        report = IngestReport()
        incoming: dict[str, _StoredDocument] = {}
        for root in roots:
            loaded = load_paths([root])
            report.skipped += loaded.skipped
            for doc in loaded.documents:
                origin = root if root.is_file() else root / doc.doc_id.split("#", 1)[0]
                incoming[doc.doc_id] = _StoredDocument(doc, str(origin), _fingerprint(doc))

        keep: dict[str, _StoredDocument] = {}
        for doc_id, stored in self._documents.items():
            new = incoming.get(doc_id)
            if new is None and not _under(stored.origin, roots):
                keep[doc_id] = stored  # from another folder: not ours to judge
            elif new is None:
                report.removed.append(doc_id)
            elif new.sha == stored.sha:
                keep[doc_id] = stored
                report.unchanged += 1
        changed = [s for d, s in incoming.items() if d not in keep]
        for stored in changed:
            (report.updated if stored.document.doc_id in self._documents else report.added).append(
                stored.document.doc_id)

        kept_rows = [i for i, c in enumerate(self.chunks) if c.doc_id in keep]
        chunks = [self.chunks[i] for i in kept_rows]
        tokens = [self.tokens[i] for i in kept_rows]
        vectors = [self.vectors.vectors(kept_rows)]
        settings, new_chunks = self.settings, []
        for stored in changed:
            doc_chunks = chunk_document(stored.document, settings.chunk_size, settings.overlap)
            new_chunks += doc_chunks
            tokens += chunk_tokens(stored.document, doc_chunks, settings)
        if new_chunks:
            vectors.append(_embed(embedder, [c.norm for c in new_chunks], progress))
            chunks += new_chunks
        report.embedded = len(new_chunks)

        if changed or report.removed or not self.exists(self.path):
            self._documents = keep | {s.document.doc_id: s for s in changed}
            self.chunks, self.tokens, self._bm25 = chunks, tokens, None
            self.vectors = VectorIndex(self.manifest["dimension"])
            self.vectors.add(np.concatenate(vectors))
            self.save()
        report.chunks = len(self.chunks)
        report.seconds = time.perf_counter() - started
        return report

    def save(self) -> None:
        self.manifest.update(
            documents=len(self._documents),
            chunks=len(self.chunks),
            corpus_fingerprint=hashlib.sha256(
                "".join(sorted(s.sha for s in self._documents.values())).encode()).hexdigest(),
            saved_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.tmp-", dir=self.path.parent))
        try:
            self._write(tmp)
            _swap_in(tmp, self.path)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _write(self, folder: Path) -> None:
        db = sqlite3.connect(folder / "docstore.sqlite")
        with db:
            db.execute("CREATE TABLE documents (doc_id TEXT PRIMARY KEY, source TEXT, text TEXT,"
                       " title TEXT, date TEXT, author TEXT, sections TEXT, origin TEXT, sha TEXT)")
            db.execute("CREATE TABLE chunks (row INTEGER PRIMARY KEY, chunk_id TEXT, doc_id TEXT,"
                       " start INTEGER, end INTEGER, text TEXT, norm TEXT, tokens TEXT)")
            db.executemany("INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                (d.doc_id, d.source, d.text, d.title, d.date, d.author, _sections_json(d),
                 s.origin, s.sha)
                for s in self._documents.values() for d in [s.document]])
            db.executemany("INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
                (i, c.chunk_id, c.doc_id, c.start, c.end, c.text, c.norm, " ".join(t))
                for i, (c, t) in enumerate(zip(self.chunks, self.tokens))])
        db.close()
        self.vectors.save(folder / "vectors.faiss")
        (folder / "manifest.json").write_text(json.dumps(self.manifest, indent=2))


def _embed(embedder: Embeddings, texts: list[str], progress: bool, batch: int = 32) -> np.ndarray:
    out = []
    with tqdm(total=len(texts), desc="embed", unit="chunk", disable=not progress) as bar:
        for i in range(0, len(texts), batch):
            out.append(np.asarray(embedder.embed_documents(texts[i : i + batch]), np.float32))
            bar.update(len(out[-1]))
    return np.concatenate(out)


def _under(origin: str, roots: list[Path]) -> bool:
    return any(Path(origin) == r or Path(origin).is_relative_to(r) for r in roots)


def _check_compatible(manifest: dict, path: Path) -> None:
    expected = {"format": INDEX_FORMAT, "chunker_version": CHUNKER_VERSION,
                "normalizer_version": NORMALIZER_VERSION}
    for key, value in expected.items():
        if manifest.get(key) != value:
            raise CorpusIndexError(
                f"index at {path} was built with {key}={manifest.get(key)!r} but this wenda uses "
                f"{value!r}; rebuild it with `wenda ingest --rebuild PATH --index {path}`"
            )


def _swap_in(new: Path, final: Path) -> None:
    old = final.with_name(final.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    os.replace(new, final)
    shutil.rmtree(old, ignore_errors=True)


def _recover(final: Path) -> None:
    """Finish a swap that was interrupted between its two renames."""
    old = final.with_name(final.name + ".old")
    if not final.exists() and old.exists():
        os.replace(old, final)
