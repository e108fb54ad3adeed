"""Start the chat: open the index in the background, serve the page on a local port.

``wenda chat`` calls ``serve``; tests and the benchmark call ``build_app`` and ``launch``
to run the same server in a background thread.
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from rag import KnowledgeBase
from rag.index import CorpusIndex, CorpusIndexError, default_index_dir
from rag.ingest import DEFAULT_MAX_BYTES
from rag.serving import Loader, Service
from ui.app import build_app
from ui.chat import Settings
from ui.style import CSS, theme

SEEDS_EXAMPLES = [
    "意大利总理梅洛尼对人工智能立法说了什么？",
    "高盛報告如何引發AI股票拋售？",
    "上海人工智能行业协会秘书长是谁？",
    "Who said ByteDance's Chinese Sora rumour was false?",
]


def loader(path: Path, model: str | None, progress: bool = True,
           store: str | None = None) -> Loader:
    """Open (or for the seeds, build) the index, saying what it is doing."""

    def load(say):  # noqa: ANN001, ANN202 - a Loader
        first_build = not CorpusIndex.exists(path)
        say("首次运行：正在建立 seeds 索引（几分钟）…" if first_build else "正在打开索引…")
        return KnowledgeBase.open(path, model=model, progress=progress, store=store)

    return load


def launch(demo: gr.Blocks, host: str = "127.0.0.1", port: int = 7860,
           quiet: bool = False) -> str:
    """Serve ``demo`` from a background thread (queued, so concurrent tabs are answered
    together); returns its URL. Raises ValueError at once if the port is taken."""
    demo.queue(default_concurrency_limit=2)
    try:
        _, url, _ = demo.launch(
            server_name=host, server_port=port, prevent_thread_lock=True, quiet=quiet,
            theme=theme(), css=CSS, max_file_size=DEFAULT_MAX_BYTES, ssr_mode=False,
            show_error=True,
        )
    except OSError as err:
        raise ValueError(f"cannot serve on {host}:{port} ({err}); is another server using "
                         "it? Pass --port N") from None
    return url


def serve(index: Path | None = None, model: str | None = None, host: str = "127.0.0.1",
          port: int = 7860, answerer: str = "llm", quiet: bool = False,
          store: str | None = None) -> int:
    """``wenda chat``: the page is up at once; the index and models load behind it."""
    settings = Settings.from_cli(answerer)
    path = Path(index) if index else default_index_dir()
    seeds = path == default_index_dir()
    if not seeds and not CorpusIndex.exists(path):
        raise CorpusIndexError(f"no index at {path}; build one with "
                               f"`wenda ingest FOLDER --index {path}`")
    service = Service(loader(path, model, progress=not quiet, store=store),
                      answerer="llm" if settings.answerer == "llm" else "extractive")
    demo = build_app(service, settings, examples=SEEDS_EXAMPLES if seeds else None)
    launch(demo, host, port, quiet=quiet)  # first: a taken port fails before any loading
    service.start()
    demo.block_thread()  # until Ctrl-C
    return 0
