from pathlib import Path

import numpy as np

from rag.index.vectors import VectorIndex


def test_search_save_load_and_read_back(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(20, 8)).astype(np.float32)
    index = VectorIndex(8)
    index.add(vectors)
    scores, rows = index.search(vectors[7] * 3, k=3)  # scale must not matter: cosine
    assert rows[0] == 7 and abs(scores[0] - 1.0) < 1e-5
    index.save(tmp_path / "v.faiss")
    loaded = VectorIndex.load(tmp_path / "v.faiss")
    assert len(loaded) == 20 and loaded.dimension == 8
    back = loaded.vectors([3, 7])
    assert np.allclose(back, vectors[[3, 7]] / np.linalg.norm(vectors[[3, 7]], axis=1)[:, None],
                       atol=1e-6)


def test_empty_index_searches_to_nothing() -> None:
    scores, rows = VectorIndex(4).search(np.ones(4), k=5)
    assert list(rows) == [-1]
