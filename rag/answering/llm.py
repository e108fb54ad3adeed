"""Chat models for the LLM answerer: llama.cpp in-process, or any OpenAI-compatible server.

``ChatLlamaCpp`` is a small langchain-core ``BaseChatModel`` over llama-cpp-python (so
nothing depends on the sunsetting langchain-community). A GGUF file is loaded once per
process and shared, and llama.cpp keeps the KV cache of the previous prompt: a prompt that
starts with the same system prompt only prefills what follows it.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.chat_models import generate_from_stream
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import Field

from embeddings import MODELS, ModelStoreError

DEFAULT_GENERATOR = "qwen2.5-coder-1.5b"

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


class AnswerError(RuntimeError):
    """The answerer could not produce an answer; the message says what to do."""


def resolve_model(name_or_path: str | None) -> Path:
    """A generator of the model store by name, or a GGUF file by path."""
    name = name_or_path or DEFAULT_GENERATOR
    spec = MODELS.get(name)
    if spec is not None and spec.role == "generator":
        if not spec.installed:
            raise ModelStoreError(f"model {name} is not in the store; fetch it with "
                                  f"`wenda models fetch {name}`")
        return spec.path
    path = Path(name).expanduser()
    if not path.is_file():
        generators = [n for n, s in MODELS.items() if s.role == "generator"]
        raise ModelStoreError(f"no GGUF file at {path}; give a .gguf path or one of "
                              f"{', '.join(generators)}")
    return path


@cache
def _load(path: str, n_ctx: int, n_threads: int) -> tuple[Any, threading.Lock]:
    """One ``Llama`` per file and settings for the whole process, with the lock that
    serialises its use (a llama.cpp context is not thread-safe)."""
    try:
        from llama_cpp import Llama
    except ImportError:
        raise AnswerError("the LLM answerer needs llama-cpp-python: "
                          "pip install 'wenda[llm]'") from None
    try:
        llama = Llama(model_path=path, n_ctx=n_ctx, n_threads=n_threads, verbose=False)
    except (ValueError, RuntimeError) as err:
        raise ModelStoreError(f"cannot load {path}: not a valid GGUF model ({err}); fetch it "
                              "again or give another --model") from None
    # Freed while the interpreter is whole: llama.cpp's __del__ at shutdown finds its
    # module globals gone and prints a TypeError traceback.
    atexit.register(llama.close)
    return llama, threading.Lock()


def cpu_threads() -> int:
    """Threads for llama.cpp: ``$OMP_NUM_THREADS`` (the knob torch and the embedders read
    too; 1 keeps a machine shared with other jobs from thrashing), else the usable cores."""
    given = os.environ.get("OMP_NUM_THREADS", "")
    return int(given) if given.isdigit() and int(given) > 0 else len(os.sched_getaffinity(0))


class ChatLlamaCpp(BaseChatModel):
    """A GGUF chat model run by llama.cpp on the CPU, streaming tokens."""

    model_path: str
    n_ctx: int = 2048
    n_threads: int = Field(default_factory=cpu_threads)
    max_tokens: int = 160
    temperature: float = 0.0

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "n_ctx": self.n_ctx,
                "max_tokens": self.max_tokens, "temperature": self.temperature}

    def load(self) -> tuple[Any, threading.Lock]:
        """The process's shared ``Llama`` for these settings and the lock that serialises
        it, loaded now if it is not yet (call it early to fail early)."""
        return _load(self.model_path, self.n_ctx, self.n_threads)

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None,
                  **kwargs: Any) -> ChatResult:
        return generate_from_stream(self._stream(messages, stop, run_manager, **kwargs))

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        llama, lock = self.load()
        chat = [{"role": _ROLES.get(m.type, "user"), "content": m.text} for m in messages]
        with lock:
            pieces = llama.create_chat_completion(
                chat, stream=True, stop=stop, max_tokens=kwargs.get("max_tokens", self.max_tokens),
                temperature=kwargs.get("temperature", self.temperature))
            for piece in pieces:
                text = piece["choices"][0]["delta"].get("content")
                if text:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
                    if run_manager:
                        run_manager.on_llm_new_token(text, chunk=chunk)
                    yield chunk


def llama_chat(model: str | None = None, **settings: Any) -> ChatLlamaCpp:
    """The local chat model for a store name or GGUF path, loaded and ready."""
    chat = ChatLlamaCpp(model_path=str(resolve_model(model)), **settings)
    chat.load()
    return chat


def endpoint_chat(url: str, model: str, timeout: float = 60.0,
                  max_tokens: int = 160) -> BaseChatModel:
    """A chat model behind an OpenAI-compatible server (``/v1`` is added to a bare URL)."""
    try:
        from langchain_openai import ChatOpenAI
    except ImportError:
        raise AnswerError("--endpoint needs langchain-openai: pip install 'wenda[llm]'") from None
    if urlsplit(url).path in ("", "/"):
        url = url.rstrip("/") + "/v1"
    return ChatOpenAI(base_url=url, model=model, timeout=timeout, max_retries=0,
                      temperature=0, max_tokens=max_tokens,  # type: ignore[call-arg]
                      api_key=os.environ.get("OPENAI_API_KEY", "not-needed"))


def explain(err: Exception, chat: BaseChatModel) -> str | None:
    """A one-line reason for a failed call to an OpenAI-compatible server, else None."""
    try:
        import openai
    except ImportError:
        return None
    where = getattr(chat, "openai_api_base", None) or "the endpoint"
    if isinstance(err, openai.APITimeoutError):
        return f"{where} did not answer in time; try again, raise --timeout, or use a local model"
    if isinstance(err, openai.APIConnectionError):
        return f"cannot reach {where}: is the server running and the URL right?"
    if isinstance(err, openai.APIStatusError):
        return f"{where} answered HTTP {err.status_code}: {err.message}"
    return None
