"""Look of the chat: a Gradio theme with local fonts only (the app runs offline, so nothing
may be fetched from a font CDN) and the CSS of the HTML that ``ui.render`` writes."""

from __future__ import annotations

import gradio as gr

FONTS = ["system-ui", "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei",
         "WenQuanYi Micro Hei", "sans-serif"]
MONO = ["ui-monospace", "SFMono-Regular", "Menlo", "monospace"]


def theme() -> gr.themes.Base:
    return gr.themes.Soft(primary_hue="teal", neutral_hue="slate", font=FONTS, font_mono=MONO)


CSS = """
.gradio-container { max-width: 1280px !important; margin: 0 auto; }
.wenda-header { display: flex; align-items: baseline; gap: 14px; flex-wrap: wrap;
  padding: 4px 2px 10px; border-bottom: 1px solid var(--border-color-primary); }
.wenda-logo { font-size: 1.45rem; font-weight: 700; color: var(--color-accent); }
.wenda-logo small { font-weight: 400; color: var(--body-text-color-subdued); margin-left: 6px;
  font-size: .9rem; }
.wenda-status { color: var(--body-text-color-subdued); font-size: .9rem; }
.wenda-status.wenda-error { color: #b42318; }

#wenda-chat { border: 1px solid var(--border-color-primary); border-radius: 12px;
  background: var(--background-fill-secondary); padding: 14px; min-height: 460px; }
.wenda-empty { text-align: center; color: var(--body-text-color-subdued); padding: 120px 20px; }
.wenda-empty-title { font-size: 1.25rem; color: var(--body-text-color); margin-bottom: 8px; }
.wenda-turn { display: flex; flex-direction: column; gap: 8px; margin-bottom: 18px; }
.wenda-msg { border-radius: 12px; padding: 10px 14px; line-height: 1.7; max-width: 92%; }
.wenda-user { align-self: flex-end; background: var(--color-accent-soft);
  white-space: pre-wrap; }
.wenda-bot { align-self: flex-start; background: var(--background-fill-primary);
  border: 1px solid var(--border-color-primary); width: 92%; }
.wenda-answer { font-size: 1.02rem; white-space: pre-wrap; }
.wenda-refused { color: var(--body-text-color-subdued); }
.wenda-pending { color: var(--body-text-color-subdued); font-style: italic; }
.wenda-cursor::after { content: "▍"; animation: wenda-blink 1s steps(1) infinite;
  color: var(--color-accent); }
@keyframes wenda-blink { 50% { opacity: 0; } }
.wenda-query { font-size: .85rem; color: var(--body-text-color-subdued); margin-bottom: 4px; }
.wenda-note, .wenda-warn { font-size: .9rem; margin-top: 6px; padding: 6px 10px;
  border-radius: 8px; background: #fff4e5; color: #7a4b00; }
.wenda-section { font-size: .8rem; font-weight: 600; letter-spacing: .04em; margin: 10px 0 4px;
  color: var(--body-text-color-subdued); }
.wenda-foot { font-size: .75rem; color: var(--body-text-color-subdued); margin-top: 8px;
  text-align: right; }
.wenda-more summary { cursor: pointer; font-size: .8rem; margin-top: 10px;
  color: var(--body-text-color-subdued); }

button.wenda-cite { display: inline; border: none; padding: 0 2px; margin: 0 1px;
  background: var(--color-accent-soft); color: var(--color-accent); border-radius: 4px;
  font-size: .8em; font-weight: 700; vertical-align: super; line-height: 1; cursor: pointer; }
button.wenda-cite:hover, button.wenda-cite.wenda-active {
  background: var(--color-accent); color: white; }
ol.wenda-refs { list-style: none; padding: 0; margin: 0; display: flex; flex-direction: column;
  gap: 4px; }
button.wenda-ref { display: flex; gap: 8px; width: 100%; text-align: left; cursor: pointer;
  border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 6px 8px;
  background: var(--background-fill-secondary); font: inherit; color: inherit; }
button.wenda-ref:hover, button.wenda-ref.wenda-active { border-color: var(--color-accent); }
.wenda-ref-n { font-weight: 700; color: var(--color-accent); min-width: 2.2em; }
.wenda-ref-body { display: flex; flex-direction: column; min-width: 0; }
.wenda-ref-title { font-weight: 600; font-size: .9rem; }
.wenda-ref-meta { font-size: .75rem; color: var(--body-text-color-subdued); }
.wenda-ref-snippet { font-size: .85rem; color: var(--body-text-color-subdued);
  overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.wenda-cites .wenda-ref-snippet { white-space: normal; color: var(--body-text-color); }

#wenda-side { position: sticky; top: 8px; align-self: flex-start; }
#wenda-panel { border: 1px solid var(--border-color-primary); border-radius: 12px;
  padding: 14px 16px; background: var(--background-fill-primary); min-height: 220px; }
.wenda-panel-empty { color: var(--body-text-color-subdued); padding: 40px 8px;
  text-align: center; line-height: 1.8; }
.wenda-cite-sample { color: var(--color-accent); font-weight: 700; }
.wenda-source h3 { margin: 2px 0 4px; font-size: 1.1rem; line-height: 1.4; }
.wenda-source-kicker { font-size: .8rem; font-weight: 700; color: var(--color-accent); }
.wenda-source-meta { font-size: .8rem; color: var(--body-text-color-subdued);
  margin-bottom: 10px; word-break: break-all; }
.wenda-source-text { white-space: pre-wrap; line-height: 1.8; max-height: 460px;
  overflow-y: auto; }
.wenda-source-text mark { background: #ffe58f; color: inherit; padding: 1px 0;
  border-radius: 2px; }
.wenda-source-gone { font-size: .85rem; color: #7a4b00; margin-bottom: 6px; }
"""
