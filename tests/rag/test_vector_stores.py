"""What an index relies on from any vector store, checked on FAISS and on Milvus Lite alike:
a committed batch is found, a batch the docstore never committed is not (and is written
again cleanly), and deleted chunks never come back, however many of them crowd the top."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag.index.docstore import Docstore
from rag.index.stores import new_store_config, open_store
from rag.index.vector_store import VectorStore

DIM = 16


class Fixture:
    """A store over an empty docstore, with the chunk row -> vector row map an index keeps."""

    def __init__(self, folder: Path, spec: str | None) -> None:
        self.docstore = Docstore(folder / "docstore.sqlite")
        self.store: VectorStore = open_store(new_store_config(spec, folder), folder, DIM,
                                             self.docstore)
        self.vector_row: dict[int, int] = {}

    def commit(self, rows: list[int], vectors: np.ndarray) -> None:
        """What the dense phase does: the store first, then the docstore's commit."""
        self.store.append(rows, vectors)
        first = self.docstore.committed_vectors
        self.docstore.attach_vectors(rows, first)
        self.vector_row |= {r: first + i for i, r in enumerate(rows)}

    def view(self, live: list[int]):  # noqa: ANN201 - a VectorView
        rows = np.asarray(sorted(live), dtype=np.int64)
        vector_rows = np.asarray([self.vector_row.get(int(r), -1) for r in rows], np.int64)
        return self.store.view(rows, vector_rows, self.docstore.committed_vectors)


@pytest.fixture(params=["faiss", "milvus-lite"])
def fx(request: pytest.FixtureRequest, tmp_path: Path) -> Fixture:
    fixture = Fixture(tmp_path, None if request.param == "faiss" else str(tmp_path / "v.db"))
    yield fixture
    fixture.store.close()


def _unit(n: int, seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_committed_vectors_are_found_at_their_chunk_positions(fx: Fixture) -> None:
    vectors = _unit(20, 1)
    fx.commit(list(range(1, 11)), vectors[:10])
    fx.commit(list(range(11, 21)), vectors[10:])
    view = fx.view(list(range(1, 21)))
    assert len(view) == 20
    for position in range(20):
        scores, positions = view.search(vectors[position], 3)
        assert positions[0] == position and scores[0] == pytest.approx(1.0, abs=1e-5)
        exact = vectors @ vectors[position]
        assert list(positions) == list(np.argsort(-exact)[:3])
    scores, positions = view.search(vectors[0], 25)  # more than there are: padded
    assert list(positions[20:]) == [-1] * 5 and np.isneginf(scores[20:]).all()
    assert view.scores_of(vectors[3], [3, 7]) == pytest.approx(
        {3: 1.0, 7: float(vectors[7] @ vectors[3])}, abs=1e-5)


def test_a_batch_the_docstore_never_committed_is_invisible_then_rewritten(fx: Fixture) -> None:
    vectors = _unit(12, 2)
    fx.commit(list(range(1, 9)), vectors[:8])
    fx.store.append([9, 10, 11, 12], vectors[8:])  # killed before the docstore's commit
    view = fx.view(list(range(1, 13)))
    assert len(view) == 8
    assert view.search(vectors[9], 1)[1][0] != 9
    assert view.scores_of(vectors[9], [9, 10]) == {}
    fresh = _unit(4, 3)  # the rerun embeds those chunks again
    fx.commit([9, 10, 11, 12], fresh)
    view = fx.view(list(range(1, 13)))
    assert len(view) == 12
    for i in range(4):
        scores, positions = view.search(fresh[i], 1)
        assert positions[0] == 8 + i and scores[0] == pytest.approx(1.0, abs=1e-5)


def test_deleted_chunks_never_come_back(fx: Fixture) -> None:
    query = _unit(1, 4)[0]
    near = query + 0.05 * _unit(30, 5)  # 30 chunks, each nearer the query than any other
    vectors = np.concatenate([near / np.linalg.norm(near, axis=1, keepdims=True), _unit(10, 6)])
    fx.commit(list(range(1, 41)), vectors)
    live = list(range(31, 41))  # the 30 near ones retired, their vectors still stored
    exact = vectors[30:] @ query
    for forgotten in (False, True):
        if forgotten:  # the next ingest forgets the retired chunks' vectors
            fx.store.delete(list(range(1, 31)))
        view = fx.view(live)
        assert len(view) == 10
        scores, positions = view.search(query, 5)
        assert list(positions) == list(np.argsort(-exact)[:5])
        assert scores == pytest.approx(np.sort(exact)[::-1][:5], abs=1e-5)
        assert view.scores_of(query, [0, 1, 2]) == pytest.approx(
            {p: float(exact[p]) for p in (0, 1, 2)}, abs=1e-5)
