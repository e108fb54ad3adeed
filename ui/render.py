"""HTML of the conversation. Every string from a person, a document or a model is escaped
here; the only markup is ours. There is no Markdown step, so a ``[x](javascript:...)`` in
an article or an answer stays text.

Clickable things carry ``data-turn``/``data-kind``/``data-n``; the chat's ``js_on_load``
turns a click on one into a Gradio event, answered by the source panel.
"""

from __future__ import annotations

import re
from html import escape

from ui.turns import SourceRef, Turn

SNIPPET_CHARS = 90

# [1], [1,2], 【1】, ［1］: the forms an LLM writes while streaming; the final answer uses [n].
_MARKERS = re.compile(r"[\[【［]\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*[\]】］]")

EMPTY_CHAT = (
    '<div class="wenda-empty"><div class="wenda-empty-title">问我关于文档的问题</div>'
    "<div>回答只来自已索引的文章，每句都标出处 [n]，点击即可查看原文。<br>"
    "Ask about the indexed articles; every answer cites its sources.</div></div>"
)


def _attrs(turn: int, kind: str, n: int) -> str:
    return f'data-turn="{turn}" data-kind="{kind}" data-n="{n}"'


def cite_button(turn: int, n: int) -> str:
    return (f'<button type="button" class="wenda-cite" {_attrs(turn, "cite", n)} '
            f'title="查看出处 [{n}]">[{n}]</button>')


def answer_html(text: str, turn: int, cited: set[int]) -> str:
    """The answer, escaped, with each marker that names a citation as a button."""
    out, last = [], 0
    for m in _MARKERS.finditer(text):
        ns = [int(n) for n in re.findall(r"\d+", m.group(1))]
        if not ns or not set(ns) <= cited:
            continue  # not (yet) a known citation: left as text
        out += [escape(text[last : m.start()]), "".join(cite_button(turn, n) for n in ns)]
        last = m.end()
    out.append(escape(text[last:]))
    return "".join(out)


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET_CHARS else flat[:SNIPPET_CHARS] + "…"


def ref_item(turn: int, ref: SourceRef) -> str:
    """One source line: number, title, file, date and a snippet, clickable as a whole."""
    label = f"[{ref.n}]" if ref.kind == "cite" else f"#{ref.n}"
    meta = " · ".join(escape(x) for x in (ref.source, ref.where, ref.date) if x)
    return (f'<li><button type="button" class="wenda-ref" {_attrs(turn, ref.kind, ref.n)}>'
            f'<span class="wenda-ref-n">{label}</span><span class="wenda-ref-body">'
            f'<span class="wenda-ref-title">{escape(ref.title or ref.source)}</span>'
            f'<span class="wenda-ref-meta">{meta}</span>'
            f'<span class="wenda-ref-snippet">{escape(_snippet(ref.text))}</span>'
            "</span></button></li>")


def _ref_list(turn: int, refs: list[SourceRef], css: str) -> str:
    return f'<ol class="{css}">' + "".join(ref_item(turn, r) for r in refs) + "</ol>"


def _hits_block(i: int, t: Turn) -> str:
    if not t.hits:
        return ""
    title = f"检索到的 {len(t.hits)} 段资料"
    items = _ref_list(i, t.hits, "wenda-refs wenda-hits")
    if t.done and t.answer and not t.refused:  # the citations say it all: keep these folded
        return f'<details class="wenda-more"><summary>{title}</summary>{items}</details>'
    return f'<div class="wenda-section">{title}</div>{items}'


def _answer_block(i: int, t: Turn) -> str:
    if t.answer:
        css = "wenda-answer wenda-refused" if t.refused else "wenda-answer"
        cursor = "" if t.done else '<span class="wenda-cursor"></span>'
        return (f'<div class="{css}">{answer_html(t.answer, i, {c.n for c in t.citations})}'
                f"{cursor}</div>")
    if t.done:
        return ""
    state = "正在生成回答…" if t.hits else "正在检索…"
    return f'<div class="wenda-pending">{state}</div>'


def render_turn(i: int, t: Turn) -> str:
    parts = [f'<div class="wenda-msg wenda-user">{escape(t.question)}</div>',
             '<div class="wenda-msg wenda-bot">']
    if t.query and t.query != t.question:
        parts.append(f'<div class="wenda-query">按上下文检索：{escape(t.query)}</div>')
    parts.append(_answer_block(i, t))
    if t.unsupported:
        parts.append('<div class="wenda-warn">以下内容没有找到出处，请谨慎采信：'
                     + "；".join(escape(s) for s in t.unsupported) + "</div>")
    if t.note:
        parts.append(f'<div class="wenda-note">{escape(t.note)}</div>')
    if t.citations:
        parts += ['<div class="wenda-section">引用</div>',
                  _ref_list(i, t.citations, "wenda-refs wenda-cites")]
    parts.append(_hits_block(i, t))
    if t.done:
        who = f"{escape(t.answerer)} · " if t.answerer else ""
        parts.append(f'<div class="wenda-foot">{who}{t.seconds:.1f} s</div>')
    parts.append("</div>")
    return f'<div class="wenda-turn" data-turn-index="{i}">' + "".join(parts) + "</div>"


def render_chat(turns: list[Turn]) -> str:
    """The whole conversation (re-rendered on every streamed piece; Gradio sends diffs)."""
    if not turns:
        return EMPTY_CHAT
    return '<div class="wenda-chat">' + "".join(render_turn(i, t) for i, t in
                                                 enumerate(turns)) + "</div>"
