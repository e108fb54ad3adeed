"""Where uploaded files and posted documents are kept, and which names are acceptable.

The index remembers the file each document came from and re-reads it when it changes, so
uploads must outlive the request: they are kept in ``<index>-uploads/`` beside the index,
or under ``$WENDA_HOME/uploads/`` when that would be inside the repository.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

from embeddings import wenda_home

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS_FILE = "api-documents.jsonl"  # posted JSON documents, one record a line


def uploads_dir(index_path: Path) -> Path:
    """The uploads folder of the index at ``index_path`` (not created)."""
    index = index_path.resolve()
    folder = index.parent / f"{index.name}-uploads"
    if folder.is_relative_to(REPO_ROOT):
        return (wenda_home() / "uploads" / index.name).resolve()
    return folder


def safe_file_name(raw: str) -> str | None:
    """The bare name of an upload (no folders); None for names that hide or escape."""
    name = PurePosixPath(raw.replace("\\", "/")).name
    return name if name and not name.startswith(".") else None


def read_records(store: Path) -> dict[str, dict]:
    """The posted documents kept in ``store``, by id."""
    if not store.exists():
        return {}
    lines = store.read_text(encoding="utf-8").split("\n")
    return {r["id"]: r for r in map(json.loads, filter(None, lines))}


def write_records(store: Path, records: dict[str, dict]) -> None:
    # ASCII JSON: a raw U+2028 or U+0085 in a text would split its line when read back
    store.write_text("".join(json.dumps(r) + "\n" for r in records.values()), encoding="utf-8")
