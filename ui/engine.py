"""The knowledge base every browser tab shares, and the rules for sharing it.

* It is opened (or, for the seeds, built) and its embedder loaded in a background thread,
  so the page opens at once and shows what is loading instead of a dead port, and the
  first question does not pay for the model.
* Questions read it concurrently; an upload rewrites the index in place (chunks, vectors,
  BM25), so it waits for the questions in flight and holds new ones back until it is done
  (a writer-preferring readers-writer lock).
* The local LLM needs no lock here: ``rag.answering.llm`` serialises each llama.cpp context.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag import KnowledgeBase, SourceDocument
from rag.index import Hit, IngestReport

Loader = Callable[[Callable[[str], None]], KnowledgeBase]  # gets a say(phase) callback


class EngineError(RuntimeError):
    """The knowledge base could not be loaded; the message says why."""


class ReadWriteLock:
    """Many readers or one writer; a waiting writer stops new readers from starving it."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self._writing and not self._writers_waiting)
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            self._cond.wait_for(lambda: not self._writing and not self._readers)
            self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


@dataclass
class LoadState:
    phase: str
    started: float
    error: str | None = None

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started


class Engine:
    """A ``KnowledgeBase`` behind the locks above, loaded once by ``start``."""

    def __init__(self, loader: Loader) -> None:
        self._loader = loader
        self._kb: KnowledgeBase | None = None
        self._ready = threading.Event()
        self._lock = ReadWriteLock()
        self.state = LoadState("等待加载…", time.monotonic())

    @classmethod
    def of(cls, kb: KnowledgeBase) -> Engine:
        """An engine over a knowledge base that is already open (tests, embedding apps)."""
        engine = cls(lambda say: kb)
        engine.start()
        engine.wait()
        return engine

    def start(self) -> None:
        threading.Thread(target=self._load, name="wenda-load", daemon=True).start()

    def _load(self) -> None:
        def say(phase: str) -> None:
            self.state.phase = phase

        try:
            kb = self._loader(say)
            say("正在加载嵌入模型…")
            kb.search("预热", k=1)  # the embedder loads lazily: not on the first question
            self._kb = kb
            say("就绪")
        except Exception as err:  # shown on the page; the server stays up to say so
            self.state.error = f"{type(err).__name__}: {err}"
        finally:
            self._ready.set()

    @property
    def loading(self) -> bool:
        return not self._ready.is_set()

    def wait(self) -> KnowledgeBase:
        """The knowledge base, once loaded; raises EngineError if loading failed."""
        self._ready.wait()
        if self._kb is None:
            raise EngineError(f"the index could not be opened: {self.state.error}")
        return self._kb

    # -- reading -----------------------------------------------------------------------
    def search(self, query: str, k: int) -> list[tuple[Hit, str]]:
        """Top-``k`` hits, each with its document's original text (read under one lock)."""
        kb = self.wait()
        with self._lock.reading():
            return [(h, kb.index.document(h.chunk.doc_id).text) for h in kb.search(query, k)]

    def stream_answer(self, question: str, k: int, **options: Any) -> Iterator[dict]:
        """``KnowledgeBase.stream_ask`` events; the index is held for reading until done."""
        kb = self.wait()
        with self._lock.reading():
            yield from kb.stream_ask(question, k=k, **options)

    def document(self, doc_id: str) -> SourceDocument | None:
        kb = self.wait()
        with self._lock.reading():
            try:
                return kb.index.document(doc_id)
            except KeyError:
                return None

    def describe(self) -> str:
        """One line on the index: where, how many documents and passages, which embedder."""
        if self.loading:
            return f"正在加载：{self.state.phase}（{self.state.seconds:.0f} s）"
        if self._kb is None:
            return f"索引无法打开：{self.state.error}"
        index = self._kb.index
        return (f"索引 {index.path.name}：{len(index.documents)} 篇文档 · {len(index.chunks)} 段"
                f" · {index.embedder_name}")

    @property
    def index_path(self) -> Path:
        return self.wait().index.path

    # -- writing -----------------------------------------------------------------------
    def add(self, paths: Iterable[Path]) -> IngestReport:
        """Ingest files incrementally, with nobody reading meanwhile."""
        kb = self.wait()
        with self._lock.writing():
            return kb.add(list(paths), progress=True)
