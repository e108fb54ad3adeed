"""Shared fixtures: the real seeds index, built once per test session with the default model.

Models come from the user's model store (``$WENDA_HOME``, fetched by the README's test
command); indexes are built in temporary folders so tests never touch the user's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.knowledge_base import KnowledgeBase

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seeds_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    kb, _ = KnowledgeBase.build(SEEDS, tmp_path_factory.mktemp("index") / "seeds", progress=False)
    return kb


@pytest.fixture(scope="session")
def seeds_index_dir(seeds_kb: KnowledgeBase) -> Path:
    return seeds_kb.index.path


@pytest.fixture(scope="session")
def ray_address() -> Iterator[str]:
    """One local Ray of 2 CPUs for the session (it takes seconds to start): this process
    joins it, and the ``wenda`` processes of the tests reach it at the address given."""
    import ray

    context = ray.init("local", num_cpus=2, object_store_memory=128 << 20, include_dashboard=False,
                       log_to_driver=False, logging_level="ERROR")
    yield context.address_info["gcs_address"]
    ray.shutdown()
