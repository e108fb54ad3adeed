"""The index of a corpus: docstore (SQLite), BM25 over jieba tokens, FAISS vectors, and the
hybrid retriever that searches them."""

from rag.index.phases import DENSE_BATCH
from rag.index.retrieval import MAX_QUERY_CHARS, Hit, HybridRetriever, check_query
from rag.index.store import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_OVERLAP,
    CorpusIndex,
    CorpusIndexError,
    IngestReport,
    default_corpus,
    default_index_dir,
)

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_OVERLAP",
    "DENSE_BATCH",
    "MAX_QUERY_CHARS",
    "CorpusIndex",
    "CorpusIndexError",
    "Hit",
    "HybridRetriever",
    "IngestReport",
    "check_query",
    "default_corpus",
    "default_index_dir",
]
