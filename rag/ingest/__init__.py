"""Ingestion: files → ``SourceDocument`` with its byline lines (load) → debris removed with
an offset map (clean) → one script for matching (normalize) → sentence-aware chunks with
exact spans, their sentences' included (chunk)."""

from rag.ingest.chunking import split_sentences
from rag.ingest.loading import (
    DEFAULT_MAX_BYTES,
    SUFFIXES,
    LoadResult,
    count_documents,
    iter_documents,
    load_paths,
)
from rag.ingest.normalize import Script, detect_script, normalize, to_simplified, to_traditional
from rag.ingest.records import json_object

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SUFFIXES",
    "LoadResult",
    "Script",
    "count_documents",
    "detect_script",
    "iter_documents",
    "json_object",
    "load_paths",
    "normalize",
    "split_sentences",
    "to_simplified",
    "to_traditional",
]
