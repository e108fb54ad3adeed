"""The index of a corpus: docstore (SQLite), BM25 over jieba tokens, vectors (FAISS, or
Milvus through ``--store``), and the hybrid retriever that searches them."""

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
from rag.index.stores import STORE_ENV, StoreError, store_kind

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_OVERLAP",
    "DENSE_BATCH",
    "MAX_QUERY_CHARS",
    "STORE_ENV",
    "CorpusIndex",
    "CorpusIndexError",
    "Hit",
    "HybridRetriever",
    "IngestReport",
    "StoreError",
    "check_query",
    "default_corpus",
    "default_index_dir",
    "store_kind",
]
