"""wenda's core, laid out as the flow it runs: ``ingest`` (load → clean → normalize →
chunk), ``index`` (docstore, BM25, vectors, retrieval) and ``answering`` (grounded answers
with citations). An application needs only the names below."""

from rag.answering import Answer, AnswerConfig, Citation
from rag.documents import Chunk, Location, Section, SourceDocument, SourceSpan
from rag.index.retrieval import Hit, HybridRetriever
from rag.index.store import CorpusIndexError, IngestReport
from rag.knowledge_base import KnowledgeBase

__all__ = [
    "Answer",
    "AnswerConfig",
    "Chunk",
    "Citation",
    "CorpusIndexError",
    "Hit",
    "HybridRetriever",
    "IngestReport",
    "KnowledgeBase",
    "Location",
    "Section",
    "SourceDocument",
    "SourceSpan",
]
