"""Embedders and the offline model store. Knows nothing of indexes, chat or eval."""

from embeddings.embedders import DEFAULT_EMBEDDER, CachedEmbeddings, get_embedder
from embeddings.store import MODELS, ModelStoreError, fetch, installed_models, wenda_home

__all__ = [
    "DEFAULT_EMBEDDER",
    "MODELS",
    "CachedEmbeddings",
    "ModelStoreError",
    "fetch",
    "get_embedder",
    "installed_models",
    "wenda_home",
]
