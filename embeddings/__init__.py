"""Embedders, the offline model store and the FAISS vector index. Knows nothing of chat or eval."""

from embeddings.embedders import DEFAULT_EMBEDDER, CachedEmbeddings, get_embedder
from embeddings.store import MODELS, ModelStoreError, fetch, installed_models, wenda_home
from embeddings.vector_index import VectorIndex

__all__ = [
    "DEFAULT_EMBEDDER",
    "MODELS",
    "CachedEmbeddings",
    "ModelStoreError",
    "VectorIndex",
    "fetch",
    "get_embedder",
    "installed_models",
    "wenda_home",
]
