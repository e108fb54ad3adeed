"""Which vector store an index uses: ``--store`` (or ``WENDA_STORE``) names it, the manifest
records it, and opening the index opens it. Milvus is imported only for an index that uses it.

``--store`` values: ``faiss`` (the default: files in the index folder), ``FILE.db`` (Milvus
Lite in that file), ``http://HOST:19530`` (a Milvus server or cluster).
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from rag.index.docstore import Docstore
from rag.index.errors import CorpusIndexError
from rag.index.faiss_store import FAISS, FaissStore
from rag.index.vector_store import VectorStore

STORE_ENV = "WENDA_STORE"
DEFAULT_STORE = {"kind": FAISS}
_SERVER = ("http://", "https://", "tcp://")


class StoreError(CorpusIndexError):
    """A store that cannot be used as given; the message says what to do."""


def store_config(spec: str | None) -> dict | None:
    """The store a ``--store`` value names (``WENDA_STORE`` when None; None when neither
    is set): ``{"kind": "faiss"}`` or ``{"kind": "milvus", "uri": ...}``."""
    spec = (spec or os.environ.get(STORE_ENV) or "").strip()
    if not spec:
        return None
    if spec == FAISS:
        return dict(DEFAULT_STORE)
    if is_server(spec):
        return {"kind": "milvus", "uri": spec}
    if spec.endswith(".db"):
        return {"kind": "milvus", "uri": str(Path(spec).expanduser().resolve())}
    raise StoreError(f"--store {spec!r} is not 'faiss', a FILE.db (Milvus Lite) or "
                     "http://HOST:19530 (a Milvus server)")


def is_server(uri: str) -> bool:
    """Whether a Milvus ``uri`` names a server (else a Milvus Lite file)."""
    return uri.startswith(_SERVER)


def store_kind(spec: str | None) -> str:
    """``faiss`` or ``milvus``: the kind of store a ``--store`` value (or its absence) means
    for a new index."""
    return (store_config(spec) or DEFAULT_STORE)["kind"]


def new_store_config(spec: str | None, index_path: Path) -> dict:
    """What the manifest of a new index at ``index_path`` records: a Milvus store gets a
    collection of its own, named after the index folder."""
    config = store_config(spec) or dict(DEFAULT_STORE)
    if config["kind"] != FAISS:
        name = re.sub(r"\W+", "_", index_path.name, flags=re.ASCII).strip("_")[:40]
        config["collection"] = f"wenda_{name}_{uuid.uuid4().hex[:8]}"
    return config


def chosen_store(recorded: dict | None, spec: str | None, index_path: Path) -> dict:
    """The store an existing index opens: the one its manifest records, at the address
    ``spec`` gives (a Milvus server is reached by another name from another machine)."""
    recorded = recorded or dict(DEFAULT_STORE)
    given = store_config(spec)
    if given is None:
        return recorded
    if given["kind"] != recorded["kind"]:
        raise StoreError(f"the index at {index_path} keeps its vectors in "
                         f"{describe(recorded)}, not {describe(given)}; drop --store/"
                         f"{STORE_ENV}, or rebuild it with `wenda ingest --rebuild PATH --index "
                         f"{index_path} --store ...`")
    return recorded | given


def describe(config: dict) -> str:
    return FAISS if config["kind"] == FAISS else f"Milvus at {config['uri']}"


def open_store(config: dict, index_path: Path, dimension: int, docstore: Docstore
               ) -> VectorStore:
    if config["kind"] == FAISS:
        return FaissStore(index_path, dimension, docstore)
    milvus = _milvus()
    server = is_server(config["uri"])
    try:
        return milvus.MilvusStore(config["uri"], config["collection"], dimension,
                                  "AUTOINDEX" if server else "FLAT")
    except Exception as err:  # pymilvus raises its own types for every connection failure
        hint = ("is another process using it? Milvus Lite serves one process at a time; "
                "share vectors through a Milvus server" if not server
                else "is the server up at that address?")
        raise StoreError(f"cannot use {describe(config)} ({_reason(err)}); {hint}") from err


def _milvus():  # noqa: ANN202 - the module, imported only for an index that uses Milvus
    try:
        import rag.index.milvus_store as milvus_store
    except ImportError:
        raise StoreError("Milvus needs pymilvus and milvus-lite: "
                         "pip install 'wenda[milvus]'") from None
    return milvus_store


def drop_store(config: dict | None) -> None:
    """Remove the vectors a manifest's store holds outside the index folder (a Milvus
    collection); FAISS files go with the folder."""
    if config and config["kind"] != FAISS:
        _milvus().drop_collection(config["uri"], config["collection"])


def _reason(err: Exception) -> str:
    """pymilvus's own message, without its wrapping."""
    text = str(getattr(err, "message", None) or err).strip()
    return (text.splitlines() or [type(err).__name__])[0]
