"""Files uploaded in the browser: kept beside the index, then ingested incrementally.

Gradio's temporary copies vanish; the index remembers where each document came from, so
uploads are copied into ``<index>-uploads/`` next to the index folder (under ``$WENDA_HOME``
for the default index), never into the repository. A file the loader rejects (binary,
empty, undecodable, too large, wrong type) is reported and its copy removed; the others
are still ingested.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from embeddings import wenda_home
from rag.index import IngestReport

REPO_ROOT = Path(__file__).resolve().parents[1]


def uploads_dir(index_path: Path) -> Path:
    """``<index>-uploads`` beside the index, or under ``$WENDA_HOME/uploads`` if that would be
    inside the repository."""
    folder = index_path.resolve().parent / f"{index_path.name}-uploads"
    if folder.is_relative_to(REPO_ROOT):
        return (wenda_home() / "uploads" / index_path.name).resolve()
    return folder


def save_copies(paths: Iterable[str | Path], folder: Path) -> list[Path]:
    """Copy uploaded files into ``folder`` under their own names (a re-upload replaces, so
    the index sees an update, not a second document)."""
    folder.mkdir(parents=True, exist_ok=True)
    copies = []
    for path in paths:
        target = folder / Path(path).name
        shutil.copyfile(path, target)
        copies.append(target)
    return copies


def drop_skipped(report: IngestReport, folder: Path) -> None:
    """Remove the copies of files the loader skipped: they are not in the index."""
    for path, _ in report.skipped:
        if Path(path).parent == folder:
            Path(path).unlink(missing_ok=True)


def describe(report: IngestReport, folder: Path) -> str:
    """The ingest report for the upload box, in plain text."""
    stored = len(report.added) + len(report.updated) + report.unchanged
    head = f"已加入索引 {stored} 篇，文件保存在 {folder}" if stored else "没有加入新文档"
    return f"{head}\n{report.summary()}"
