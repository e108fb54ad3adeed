"""Each route of the real server gives what the Python API gives; documents added over HTTP
are searchable at once, and what was skipped says why."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from rag.serving import Service

QUESTION = "欧洲议会定于哪一天就欧盟人工智能法案进行投票?"


@pytest.fixture(scope="module")
def client(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=300) as client:
        yield client


def without(result: dict, *keys: str) -> dict:
    return {k: v for k, v in result.items() if k not in keys}


def test_search_gives_the_hits_of_the_cli(client: httpx.Client, service: Service) -> None:
    query = "高盛報告如何引發AI股票拋售？"
    response = client.post("/v1/search", json={"query": query, "k": 3})
    assert response.status_code == 200
    hits = response.json()["hits"]
    expected = [hit.to_dict() for hit in service.kb.search(query, k=3)]
    assert [without(h, "score", "dense_score") for h in hits] == [
        without(h, "score", "dense_score") for h in expected]
    assert [h["score"] for h in hits] == pytest.approx([h["score"] for h in expected])


def test_ask_gives_the_answer_without_passages(client: httpx.Client, service: Service) -> None:
    response = client.post("/v1/ask", json={"question": QUESTION, "answerer": "extractive"})
    assert response.status_code == 200
    body = response.json()
    expected = service.kb.ask(QUESTION, answerer="extractive")
    assert without(body, "timings") == without(expected, "timings", "passages")
    assert "3月13日" in body["answer"] and body["citations"][0]["n"] == 1


def test_ask_stream_sends_deltas_then_the_answer(client: httpx.Client, sse) -> None:  # noqa: ANN001
    with client.stream("POST", "/v1/ask/stream",
                       json={"question": QUESTION, "answerer": "extractive", "k": 3}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [(e, json.loads(d)) for e, d in sse(response.iter_lines())]
    *deltas, (last, answer) = events
    assert deltas and all(e == "delta" and set(d) == {"delta"} for e, d in deltas)
    assert last == "answer" and "passages" not in answer
    whole = client.post("/v1/ask", json={"question": QUESTION, "answerer": "extractive",
                                         "k": 3}).json()
    assert without(answer, "timings") == without(whole, "timings")


def test_json_documents_are_added_updated_and_found(client: httpx.Client) -> None:
    note = {"id": "m1", "title": "评审会议", "text": "下次评审定于五月十二日，由王工主持。",
            "date": "2024-05-01"}
    documents = client.get("/v1/health").json()["documents"]
    first = client.post("/v1/documents", json={"documents": [note, note | {"title": "x"}]})
    assert first.status_code == 200
    assert first.json()["added"] == ["api-documents.jsonl#m1"]
    assert first.json()["skipped"] == [
        {"name": "m1", "reason": "duplicate id in the request; send it once"}]
    assert first.json()["documents"] == documents + 1
    again = client.post("/v1/documents", json={"documents": [note]}).json()
    assert again["unchanged"] == ["api-documents.jsonl#m1"] and again["embedded"] == 0
    changed = client.post("/v1/documents", json={"documents": [
        note | {"text": "下次评审改为五月二十日，由王工主持。"}, {"id": 7, "text": "x"}]})
    assert changed.status_code == 422  # ids are strings
    changed = client.post("/v1/documents", json={"documents": [
        note | {"text": "下次评审改为五月二十日，由王工主持。"}]}).json()
    assert changed["updated"] == ["api-documents.jsonl#m1"]
    [hit] = client.post("/v1/search", json={"query": "评审改到哪天", "k": 1}).json()["hits"]
    assert hit["doc_id"] == "api-documents.jsonl#m1" and hit["date"] == "2024-05-01"
    assert hit["text"] == "下次评审改为五月二十日，由王工主持。"


def test_uploaded_files_are_kept_and_the_bad_ones_explained(client: httpx.Client,
                                                            service: Service) -> None:
    files = [
        ("files", ("../../plan.md", "# 测试计划\n\n测试工作由李工负责，六月底前完成。".encode())),
        ("files", ("notes.jsonl", '{"id": 1, "text": "周会改到周三。"}\nnot json\n'.encode())),
        ("files", ("scan.pdf", b"%PDF-1.7")),
        ("files", ("empty.txt", b"")),
        ("files", ("big5.txt", "測試由李工負責。".encode("big5"))),
    ]
    report = client.post("/v1/documents", files=files).json()
    assert report["added"] == ["plan.md", "notes.jsonl#1", "big5.txt"]
    reasons = {s["name"]: s["reason"] for s in report["skipped"]}
    assert set(reasons) == {"notes.jsonl", "scan.pdf", "empty.txt"}
    assert "line 2: not valid JSON" in reasons["notes.jsonl"]
    assert "not a readable PDF" in reasons["scan.pdf"]  # a header and nothing more
    assert "empty file" in reasons["empty.txt"]
    folder = service.kb.index.path.parent / "seeds-uploads"
    kept = {p.name for p in folder.iterdir()}
    assert {"plan.md", "notes.jsonl", "big5.txt"} <= kept and not {"scan.pdf", "empty.txt"} & kept
    assert not (folder.parent.parent / "plan.md").exists()  # "../../" led nowhere else
    again = client.post("/v1/documents", files=files[:1]).json()
    assert again["unchanged"] == ["plan.md"] and not again["added"]
    [hit] = client.post("/v1/search", json={"query": "测试工作谁负责", "k": 1}).json()["hits"]
    assert hit["doc_id"] in ("plan.md", "big5.txt")


def test_documents_take_json_or_multipart_only(client: httpx.Client) -> None:
    response = client.post("/v1/documents", content=b"text", headers={"content-type": "text/plain"})
    assert response.status_code == 415 and "multipart/form-data" in response.json()["detail"]
    response = client.post("/v1/documents", data={"other": "x"}, files={"x": ("a.txt", b"a")})
    assert response.status_code == 400 and "'files'" in response.json()["detail"]


def test_health_and_the_schema(client: httpx.Client, service: Service) -> None:
    health = client.get("/v1/health").json()
    assert health == {"status": "ok", "documents": len(service.kb.index.documents),
                      "chunks": len(service.kb.index.chunks),
                      "vectors": len(service.kb.index.chunks), "search": "hybrid",
                      "embedder": "embeddinggemma-300m", "answerer": "llm",
                      "answerers": ["extractive", "llm"]}
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/search", "/v1/ask", "/v1/ask/stream", "/v1/documents", "/v1/health",
            "/v1/chat/completions", "/v1/models"} <= set(paths)
    assert client.get("/docs").status_code == 200
