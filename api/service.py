"""The knowledge base every HTTP request shares, and how it changes safely.

Requests read whichever ``KnowledgeBase`` is current. Adding documents ingests into a fresh
copy opened from disk and swaps it in when done, so a search never sees an index half
updated and never waits for an ingest; ingests run one at a time. The index remembers where
each document came from, so uploaded files and JSON documents are kept in ``<index>-uploads/``
(the chat window's folder too; under ``$WENDA_HOME`` if that would be inside the repository).
"""

from __future__ import annotations

import json
import tempfile
import threading
from pathlib import Path, PurePosixPath

from embeddings import wenda_home
from rag import KnowledgeBase
from rag.answering import ANSWERERS, AnswerChain, llama_chat
from rag.index import CorpusIndex, IngestReport
from rag.ingest import SUFFIXES, load_paths

REPO_ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS_FILE = "api-documents.jsonl"  # the JSON documents posted, one record a line


class Service:
    """Search, answer and ingest over one index. The LLM is loaded at start when it is the
    default answerer, and only then offered: a client cannot make the server load a model."""

    def __init__(self, kb: KnowledgeBase, answerer: str = "extractive",
                 model: str | None = None) -> None:
        if answerer not in ANSWERERS:
            raise ValueError(f"unknown answerer {answerer!r}; choose one of "
                             f"{', '.join(ANSWERERS)}")
        self.kb = kb
        self.answerer = answerer
        self.answerers = ANSWERERS if answerer == "llm" else ("extractive",)
        self.model = model
        self._ingesting = threading.Lock()

    def warm(self) -> None:
        """Load the embedder (and the LLM) now rather than on the first request."""
        self.kb.search("预热", k=1)
        if "llm" in self.answerers:
            llama_chat(self.model)

    def search(self, query: str, k: int) -> list[dict]:
        return [hit.to_dict() for hit in self.kb.search(query, k=k)]

    def chain(self, answerer: str | None, k: int) -> AnswerChain:
        return AnswerChain.of(self.kb.retriever(k=k), answerer or self.answerer,
                              model=self.model)

    # -- adding documents ----------------------------------------------------------------
    def add_files(self, files: list[tuple[str, bytes]]) -> dict:
        """Ingest uploaded (name, content) files; the loader's rules decide what is skipped,
        before anything is kept."""
        skipped: list[tuple[str, str]] = []
        accepted: dict[str, bytes] = {}
        with tempfile.TemporaryDirectory() as tmp:
            for raw_name, data in files:
                name = _file_name(raw_name)
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
            folder = self._uploads()
            for name, data in accepted.items():
                (folder / name).write_bytes(data)
            report = self._ingest([folder / name for name in accepted])
        changed = report.added + report.updated  # a .jsonl file's records are "name#id"
        unchanged = [name for name in accepted
                     if not any(d == name or d.startswith(f"{name}#") for d in changed)]
        return self._summary(report, unchanged, skipped)

    def add_documents(self, documents: list[dict]) -> dict:
        """Ingest JSON documents (``id``, ``text``, optional ``title``, ``date``); posting an
        id again replaces that document."""
        skipped: list[tuple[str, str]] = []
        batch: dict[str, dict] = {}
        for doc in documents:
            if doc["id"] in batch:
                skipped.append((doc["id"], "duplicate id in the request; send it once"))
            else:
                batch[doc["id"]] = doc
        with self._ingesting:
            store = self._uploads() / DOCUMENTS_FILE
            records = _read_records(store) | batch
            # ASCII JSON: a raw U+2028 or U+0085 in a text would split its line when read
            store.write_text("".join(json.dumps(r) + "\n" for r in records.values()))
            report = self._ingest([store])
        changed = set(report.added + report.updated)
        unchanged = [f"{DOCUMENTS_FILE}#{i}" for i in batch
                     if f"{DOCUMENTS_FILE}#{i}" not in changed]
        return self._summary(report, unchanged, skipped)

    def _uploads(self) -> Path:
        index = self.kb.index.path.resolve()
        folder = index.parent / f"{index.name}-uploads"
        if folder.is_relative_to(REPO_ROOT):
            folder = wenda_home() / "uploads" / index.name
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _ingest(self, paths: list[Path]) -> IngestReport:
        if not paths:
            return IngestReport(chunks=len(self.kb.index.chunks))
        fresh = KnowledgeBase(CorpusIndex.open(self.kb.index.path), self.kb.embedder)
        report = fresh.add(paths, progress=False)
        self.kb = fresh
        return report

    def _summary(self, report: IngestReport, unchanged: list[str],
                 skipped: list[tuple[str, str]]) -> dict:
        skipped = skipped + [(Path(path).name, reason) for path, reason in report.skipped]
        return {"added": report.added, "updated": report.updated, "unchanged": unchanged,
                "skipped": [{"name": name, "reason": reason} for name, reason in skipped],
                "documents": len(self.kb.index.documents), "chunks": len(self.kb.index.chunks),
                "embedded": report.embedded, "seconds": round(report.seconds, 3)}


def _file_name(raw: str) -> str | None:
    """The bare name of an upload (no folders); None for names that hide or escape."""
    name = PurePosixPath(raw.replace("\\", "/")).name
    return name if name and not name.startswith(".") else None


def _read_records(store: Path) -> dict[str, dict]:
    if not store.exists():
        return {}
    lines = store.read_text().split("\n")
    return {r["id"]: r for r in map(json.loads, filter(None, lines))}
