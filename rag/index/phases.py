"""The two phases of an ingest, each resumable and committed in batches.

1. Lexical: stream the documents, chunk and tokenize the new and changed ones (on every core
   for a large input), commit them to the docstore a batch at a time, drop the ones deleted
   from their folders, then rebuild and save BM25. The index is searchable (BM25) from here.
2. Dense: embed the chunks that have no vector, a batch at a time (texts deduplicated and
   sorted by length so that padding is small), append the vectors and commit which chunks
   own them. Killed at any point, a rerun embeds only the chunks still without vectors.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings
from tqdm import tqdm

from rag.documents import Chunk, SourceDocument
from rag.index.bm25 import BM25, TermCounts, chunk_tokens
from rag.index.docstore import Docstore, sections_json
from rag.index.settings import IndexSettings
from rag.index.vector_store import VectorStore
from rag.ingest.chunking import chunk_document
from rag.ingest.loading import count_documents, iter_documents

COMMIT_DOCUMENTS = 1000  # documents a lexical transaction holds
DENSE_BATCH = 256  # chunks an embedding transaction holds: what a kill can cost
PARALLEL_MIN = 200  # below this many documents, worker start-up costs more than it saves


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    chunks: int = 0
    embedded: int = 0
    pending: int = 0  # chunks still without a vector (the dense phase did not finish)
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [
            f"{len(self.added)} added, {len(self.updated)} updated, {self.unchanged} unchanged, "
            f"{len(self.removed)} removed; {self.chunks} chunks ({self.embedded} embedded) "
            f"in {self.seconds:.1f} s"
        ]
        lines += [f"skipped {path}: {reason}" for path, reason in self.skipped]
        return "\n".join(lines)


def fingerprint(doc: SourceDocument) -> str:
    return hashlib.sha256(json.dumps([doc.text, doc.title, doc.date, doc.author,
                                      sections_json(doc)]).encode()).hexdigest()


@dataclass(frozen=True)
class _Incoming:
    document: SourceDocument
    origin: str  # absolute path of the file it came from; decides what a re-ingest drops
    sha: str


def _prepared(item: tuple[_Incoming, IndexSettings]
              ) -> tuple[_Incoming, list[Chunk], list[str]]:
    """Chunks of a document and their space-joined BM25 tokens (runs in a worker)."""
    incoming, settings = item
    chunks = chunk_document(incoming.document, settings.chunk_size, settings.overlap)
    tokens = chunk_tokens(incoming.document, chunks, settings)
    return incoming, chunks, [" ".join(t) for t in tokens]


def lexical_phase(store: Docstore, roots: list[Path], settings: IndexSettings,
                  report: IngestReport, progress: bool) -> bool:
    """Bring documents and chunks in line with ``roots``; True when anything changed."""
    known = store.fingerprints()
    seen: set[str] = set()
    total = count_documents(roots) if progress else None

    def changed() -> Iterator[tuple[_Incoming, IndexSettings]]:
        with tqdm(total=total, desc="read+chunk", unit="doc", disable=not progress,
                  smoothing=0.05) as bar:
            for root in roots:
                for doc in iter_documents([root], report.skipped):
                    bar.update()
                    seen.add(doc.doc_id)
                    sha = fingerprint(doc)
                    if known.get(doc.doc_id, ("", ""))[0] == sha:
                        report.unchanged += 1
                        continue
                    origin = root if root.is_file() else root / doc.doc_id.split("#", 1)[0]
                    (report.updated if doc.doc_id in known else report.added).append(doc.doc_id)
                    yield _Incoming(doc, str(origin), sha), settings

    batch: list[tuple[SourceDocument, str, str, list[Chunk], list[str]]] = []
    for incoming, chunks, tokens in _map(_prepared, changed(), parallel=(total or 0)
                                         >= PARALLEL_MIN):
        batch.append((incoming.document, incoming.origin, incoming.sha, chunks, tokens))
        if len(batch) >= COMMIT_DOCUMENTS:
            store.put(batch)
            batch = []
    if batch:
        store.put(batch)
    report.removed = sorted(doc_id for doc_id, (_, origin) in known.items()
                            if doc_id not in seen and _under(origin, roots))
    if report.removed:
        store.remove(report.removed)
    return bool(report.added or report.updated or report.removed)


def _map(func, items: Iterable, parallel: bool) -> Iterator:  # noqa: ANN001
    """``map`` in order, on every core when ``parallel``."""
    workers = len(os.sched_getaffinity(0))
    if not parallel or workers < 2:
        yield from map(func, items)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(func, items, chunksize=8)


def _under(origin: str, roots: list[Path]) -> bool:
    return any(Path(origin) == r or Path(origin).is_relative_to(r) for r in roots)


def build_bm25(store: Docstore, settings: IndexSettings, path: Path | None,
               progress: bool) -> BM25:
    """BM25 over every chunk's stored tokens, saved (when ``path``) stamped with the
    docstore generation."""
    generation = store.generation
    counts = TermCounts()
    total = store.count_chunks()
    for tokens in tqdm(store.tokens(), total=total, desc="bm25", unit="chunk",
                       disable=not progress):
        counts.add(tokens)
    bm25 = BM25.from_counts(counts, k1=settings.k1, b=settings.b)
    if path is not None:
        bm25.save(path, stamp=str(generation))
    return bm25


def dense_phase(store: Docstore, vectors: VectorStore, embedder: Embeddings,
                report: IngestReport, progress: bool, batch_size: int = DENSE_BATCH) -> None:
    """Embed every chunk without a vector, committing each batch: the vector store holds
    it durably before the docstore says so."""
    pending = store.pending()
    with tqdm(total=len(pending), desc="embed", unit="chunk", disable=not progress,
              smoothing=0.1) as bar:
        for first in range(0, len(pending), batch_size):
            rows = pending[first : first + batch_size]
            embedded = embed_batch(embedder, store.norms(rows))
            vectors.append(rows, embedded)
            store.attach_vectors(rows, store.committed_vectors)
            report.embedded += len(rows)
            bar.update(len(rows))


def embed_batch(embedder: Embeddings, texts: list[str]) -> np.ndarray:
    """Vectors of ``texts``: each distinct text once, in order of length (less padding)."""
    distinct = sorted(set(texts), key=len)
    vectors = np.asarray(embedder.embed_documents(distinct), dtype=np.float32)
    where = {text: i for i, text in enumerate(distinct)}
    return vectors[[where[t] for t in texts]]

