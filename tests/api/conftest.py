"""Real servers for the API tests: uvicorn in a thread on a free local port, each over its
own copy of the seeds index (adding documents never touches the session's index), sharing
the session's embedder."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest
import uvicorn
from fastapi import FastAPI

from api import create_app
from cli.serve import bind
from rag.index.store import CorpusIndex
from rag.knowledge_base import KnowledgeBase
from rag.serving import Service

SMALL = "qwen2.5-coder-0.5b"  # the README's test command fetches it


@contextmanager
def running(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 until the block ends; yields its base URL."""
    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "the server stopped while starting"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join()
        sock.close()


@pytest.fixture(scope="package")
def new_service(seeds_kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory
                ) -> Callable[..., Service]:
    """Makes a ``Service`` over a new copy of the seeds index (options: answerer, model)."""

    def make(**options: str) -> Service:
        folder = tmp_path_factory.mktemp("api") / "seeds"
        shutil.copytree(seeds_kb.index.path, folder)
        return Service.of(KnowledgeBase(CorpusIndex.open(folder), seeds_kb.embedder), **options)

    return make


@pytest.fixture(scope="package")
def service(new_service: Callable[..., Service]) -> Service:
    """Answers with the small LLM by default; extractive on request."""
    return new_service(answerer="llm", model=SMALL)


@pytest.fixture(scope="package")
def url(service: Service) -> Iterator[str]:
    with running(create_app(service)) as base:
        yield base


@pytest.fixture(scope="package")
def serve() -> Callable[[FastAPI], AbstractContextManager[str]]:
    """``running``, for tests that start a server of their own."""
    return running


@pytest.fixture(scope="package")
def sse() -> Callable[[Iterator[str]], Iterator[tuple[str, str]]]:
    """Reads (event, data) pairs from the lines of a server-sent event stream."""

    def events(lines: Iterator[str]) -> Iterator[tuple[str, str]]:
        event, data = "message", []
        for line in lines:
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
            elif not line and data:
                yield event, "\n".join(data)
                event, data = "message", []

    return events
