"""Shared fixtures: the real seeds index, built once per test session with the default model.

Models come from the user's model store (``$WENDA_HOME``, fetched by the README's test
command); indexes are built in temporary folders so tests never touch the user's own.
"""

from __future__ import annotations

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
