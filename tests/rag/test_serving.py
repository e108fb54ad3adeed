"""The serving core the chat and the API share: loading, searching while documents are
added (copy-and-swap), the uploads rule, follow-up questions."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from rag import KnowledgeBase
from rag.index import CorpusIndex
from rag.serving import Service, ServiceError, standalone_question, standalone_turns
from rag.serving.uploads import REPO_ROOT, uploads_dir


@pytest.fixture
def service(seeds_kb: KnowledgeBase, tmp_path: Path) -> Service:
    folder = tmp_path / "idx"
    shutil.copytree(seeds_kb.index.path, folder)
    return Service.of(KnowledgeBase(CorpusIndex.open(folder), seeds_kb.embedder))


def test_a_failed_load_is_reported() -> None:
    def broken(say: object) -> KnowledgeBase:
        raise FileNotFoundError("no model")

    service = Service(broken)
    service.start()
    with pytest.raises(ServiceError, match="no model"):
        service.kb  # noqa: B018
    assert not service.loading and "no model" in (service.state.error or "")


def test_uploads_live_beside_the_index_never_in_the_repo(tmp_path: Path) -> None:
    assert uploads_dir(tmp_path / "idx") == (tmp_path / "idx-uploads").resolve()
    inside = uploads_dir(REPO_ROOT / "some-index")
    assert not inside.is_relative_to(REPO_ROOT) and inside.name == "some-index"


def test_rejected_files_are_reported_and_not_kept(service: Service) -> None:
    result = service.add_files([("good.txt", "熊猫馆今天上午九点开门。".encode()),
                                ("bad.txt", b""), (".hidden", b"x"),
                                ("../up.txt", "上一级目录的文件。".encode())])
    assert sorted(result.report.added) == ["good.txt", "up.txt"]
    assert sorted(p.name for p in result.folder.iterdir()) == ["good.txt", "up.txt"]
    assert not (result.folder.parent / "up.txt").exists()
    assert {name for name, _ in result.skipped} == {"bad.txt", ".hidden"}
    again = service.add_files([("good.txt", "熊猫馆今天上午九点开门。".encode())])
    assert again.unchanged == ["good.txt"] and not again.report.added


def test_searches_go_on_while_documents_are_added(service: Service) -> None:
    """Eight readers search in a loop while three ingests run: no search fails or waits
    for an ingest to finish, each sees a whole index (old or new), and the new documents are
    found afterwards."""
    before = len(service.kb.index.chunks)
    stop, errors, sizes = threading.Event(), [], set()

    def read() -> None:
        while not stop.is_set():
            try:
                kb = service.kb
                hits = kb.search("熊猫馆几点开门", k=3)
                assert len(hits) == 3
                sizes.add(len(kb.index.chunks))
            except Exception as err:  # noqa: BLE001 - collected, asserted below
                errors.append(err)

    readers = [threading.Thread(target=read) for _ in range(8)]
    for reader in readers:
        reader.start()
    for n in range(3):
        service.add_documents([{"id": f"zoo-{n}", "title": "动物园",
                                "text": f"第{n}号熊猫馆每天上午九点开门，下午五点闭馆。"}])
    deadline = time.monotonic() + 60  # an ingest may end before any search does
    while before + 3 not in sizes and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    for reader in readers:
        reader.join(timeout=60)
    assert not errors, errors[:3]
    assert min(sizes) == before and len(sizes) > 1  # readers saw the index grow, whole
    after = service.kb
    assert len(after.index.chunks) == before + 3
    assert after.search("熊猫馆几点开门", k=1)[0].chunk.doc_id.startswith("api-documents")


def test_a_follow_up_gets_the_topic_of_the_question_before() -> None:
    history = standalone_turns(["意大利总理梅洛尼对人工智能立法说了什么？"], ["她说…"])
    follow_up = standalone_question("她后来又说了什么？", history)
    assert "梅洛尼" in follow_up and follow_up.endswith("她后来又说了什么？")
    assert standalone_question("高盛报告说了什么？", history) == "高盛报告说了什么？"
