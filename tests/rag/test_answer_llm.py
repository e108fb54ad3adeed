"""The LLM answerer with real models: Qwen2.5-Coder-0.5B through llama-cpp-python in-process,
and the same model behind llama-cpp-python's OpenAI-compatible server (langchain-openai).
Skipped where llama-cpp-python or the model is missing (``pip install 'wenda[llm]'``,
``wenda models fetch qwen2.5-coder-0.5b``)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from embeddings import MODELS, ModelStoreError
from rag.answering import REFUSALS, AnswerChain, AnswerError, LLMAnswerer, make_answerer
from rag.answering.llm import ChatLlamaCpp, endpoint_chat, llama_chat
from rag.answering.prompt import SYSTEM_PROMPT, build_messages
from rag.ingest.normalize import normalize, to_simplified, to_traditional
from rag.knowledge_base import KnowledgeBase
from rag.serving import Service

SMALL = "qwen2.5-coder-0.5b"  # the README's test command fetches it

QUESTION = "欧洲议会定于哪一天就欧盟人工智能法案进行投票?"  # gold: 3月13日


@pytest.fixture(scope="module")
def chain(seeds_kb: KnowledgeBase) -> AnswerChain:
    return AnswerChain.of(seeds_kb.retriever(k=5), "llm", model=SMALL)


@pytest.mark.parametrize(("given", "threads"), [("1", 1), ("3", 3), ("", None), ("x", None)])
def test_llama_threads_follow_omp_num_threads(monkeypatch: pytest.MonkeyPatch, given: str,
                                               threads: int | None) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", given)
    cores = len(os.sched_getaffinity(0))
    assert ChatLlamaCpp(model_path="m.gguf").n_threads == (threads or cores)


def test_chat_model_streams_tokens() -> None:
    chat = llama_chat(SMALL, max_tokens=8)
    assert isinstance(chat, ChatLlamaCpp)
    pieces = [c.text for c in chat.stream("Count: 1, 2, 3,")]
    assert len(pieces) > 1 and chat.invoke("Say OK.").text


def assert_grounded(result: dict, kb: KnowledgeBase) -> None:
    """Cited, exact quotes, whether the model wrote the answer or refused and the chain
    quoted a passage sentence instead (``answerer`` says which)."""
    assert result["answerer"] in ("llm", "extractive") and isinstance(result["refused"], bool)
    for c in result["citations"]:
        assert f"[{c['n']}]" in result["answer"]
        assert c["quote"] == kb.index.document(c["doc_id"]).text[c["start"] : c["end"]]
    assert result["timings"]["first_token_ms"] <= result["timings"]["total_ms"]


def assert_system_prompt_cached(chat: ChatLlamaCpp) -> None:
    llama, _ = chat.load()
    system = llama.tokenize(f"<|im_start|>system\n{SYSTEM_PROMPT}<|im_end|>".encode(),
                            add_bos=False, special=True)
    assert llama.n_tokens > len(system)
    assert llama.input_ids[: len(system)].tolist() == system


def test_translating_a_question_keeps_the_answer_prompt_cached() -> None:
    """English questions are translated for search under the answer's system prompt, so
    llama.cpp's cached prefix still starts with it when the answer is asked."""
    chat = llama_chat(SMALL)
    LLMAnswerer(chat).search_query("Who leads the Sora team at OpenAI?", "en")
    assert_system_prompt_cached(chat)


def test_a_service_reads_the_system_prompt_before_the_first_question(
        seeds_kb: KnowledgeBase) -> None:
    chat = llama_chat(SMALL)
    chat.load()[0].reset()  # forget what earlier tests left in the cache
    Service.of(seeds_kb, answerer="llm", model=SMALL)
    assert_system_prompt_cached(chat)


def test_the_prompt_gives_traditional_passages_in_fewer_simplified_tokens(
        chain: AnswerChain) -> None:
    question = "文心一言用了多長時間生成那篇關於靈活就業群體勞動權益的文章?"
    _, passages = chain.passages(question)
    given = chain.answerer.select(question, passages)
    written = " ".join(e.text for e in given)
    assert written != to_simplified(written)  # the seeds article is Traditional
    prompt = build_messages(question, given, "zh-Hant")[1].text
    assert prompt == to_simplified(prompt) and to_simplified(written) in prompt
    llama, _ = chain.answerer.chat.load()
    traditional, simplified = (len(llama.tokenize(t.encode(), add_bos=False))
                               for t in (written, to_simplified(written)))
    assert simplified < 0.95 * traditional


def test_streams_a_grounded_answer(chain: AnswerChain, seeds_kb: KnowledgeBase) -> None:
    """The 0.5B model often refuses where the 1.5B answers; either way nothing is uncited."""
    events = list(chain.stream(QUESTION))
    assert all(set(e) == {"delta"} for e in events[:-1])
    assert_grounded(events[-1], seeds_kb)
    assert events[-1]["refused"] or events[-1]["citations"]


@pytest.mark.slow
def test_the_default_model_answers_from_the_passages(seeds_kb: KnowledgeBase) -> None:
    result = seeds_kb.ask(QUESTION, answerer="llm")
    assert not result["refused"] and "3月13日" in normalize(result["answer"]).replace(" ", "")
    assert result["citations"]
    assert_grounded(result, seeds_kb)


def test_replies_in_the_questions_script(chain: AnswerChain) -> None:
    result = chain.invoke("歐洲議會定於哪一天就歐盟人工智能法案進行投票?")
    assert result["answer"] == to_traditional(result["answer"])  # nothing left to convert


def test_refuses_when_no_passage_has_the_shape_of_the_answer(chain: AnswerChain) -> None:
    result = chain.invoke("OpenAI训练Sora一共使用了多少块GPU?")
    assert result["refused"] and result["answer"] == REFUSALS["zh-Hans"]
    assert result["timings"]["total_ms"] < 60_000


def test_missing_and_corrupt_model_files(tmp_path: Path) -> None:
    with pytest.raises(ModelStoreError, match="no GGUF file"):
        make_answerer("llm", model=str(tmp_path / "none.gguf"))
    corrupt = tmp_path / "corrupt.gguf"
    corrupt.write_bytes(b"GGUF" + b"\0" * 1000)
    with pytest.raises(ModelStoreError, match="not a valid GGUF"):
        make_answerer("llm", model=str(corrupt))


# -- an OpenAI-compatible endpoint ---------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(MODELS[SMALL].path),
         "--model_alias", SMALL, "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "2048", "--n_threads", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("llama_cpp.server did not start within 120 s")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_answers_through_an_openai_compatible_server(
    server: str, seeds_kb: KnowledgeBase
) -> None:
    assert endpoint_chat(server, SMALL, max_tokens=8).invoke("Say OK.").text
    result = seeds_kb.ask(QUESTION, answerer="llm", endpoint=server, endpoint_model=SMALL)
    assert_grounded(result, seeds_kb)


def test_a_server_that_is_down_gets_one_line(seeds_kb: KnowledgeBase) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(AnswerError, match="cannot reach"):
        seeds_kb.ask(QUESTION, answerer="llm", endpoint=url, endpoint_model="any")


def test_a_server_that_does_not_answer_times_out(seeds_kb: KnowledgeBase) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    try:
        with pytest.raises(AnswerError, match="did not answer in time"):
            seeds_kb.ask(QUESTION, answerer="llm", endpoint=url, endpoint_model="any",
                         timeout=1)
    finally:
        for s in [*accepted, listener]:
            s.close()
