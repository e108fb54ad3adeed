"""Many requests at once on the real server: each gets its own right answer, and health
answers while the LLM (which writes one answer at a time) is writing."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from rag.answering import llama_chat
from rag.serving import Service

SMALL = "qwen2.5-coder-0.5b"  # the service's LLM (conftest)
QUESTIONS = [
    "意大利总理梅洛尼对人工智能立法说了什么？",
    "高盛報告如何引發AI股票拋售？",
    "Who said ByteDance's Chinese Sora rumour was false?",
    "一只狼对着月亮嚎叫的视频是谁生成的",
    "上海人工智能行业协会秘书长是谁",
]


def test_twenty_searches_at_once(url: str, service: Service) -> None:
    requests = [(q, k) for q in QUESTIONS for k in (1, 2, 3, 5)]
    with httpx.Client(base_url=url, timeout=300) as client, ThreadPoolExecutor(20) as pool:
        responses = list(pool.map(
            lambda qk: client.post("/v1/search", json={"query": qk[0], "k": qk[1]}), requests))
    for (query, k), response in zip(requests, responses):
        assert response.status_code == 200
        expected = [h.chunk.chunk_id for h in service.kb.search(query, k=k)]
        assert [h["chunk_id"] for h in response.json()["hits"]] == expected


def test_four_answers_at_once(url: str, service: Service) -> None:
    questions = QUESTIONS[:4]
    with httpx.Client(base_url=url, timeout=300) as client, ThreadPoolExecutor(4) as pool:
        responses = list(pool.map(lambda q: client.post(
            "/v1/ask", json={"question": q, "answerer": "extractive"}), questions))
    for question, response in zip(questions, responses):
        assert response.status_code == 200
        expected = service.kb.ask(question)
        del expected["passages"], expected["timings"]
        assert {k: v for k, v in response.json().items() if k != "timings"} == expected


def test_health_answers_while_the_llm_writes(url: str, service: Service) -> None:
    """Two LLM answers are asked at once; once the first is being written (the model's lock
    is held), health is asked: it answers, with the second answer still to come. Both
    answers come back grounded."""
    chat = llama_chat(SMALL)
    _, generating = chat.load()  # the lock, held while writing
    with httpx.Client(base_url=url, timeout=600) as client, ThreadPoolExecutor(2) as pool:
        started = time.perf_counter()
        client.get("/v1/health")
        idle = time.perf_counter() - started
        asks = [pool.submit(client.post, "/v1/ask", json={"question": q, "answerer": "llm"})
                for q in (QUESTIONS[0], QUESTIONS[4])]
        while not generating.locked():
            assert not all(a.done() for a in asks), "the answers came back unwritten"
            time.sleep(0.005)
        started = time.perf_counter()
        health = client.get("/v1/health", timeout=30)
        busy = time.perf_counter() - started
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert not all(a.done() for a in asks)
        results = [a.result() for a in asks]
    print(f"health: {idle * 1000:.1f} ms idle, {busy * 1000:.1f} ms while the LLM writes")
    for response in results:
        assert response.status_code == 200
        result = response.json()
        assert result["answerer"] in ("llm", "extractive")  # the quote where the LLM refused
        assert isinstance(result["refused"], bool)
        for c in result["citations"]:
            assert c["quote"] == service.kb.index.document(c["doc_id"]).text[c["start"]:c["end"]]
