"""Sharing the index between tabs (readers-writer lock) and keeping uploads out of the repo."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from rag.index.store import IngestReport
from ui.engine import Engine, EngineError, ReadWriteLock
from ui.uploads import REPO_ROOT, describe, drop_skipped, save_copies, uploads_dir


def test_readers_share_and_a_writer_waits_for_them() -> None:
    lock, log = ReadWriteLock(), []
    readers_in = threading.Barrier(3)

    def read(name: str) -> None:
        with lock.reading():
            readers_in.wait(timeout=5)  # both readers hold the lock at the same time
            time.sleep(0.1)
            log.append(name)

    def write() -> None:
        with lock.writing():
            log.append("write")

    threads = [threading.Thread(target=read, args=(n,)) for n in ("r1", "r2")]
    for t in threads:
        t.start()
    readers_in.wait(timeout=5)
    writer = threading.Thread(target=write)
    writer.start()
    for t in [*threads, writer]:
        t.join(timeout=5)
    assert sorted(log[:2]) == ["r1", "r2"] and log[2] == "write"


def test_a_waiting_writer_holds_new_readers_back() -> None:
    lock, log, done = ReadWriteLock(), [], threading.Event()

    def write() -> None:
        with lock.writing():
            log.append("write")
            done.wait(timeout=5)

    def read() -> None:
        with lock.reading():
            log.append("read")

    writer, reader = threading.Thread(target=write), threading.Thread(target=read)
    with lock.reading():
        writer.start()
        time.sleep(0.05)
        reader.start()  # arrives after the writer: must not overtake it
        time.sleep(0.05)
        assert log == []
    time.sleep(0.05)
    assert log == ["write"]
    done.set()
    writer.join(timeout=5)
    reader.join(timeout=5)
    assert log == ["write", "read"]


def test_a_failed_load_is_reported() -> None:
    def broken(say: object) -> None:
        raise FileNotFoundError("no model")

    engine = Engine(broken)  # type: ignore[arg-type]
    engine.start()
    try:
        engine.wait()
    except EngineError as err:
        assert "no model" in str(err)
    else:
        raise AssertionError("wait() must raise")
    assert "no model" in engine.describe()


def test_uploads_live_beside_the_index_never_in_the_repo(tmp_path: Path) -> None:
    assert uploads_dir(tmp_path / "idx") == (tmp_path / "idx-uploads").resolve()
    inside = uploads_dir(REPO_ROOT / "some-index")
    assert not inside.is_relative_to(REPO_ROOT) and inside.name == "some-index"


def test_copies_keep_names_and_skipped_files_are_removed(tmp_path: Path) -> None:
    src = tmp_path / "upload-tmp"
    src.mkdir()
    (src / "good.txt").write_text("好文章", encoding="utf-8")
    (src / "bad.txt").write_bytes(b"")
    folder = tmp_path / "idx-uploads"
    copies = save_copies([src / "good.txt", src / "bad.txt"], folder)
    assert [c.name for c in copies] == ["good.txt", "bad.txt"]
    report = IngestReport(added=["good.txt"], skipped=[(str(folder / "bad.txt"), "empty file")])
    drop_skipped(report, folder)
    assert sorted(p.name for p in folder.iterdir()) == ["good.txt"]
    text = describe(report, folder)
    assert "已加入索引 1 篇" in text and "bad.txt: empty file" in text
