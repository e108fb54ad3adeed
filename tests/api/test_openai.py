"""The OpenAI Python client against the real server: models, chat completions whole and
streamed (the small LLM), with wenda's citations beside the answer; and the HTTP example."""

from __future__ import annotations

import runpy
import sys
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest
from openai import OpenAI

from api import create_app
from rag.serving import Service

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "http_client.py"
QUESTION = "欧洲议会定于哪一天就欧盟人工智能法案进行投票?"
HISTORY = [{"role": "system", "content": "Answer briefly."},
           {"role": "user", "content": "Sora 是什么？"},
           {"role": "assistant", "content": "OpenAI 的视频生成模型。"}]


@pytest.fixture(scope="module")
def client(url: str) -> OpenAI:
    return OpenAI(base_url=f"{url}/v1", api_key="unused", timeout=600, max_retries=0)


def test_models(client: OpenAI) -> None:
    assert [m.id for m in client.models.list()] == ["wenda", "wenda-extractive", "wenda-llm"]


def test_chat_completion_carries_its_citations(client: OpenAI, service: Service) -> None:
    completion = client.chat.completions.create(
        model="wenda-extractive", messages=[*HISTORY, {"role": "user", "content": QUESTION}])
    expected = service.kb.ask(QUESTION, answerer="extractive")
    assert completion.choices[0].message.content == expected["answer"]
    assert completion.choices[0].finish_reason == "stop"
    assert completion.model_extra["citations"] == expected["citations"]
    assert completion.model_extra["refused"] is False


def test_streamed_chat_completion_from_the_llm(client: OpenAI, service: Service) -> None:
    stream = client.chat.completions.create(
        model="wenda-llm", stream=True, messages=[{"role": "user", "content": QUESTION}])
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    last = chunks[-1]
    assert text and last.choices[0].finish_reason == "stop"
    assert last.model_extra["answer"] and isinstance(last.model_extra["refused"], bool)
    for c in last.model_extra["citations"]:  # every [n] is an exact span of its source
        assert f"[{c['n']}]" in last.model_extra["answer"]
        assert c["quote"] == service.kb.index.document(c["doc_id"]).text[c["start"]:c["end"]]


def test_unknown_model_and_missing_question(client: OpenAI) -> None:
    with pytest.raises(openai.NotFoundError, match="wenda-extractive"):
        client.chat.completions.create(model="gpt-4o",
                                       messages=[{"role": "user", "content": QUESTION}])
    with pytest.raises(openai.BadRequestError, match="last user message"):
        client.chat.completions.create(model="wenda", messages=HISTORY[:1])


@pytest.fixture
def extractive_url(service: Service, serve) -> Iterator[str]:  # noqa: ANN001
    with serve(create_app(Service.of(service.kb))) as base:
        yield base


def test_the_http_example(extractive_url: str, monkeypatch: pytest.MonkeyPatch,
                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", [str(EXAMPLE), extractive_url])
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    out = capsys.readouterr().out
    assert "[1] " in out and "3月13日" in out
    assert "[1] 000_a3d2e3e7c9ddcafe.txt chars 1591-1631: 欧洲议会定于3月13日" in out
