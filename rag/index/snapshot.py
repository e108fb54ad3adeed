"""One committed state of an index, as a search reads it from start to end: its chunks and
documents (read from the docstore when asked for), its vectors and its BM25."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

from rag.documents import Chunk, SourceDocument
from rag.index.bm25 import BM25
from rag.index.docstore import Docstore
from rag.index.errors import CorpusIndexError
from rag.index.vector_store import VectorView


class Chunks(Sequence[Chunk]):
    """The chunks of an index in order, read from the docstore when asked for."""

    def __init__(self, store: Docstore, rows: Sequence[int]) -> None:
        self._store, self._rows = store, rows

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, i: int) -> Chunk: ...
    @overload
    def __getitem__(self, i: slice) -> list[Chunk]: ...
    def __getitem__(self, i: int | slice) -> Chunk | list[Chunk]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        chunk = self._store.chunk(int(self._rows[i]))
        if chunk is None:
            raise CorpusIndexError("the index changed during this search (another ingest); "
                                   "search again")
        return chunk

    def __iter__(self) -> Iterator[Chunk]:
        return (self[i] for i in range(len(self)))


class Documents(Sequence[SourceDocument]):
    """The documents of an index, counted without reading them."""

    def __init__(self, store: Docstore) -> None:
        self._store = store
        self._count = store.count_documents()

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, i):  # noqa: ANN001, ANN204 - Sequence protocol
        return list(self)[i]

    def __iter__(self) -> Iterator[SourceDocument]:
        return self._store.documents()


@dataclass(frozen=True)
class Snapshot:
    """One committed state of the index: what a search reads from start to end."""

    generation: int
    committed: int
    chunks: Sequence[Chunk]
    documents: Sequence[SourceDocument]
    vectors: VectorView
    bm25: BM25 | None
