"""Embedders (local, or a pool on a Ray cluster) and the offline model store. Knows nothing
of indexes, chat or eval."""

from embeddings.embedders import DEFAULT_EMBEDDER, CachedEmbeddings, cached, get_embedder
from embeddings.ray_pool import ClusterError, RayCluster, RayEmbeddings
from embeddings.store import MODELS, ModelStoreError, fetch, installed_models, wenda_home

__all__ = [
    "DEFAULT_EMBEDDER",
    "MODELS",
    "CachedEmbeddings",
    "ClusterError",
    "ModelStoreError",
    "RayCluster",
    "RayEmbeddings",
    "cached",
    "fetch",
    "get_embedder",
    "installed_models",
    "wenda_home",
]
