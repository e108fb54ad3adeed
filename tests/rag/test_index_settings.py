"""Retrieval settings: recorded in the index manifest and used by the queries of that index;
what a chunk's BM25 text holds besides the chunk."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from rag.documents import SourceDocument
from rag.index.bm25 import chunk_tokens, tokenize
from rag.index.settings import DEFAULT_INDEX, LEGACY_INDEX, IndexSettings
from rag.index.store import CorpusIndex
from rag.ingest.chunking import chunk_document
from rag.knowledge_base import KnowledgeBase

ARTICLE = SourceDocument(
    doc_id="a.jsonl#1", source="a.jsonl", title="长江大桥通车", date="2023-08-16",
    text="某市的长江大桥今天正式通车。" + "桥面宽三十米，设双向六车道。" * 3,
)


def test_manifest_records_the_settings_and_an_old_manifest_reads_as_legacy(
    seeds_kb: KnowledgeBase, tmp_path: Path
) -> None:
    manifest = json.loads((seeds_kb.index.path / "manifest.json").read_text())
    assert IndexSettings.from_dict(manifest) == DEFAULT_INDEX == seeds_kb.index.settings
    copy = tmp_path / "idx"
    shutil.copytree(seeds_kb.index.path, copy)
    old = {k: v for k, v in manifest.items() if k not in DEFAULT_INDEX.to_dict()}
    (copy / "manifest.json").write_text(json.dumps(old))
    assert CorpusIndex.open(copy).settings == LEGACY_INDEX


def test_unknown_context_field_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown chunk context"):
        IndexSettings(context=("summary",))


def test_lead_and_title_reach_every_later_chunk_once() -> None:
    settings = IndexSettings(chunk_size=20, overlap=0, context=("title", "lead"),
                             tokenizer="words")
    chunks = chunk_document(ARTICLE, settings.chunk_size, settings.overlap)
    tokens = chunk_tokens(ARTICLE, chunks, settings)
    assert len(chunks) > 2 and len(tokens) == len(chunks)
    assert tokens[0].count("长江大桥") == 2  # title + its own text: the lead is not repeated
    assert all("长江大桥" in t and "通车" in t for t in tokens[1:])
    plain = chunk_tokens(ARTICLE, chunks, replace(settings, context=()))
    assert plain == [tokenize(c.norm, "words") for c in chunks]


def test_words_tokenizer_keeps_words_whole() -> None:
    assert "人工" not in tokenize("人工智能", "words")
    assert "人工" in tokenize("人工智能", "search")
