"""Vectors in a Milvus collection (``pymilvus``): Milvus Lite in a local ``.db`` file, or a
Milvus server or cluster at ``http://HOST:19530`` that several machines share.

The collection's primary key is the docstore's chunk row, so a batch written again after a
killed ingest overwrites itself (upsert) and a deleted chunk is deleted by its row. Writes are
flushed before the docstore commits them; reads are strongly consistent, so a search sees
every batch the docstore counts, whichever process wrote it.
"""

from __future__ import annotations

import logging

import numpy as np
from pymilvus import DataType, MilvusClient

from rag.index.vectors import normalized

# Milvus Lite logs a traceback when it cannot open its file; wenda says why in one line.
logging.getLogger("milvus_lite.server_manager").setLevel(logging.CRITICAL)

MILVUS = "milvus"
MAX_LIMIT = 16_384  # the most hits Milvus returns for one search
_KEY, _VECTOR = "row", "vector"


def drop_collection(uri: str, collection: str) -> None:
    """Remove a collection with its vectors (a rebuilt index starts a new one)."""
    client = MilvusClient(uri=uri)
    client.drop_collection(collection)
    client.close()


class MilvusStore:
    """One collection of (chunk row, unit vector) pairs, searched by inner product: an exact
    scan (FLAT, for Milvus Lite) or the server's own index choice (``AUTOINDEX``)."""

    def __init__(self, uri: str, collection: str, dimension: int,
                 index_type: str = "FLAT") -> None:
        self.config = {"kind": MILVUS, "uri": uri, "collection": collection}
        self.dimension = dimension
        self._index_type = index_type
        self._name = collection
        self._client = MilvusClient(uri=uri)
        if not self._client.has_collection(collection):
            self._create()
        self._client.load_collection(collection)

    def _create(self) -> None:
        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field(_KEY, DataType.INT64, is_primary=True)
        schema.add_field(_VECTOR, DataType.FLOAT_VECTOR, dim=self.dimension)
        index = self._client.prepare_index_params()
        index.add_index(field_name=_VECTOR, metric_type="IP",
                        index_type=self._index_type)
        self._client.create_collection(self._name, schema=schema, index_params=index,
                                       consistency_level="Strong")

    def append(self, rows: list[int], vectors: np.ndarray) -> None:
        data = normalized(vectors, self.dimension)
        self._client.upsert(self._name, [{_KEY: int(r), _VECTOR: v} for r, v in zip(rows, data)])
        self._client.flush(self._name)

    def delete(self, rows: list[int]) -> None:
        if rows:
            self._client.delete(self._name, ids=[int(r) for r in rows])
            self._client.flush(self._name)

    def view(self, rows: np.ndarray, vector_rows: np.ndarray, committed: int) -> MilvusView:
        return MilvusView(self, rows, (vector_rows >= 0) & (vector_rows < committed))

    def after_ingest(self) -> None:
        """Nothing: Milvus maintains its own index."""

    def close(self) -> None:
        self._client.close()

    def search(self, query: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
        """(chunk rows, scores) of the ``limit`` nearest vectors to a unit ``query``."""
        found = self._client.search(self._name, data=[query.tolist()], limit=limit,
                                    anns_field=_VECTOR, output_fields=[_KEY],
                                    search_params={"metric_type": "IP"})[0]
        return (np.asarray([h[_KEY] for h in found], dtype=np.int64),
                np.asarray([h["distance"] for h in found], dtype=np.float32))

    def vectors(self, rows: list[int]) -> dict[int, np.ndarray]:
        found = self._client.get(self._name, ids=rows, output_fields=[_VECTOR])
        return {int(h[_KEY]): np.asarray(h[_VECTOR], dtype=np.float32) for h in found}


class MilvusView:
    """The vectors of one committed state: Milvus answers in chunk rows, kept when the
    state counts them (a batch flushed but not yet committed, or the vector of a chunk
    deleted since, is skipped)."""

    def __init__(self, store: MilvusStore, rows: np.ndarray, has: np.ndarray) -> None:
        self._store, self._rows, self._has = store, rows, has
        self.live = int(has.sum())

    def __len__(self) -> int:
        return self.live

    def _positions(self, keys: np.ndarray) -> np.ndarray:
        """The position of each chunk row in this state, -1 where it has no vector here."""
        at = np.minimum(np.searchsorted(self._rows, keys), max(len(self._rows) - 1, 0))
        ok = (len(self._rows) > 0) & (self._rows[at] == keys) & self._has[at]
        return np.where(ok, at, -1)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        query = normalized(query, self._store.dimension)[0]
        limit = min(k, MAX_LIMIT)
        while True:  # ask for more while skipped rows crowd the top k out
            keys, scores = self._store.search(query, limit)
            positions = self._positions(keys)
            alive = positions >= 0
            if alive.sum() >= k or len(keys) < limit or limit == MAX_LIMIT:
                break
            limit = min(limit * 4, MAX_LIMIT)
        positions, scores = positions[alive][:k], scores[alive][:k]
        padded = np.full(k, -1, dtype=np.int64)
        padded[: len(positions)] = positions
        best = np.full(k, -np.inf, dtype=np.float32)
        best[: len(scores)] = scores
        return best, padded

    def scores_of(self, query: np.ndarray, positions: list[int]) -> dict[int, float]:
        found = [p for p in positions if 0 <= p < len(self._rows) and self._has[p]]
        if not found:
            return {}
        vectors = self._store.vectors([int(self._rows[p]) for p in found])
        query = normalized(query, self._store.dimension)[0]
        return {p: float(vectors[int(self._rows[p])] @ query) for p in found
                if int(self._rows[p]) in vectors}
