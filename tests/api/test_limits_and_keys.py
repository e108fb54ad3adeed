"""What the server refuses, and how: a 4xx with a one-line reason, before any work; and
the optional API key."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import openai
import pytest
from openai import OpenAI

from api import create_app
from rag.index.retrieval import MAX_QUERY_CHARS
from rag.serving import Service

API_KEY = "k3y-for-tests"


@pytest.fixture(scope="module")
def client(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=300) as client:
        yield client


@pytest.mark.parametrize(("body", "field"), [
    ({"query": "Sora", "k": 0}, "k"), ({"query": "Sora", "k": 51}, "k"),
    ({"query": "Sora", "k": "many"}, "k"), ({"query": ""}, "query"),
    ({"query": " \n\t"}, "query"), ({"query": "长" * (MAX_QUERY_CHARS + 1)}, "query"),
    ({"k": 3}, "query"),
])
def test_search_rejects_bad_queries_and_k(client: httpx.Client, body: dict, field: str) -> None:
    response = client.post("/v1/search", json=body)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", field]


def test_the_limits_themselves_are_allowed(client: httpx.Client) -> None:
    response = client.post("/v1/search", json={"query": "长" * MAX_QUERY_CHARS, "k": 50})
    assert response.status_code == 200


def test_ask_limits(client: httpx.Client) -> None:
    for body in ({"question": "   "}, {"question": "Sora", "answerer": "gpt"},
                 {"question": "Sora", "k": 0}):
        assert client.post("/v1/ask", json=body).status_code == 422
    response = client.post("/v1/chat/completions", json={
        "model": "wenda", "messages": [{"role": "user", "content": "长" * 1001}]})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == ("the question is 1001 characters long; "
                                                    "at most 1000")


def test_the_llm_is_offered_only_where_it_is_loaded(service: Service, serve) -> None:  # noqa: ANN001
    with serve(create_app(Service.of(service.kb))) as base:
        response = httpx.post(f"{base}/v1/ask", json={"question": "Sora", "answerer": "llm"})
        assert response.status_code == 422
        models = httpx.get(f"{base}/v1/models").json()["data"]
    assert [m["id"] for m in models] == ["wenda", "wenda-extractive"]


def test_body_size_limits(client: httpx.Client, service: Service, serve) -> None:  # noqa: ANN001
    response = client.post("/v1/search", json={"query": "x" * (1 << 20), "k": 1})
    assert response.status_code == 413
    assert response.json()["detail"].startswith("the request body is over the 1,048,576-byte")
    with serve(create_app(service, max_json_bytes=2_000, max_upload_bytes=10_000)) as base:
        small = httpx.Client(base_url=base, timeout=60)
        assert small.post("/v1/search", json={"query": "x" * 3_000}).status_code == 413
        chunked = small.post("/v1/search", content=iter([b'{"query": "', b"x" * 3_000, b'"}']),
                             headers={"content-type": "application/json"})
        assert chunked.status_code == 413 and "2,000-byte limit" in chunked.json()["detail"]
        big = small.post("/v1/documents", files={"files": ("a.pdf", b"%" * 20_000)})
        assert big.status_code == 413 and "10,000-byte limit" in big.json()["detail"]
        fits = small.post("/v1/documents", files={"files": ("a.pdf", b"%" * 5_000)})
        assert fits.status_code == 200 and fits.json()["skipped"][0]["name"] == "a.pdf"


def test_api_key(service: Service, serve) -> None:  # noqa: ANN001
    with serve(create_app(service, api_key=API_KEY)) as base:
        search = {"query": "Sora", "k": 1}
        missing = httpx.post(f"{base}/v1/search", json=search)
        assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
        assert "Authorization: Bearer" in missing.json()["detail"]
        wrong = httpx.post(f"{base}/v1/search", json=search,
                           headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        right = httpx.post(f"{base}/v1/search", json=search,
                           headers={"Authorization": f"Bearer {API_KEY}"})
        assert right.status_code == 200
        assert httpx.get(f"{base}/v1/health").status_code == 200  # for load balancers
        schema = httpx.get(f"{base}/openapi.json").json()
        assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
        assert [m.id for m in OpenAI(base_url=f"{base}/v1", api_key=API_KEY).models.list()]
        with pytest.raises(openai.AuthenticationError):
            OpenAI(base_url=f"{base}/v1", api_key="nope", max_retries=0).models.list()


def test_no_key_no_check(client: httpx.Client) -> None:
    response = client.post("/v1/search", json={"query": "Sora", "k": 1},
                           headers={"Authorization": "Bearer anything"})
    assert response.status_code == 200
    assert "securitySchemes" not in client.get("/openapi.json").json().get("components", {})
