"""One knowledge base shared by every chat tab and HTTP request, and how it changes safely.

* It loads in a background thread (``start``), so a server is up at once and can say what
  it is loading; ``Service.of`` wraps a knowledge base that is already open.
* Readers use whichever ``KnowledgeBase`` is current. Adding documents ingests into a fresh
  copy opened from disk and swaps it in when done: a search never sees an index half
  updated and never waits for an ingest. Ingests run one at a time.
* Uploaded files and posted documents are checked by the loader before anything is kept,
  then kept where ``rag.serving.uploads`` says, since the index re-reads them.
* The local LLM needs no lock here: ``rag.answering.llm`` serialises each llama.cpp context.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.answering import ANSWERERS, AnswerChain, LLMAnswerer, llama_chat
from rag.documents import SourceDocument
from rag.index import CorpusIndex, Hit, IngestReport
from rag.ingest import SUFFIXES, load_paths
from rag.knowledge_base import KnowledgeBase
from rag.serving.uploads import (
    DOCUMENTS_FILE,
    read_records,
    safe_file_name,
    uploads_dir,
    write_records,
)

Loader = Callable[[Callable[[str], None]], KnowledgeBase]  # gets a say(phase) callback


class ServiceError(RuntimeError):
    """The knowledge base could not be loaded; the message says why."""


@dataclass
class LoadState:
    phase: str
    started: float
    error: str | None = None

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started


@dataclass
class AddResult:
    """What an upload changed, by document id, and what was refused, with why."""

    report: IngestReport
    unchanged: list[str]
    skipped: list[tuple[str, str]]
    folder: Path


class Service:
    """Search, answer and ingest over one index. ``answerers`` are those offered to
    clients: the LLM only when it is the default, so a client cannot make a server load a
    model."""

    def __init__(self, loader: Loader, answerer: str = "extractive",
                 model: str | None = None) -> None:
        if answerer not in ANSWERERS:
            raise ValueError(f"unknown answerer {answerer!r}; choose one of "
                             f"{', '.join(ANSWERERS)}")
        self.answerer = answerer
        self.answerers = ANSWERERS if answerer == "llm" else ("extractive",)
        self.model = model
        self._loader = loader
        self._kb: KnowledgeBase | None = None
        self._ready = threading.Event()
        self._ingesting = threading.Lock()
        self.state = LoadState("等待加载…", time.monotonic())

    @classmethod
    def of(cls, kb: KnowledgeBase, answerer: str = "extractive",
           model: str | None = None) -> Service:
        """A service over a knowledge base that is already open, its models loaded;
        ServiceError if one cannot be."""
        service = cls(lambda say: kb, answerer, model)
        service._load()
        service.kb  # noqa: B018 - raises if loading failed
        return service

    # -- loading ---------------------------------------------------------------------------
    def start(self) -> None:
        threading.Thread(target=self._load, name="wenda-load", daemon=True).start()

    def _load(self) -> None:
        def say(phase: str) -> None:
            self.state.phase = phase

        try:
            kb = self._loader(say)
            say("正在加载嵌入模型…")
            kb.search("预热", k=1)  # the embedder loads lazily: not on the first question
            if "llm" in self.answerers:
                say("正在加载本地 LLM…")
                LLMAnswerer(llama_chat(self.model)).warm_up()
            self._kb = kb
            say("就绪")
        except Exception as err:  # reported by describe/wait; the server stays up to say so
            self.state.error = f"{type(err).__name__}: {err}"
        finally:
            self._ready.set()

    @property
    def loading(self) -> bool:
        return not self._ready.is_set()

    @property
    def kb(self) -> KnowledgeBase:
        """The current knowledge base, once loaded; ServiceError if loading failed."""
        self._ready.wait()
        if self._kb is None:
            raise ServiceError(f"the index could not be opened: {self.state.error}")
        return self._kb

    # -- reading ---------------------------------------------------------------------------
    def search(self, query: str, k: int) -> list[Hit]:
        return self.kb.search(query, k=k)

    def document(self, doc_id: str) -> SourceDocument | None:
        try:
            return self.kb.index.document(doc_id)
        except KeyError:
            return None

    def chain(self, answerer: str | None, k: int, **options: Any) -> AnswerChain:
        """The answer chain over the current index (``answerer`` None: the default)."""
        options.setdefault("model", self.model)
        return AnswerChain.of(self.kb.retriever(k=k), answerer or self.answerer, **options)

    # -- writing ---------------------------------------------------------------------------
    @property
    def uploads(self) -> Path:
        return uploads_dir(self.kb.index.path)

    def add_files(self, files: list[tuple[str, bytes]]) -> AddResult:
        """Ingest uploaded (name, content) files; the loader's rules decide what is
        skipped, before anything is kept."""
        skipped: list[tuple[str, str]] = []
        accepted: dict[str, bytes] = {}
        with tempfile.TemporaryDirectory() as tmp:
            for raw_name, data in files:
                name = safe_file_name(raw_name)
                if name is None:
                    skipped.append((raw_name, "no usable file name; name the file like "
                                    f"notes.txt (one of {', '.join(SUFFIXES)})"))
                elif name in accepted:
                    skipped.append((name, "a file of this name is already in the request"))
                else:
                    (Path(tmp) / name).write_bytes(data)
                    loaded = load_paths([Path(tmp) / name])
                    if loaded.documents:
                        accepted[name] = data  # its bad lines, if any, the ingest reports
                    else:
                        skipped += [(name, reason) for _, reason in loaded.skipped]
        with self._ingesting:
            folder = self._uploads_folder()
            for name, data in accepted.items():
                (folder / name).write_bytes(data)
            report = self._ingest([folder / name for name in accepted])
        changed = report.added + report.updated  # a .jsonl file's records are "name#id"
        unchanged = [name for name in accepted
                     if not any(d == name or d.startswith(f"{name}#") for d in changed)]
        return self._result(report, unchanged, skipped, folder)

    def add_documents(self, documents: list[dict]) -> AddResult:
        """Ingest JSON documents (``id``, ``text``, optional ``title``, ``date``); posting
        an id again replaces that document."""
        skipped: list[tuple[str, str]] = []
        batch: dict[str, dict] = {}
        for doc in documents:
            if doc["id"] in batch:
                skipped.append((doc["id"], "duplicate id in the request; send it once"))
            else:
                batch[doc["id"]] = doc
        with self._ingesting:
            folder = self._uploads_folder()
            store = folder / DOCUMENTS_FILE
            write_records(store, read_records(store) | batch)
            report = self._ingest([store])
        changed = set(report.added + report.updated)
        unchanged = [f"{DOCUMENTS_FILE}#{i}" for i in batch
                     if f"{DOCUMENTS_FILE}#{i}" not in changed]
        return self._result(report, unchanged, skipped, folder)

    def _uploads_folder(self) -> Path:
        folder = self.uploads
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _ingest(self, paths: list[Path]) -> IngestReport:
        current = self.kb
        if not paths:
            return IngestReport(chunks=len(current.index.chunks))
        fresh = KnowledgeBase(CorpusIndex.open(current.index.path, current.index.store),
                              current.embedder)
        report = fresh.add(paths, progress=False)
        self._kb = fresh
        return report

    @staticmethod
    def _result(report: IngestReport, unchanged: list[str], skipped: list[tuple[str, str]],
                folder: Path) -> AddResult:
        skipped = skipped + [(Path(path).name, reason) for path, reason in report.skipped]
        return AddResult(report, unchanged, skipped, folder)
