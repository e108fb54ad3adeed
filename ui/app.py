"""The Gradio page: conversation on the left, source panel and settings on the right.

The conversation is one ``gr.HTML`` written by ``ui.render`` (not ``gr.Chatbot``): every
byte of markup is ours and all text is escaped, and a click on a citation reaches Python
through the component's ``trigger`` with the citation's turn/kind/number.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import Any

import gradio as gr

from rag.ingest import SUFFIXES
from rag.serving import AddResult, Service
from ui.chat import Settings, respond, source_html
from ui.render import render_chat
from ui.source_panel import PLACEHOLDER
from ui.turns import Turn

# A click on anything carrying data-kind (a [n] marker or a source line) becomes one event.
CHAT_JS = """
element.addEventListener('click', (event) => {
  const el = event.target.closest('[data-kind]');
  if (!el || !element.contains(el)) return;
  event.preventDefault();
  element.querySelectorAll('.wenda-active').forEach((a) => a.classList.remove('wenda-active'));
  el.classList.add('wenda-active');
  trigger('click', {turn: Number(el.dataset.turn), kind: el.dataset.kind,
                    n: Number(el.dataset.n)});
});
"""
# On a narrow screen the panel sits below the chat: bring it into view when it changes.
PANEL_JS = "watch('value', () => element.scrollIntoView({block: 'nearest', behavior: 'smooth'}));"

ANSWERERS = [("抽取式：即时，只引原文 (extractive)", "extractive"),
             ("本地 LLM：Qwen2.5 1.5B (llm)", "llm"),
             ("OpenAI 兼容接口 (endpoint)", "endpoint")]
SCRIPTS = [("跟随问题", "question"), ("简体", "zh-Hans"), ("繁體", "zh-Hant")]


def status_line(service: Service) -> str:
    """One line on the index: loading, broken, or how many documents and passages."""
    if service.loading:
        return f"正在加载：{service.state.phase}（{service.state.seconds:.0f} s）"
    if service.state.error:
        return f"索引无法打开：{service.state.error}"
    index = service.kb.index
    return (f"索引 {index.path.name}：{len(index.documents)} 篇文档 · {len(index.chunks)} 段"
            f" · {index.embedder_name}")


def header_html(service: Service) -> str:
    css = "wenda-status wenda-error" if service.state.error else "wenda-status"
    return ('<div class="wenda-header"><span class="wenda-logo">问答<small>wenda</small></span>'
            f'<span class="{css}">{escape(status_line(service))}</span></div>')


def upload_summary(result: AddResult) -> str:
    """What an upload did, for the upload box, in plain text."""
    report = result.report
    stored = len(report.added) + len(report.updated) + len(result.unchanged)
    head = f"已加入索引 {stored} 篇，文件保存在 {result.folder}" if stored else "没有加入新文档"
    lines = [head, f"{len(report.added)} added, {len(report.updated)} updated, "
             f"{len(result.unchanged)} unchanged; {report.chunks} chunks "
             f"({report.embedded} embedded) in {report.seconds:.1f} s"]
    return "\n".join(lines + [f"skipped {name}: {why}" for name, why in result.skipped])


def build_app(service: Service, defaults: Settings | None = None,
              examples: list[str] | None = None) -> gr.Blocks:
    """The chat page over ``service``; ``defaults`` preset the settings accordion."""
    defaults = defaults or Settings()
    llm_shown = defaults.answerer != "extractive"

    def ask(question: str, turns: list[Turn], answerer: str, endpoint: str, k: float,
            script: str, rewrite: bool) -> Iterator[tuple[Any, ...]]:
        if not question.strip():
            yield gr.skip(), gr.skip(), gr.skip()
            return
        settings = Settings(answerer, endpoint, int(k), script, rewrite)  # type: ignore[arg-type]
        steps = respond(service, question, turns, settings)
        mine = next(steps)[-1]
        yield render_chat(turns), turns, ""
        for state in steps:
            if not any(t is mine for t in state):  # "new chat" cleared the list: stop here,
                steps.close()  # which also stops the answerer at its next piece
                yield render_chat(state), state, gr.skip()
                return
            yield render_chat(state), state, gr.skip()  # keep what is being typed next

    def new_conversation(turns: list[Turn]) -> tuple[list[Turn], str, str]:
        turns.clear()  # in place: an answer still streaming into this list sees it and stops
        return turns, render_chat(turns), PLACEHOLDER

    def show(turns: list[Turn], evt: gr.EventData) -> str:
        try:
            return source_html(service, turns, int(evt.turn), str(evt.kind), int(evt.n))
        except (AttributeError, TypeError, ValueError):  # not a click we rendered
            return PLACEHOLDER

    def loading() -> Iterator[str]:
        while service.loading:
            yield header_html(service)
            time.sleep(0.5)
        yield header_html(service)

    def upload(paths: list[str] | None,
               progress: gr.Progress = gr.Progress(track_tqdm=True)) -> tuple[Any, ...]:  # noqa: B008
        if not paths:
            return gr.skip(), gr.skip(), gr.skip()
        progress(0, desc="读取文件…")
        try:
            result = service.add_files([(Path(p).name, Path(p).read_bytes()) for p in paths])
        except Exception as err:  # reported in the box; the index is unchanged
            return f"导入失败：{type(err).__name__}: {err}", gr.skip(), None
        return upload_summary(result), header_html(service), None

    def settings_shown(answerer: str) -> tuple[Any, Any]:
        return (gr.update(visible=answerer == "endpoint"),
                gr.update(visible=answerer != "extractive"))

    with gr.Blocks(title="wenda 问答", analytics_enabled=False) as demo:
        turns = gr.State([])
        header = gr.HTML(header_html(service), elem_id="wenda-header")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=420):
                chat = gr.HTML(render_chat([]), js_on_load=CHAT_JS, elem_id="wenda-chat",
                               autoscroll=True, max_height=640)
                question = gr.Textbox(show_label=False, container=False, autofocus=True,
                                      placeholder="输入问题，按 Enter 发送（简体、繁體或 English）",
                                      submit_btn="发送", elem_id="wenda-question")
                with gr.Row():
                    new_chat = gr.Button("新对话 New chat", size="sm", variant="secondary",
                                         elem_id="wenda-new", scale=0)
                if examples:
                    gr.Examples(examples, inputs=question, label="试试这些问题")
            with gr.Column(scale=2, min_width=320, elem_id="wenda-side"):
                panel = gr.HTML(PLACEHOLDER, js_on_load=PANEL_JS, elem_id="wenda-panel")
                with gr.Accordion("设置 Settings", open=False, elem_id="wenda-settings"):
                    answerer = gr.Radio(ANSWERERS, value=defaults.answerer, label="回答方式")
                    endpoint = gr.Textbox(defaults.endpoint, label="接口地址",
                                          placeholder="http://127.0.0.1:8080/v1",
                                          visible=defaults.answerer == "endpoint")
                    k = gr.Slider(1, 10, value=defaults.k, step=1, label="检索段落数")
                    script = gr.Radio(SCRIPTS, value=defaults.script, label="回答字体")
                    rewrite = gr.Checkbox(defaults.rewrite, visible=llm_shown,
                                          label="追问时让 LLM 改写成完整问题（多一次 LLM 调用）")
                with gr.Accordion("添加文档 Add documents", open=False, elem_id="wenda-upload"):
                    files = gr.File(file_count="multiple", file_types=list(SUFFIXES),
                                    label=".txt .md .html .jsonl", elem_id="wenda-files")
                    report = gr.Textbox(label="导入结果", lines=3, interactive=False,
                                        elem_id="wenda-report")

        inputs = [question, turns, answerer, endpoint, k, script, rewrite]
        question.submit(ask, inputs, [chat, turns, question], concurrency_limit=4)
        new_chat.click(new_conversation, turns, [turns, chat, panel], queue=False)
        chat.click(show, [turns], panel, concurrency_limit=None)
        answerer.change(settings_shown, answerer, [endpoint, rewrite], queue=False)
        files.upload(upload, files, [report, header, files], concurrency_limit=1)
        demo.load(loading, None, header)
    return demo
