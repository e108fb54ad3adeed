"""Chat latency as a person sees it, in a real browser (headless Chromium).

For each question of the seeds gold set (a fresh chat each time, so none is a follow-up):
time from pressing Enter to the sources being shown, to the first piece of the answer, and
to the finished answer. Clocks are read in the page (``performance.now()`` in a capturing
keydown listener and a MutationObserver on the chat), so Playwright's polling adds nothing.
One warm-up question per answerer loads its models first.

    .venv/bin/python bench/ui_bench.py                       # extractive, and llm if installed
    .venv/bin/python bench/ui_bench.py --answerers extractive --questions 20

Prints a Markdown table; writes bench/results/ui_<answerer>.json (p50/p95 and per question).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import socket
import statistics
from pathlib import Path
from typing import Any

from embeddings import MODELS
from eval.gold import SEEDS_GOLD, load_gold
from eval.report import machine_info, markdown_table
from rag import KnowledgeBase
from rag.answering.llm import DEFAULT_GENERATOR
from rag.serving import Service
from ui import Settings, build_app, launch

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
PHASES = {"sources": ".wenda-hits", "first": ".wenda-answer", "done": ".wenda-foot"}

INSTRUMENT = """(phases) => {
  const chat = document.querySelector('#wenda-chat');
  const box = document.querySelector('#wenda-question textarea');
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') window.__bench = {enter: performance.now()};
  }, true);
  new MutationObserver(() => {
    const b = window.__bench;
    if (!b) return;
    for (const [name, selector] of Object.entries(phases)) {
      if (b[name] === undefined && chat.querySelector(selector)) b[name] = performance.now();
    }
  }).observe(chat, {subtree: true, childList: true, characterData: true});
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def llm_available() -> bool:
    return MODELS[DEFAULT_GENERATOR].installed and importlib.util.find_spec("llama_cpp") is not None


def time_question(page: Any, question: str) -> dict[str, float]:
    """Milliseconds from Enter to each phase, for one question in a fresh chat."""
    page.locator("#wenda-new").click()
    page.locator(".wenda-empty").wait_for()
    page.evaluate("window.__bench = null")
    box = page.locator("#wenda-question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function("window.__bench && window.__bench.done !== undefined",
                           timeout=300_000)
    marks = page.evaluate("window.__bench")
    return {name: round(marks[name] - marks["enter"], 1) for name in PHASES}


def run(answerer: str, service: Service, browser: Any, questions: list[str]) -> dict[str, Any]:
    demo = build_app(service, Settings(answerer=answerer))  # type: ignore[arg-type]
    url = launch(demo, "127.0.0.1", free_port(), quiet=True)
    try:
        page = browser.new_page()
        page.goto(url)
        page.wait_for_selector("#wenda-header:has-text('篇文档')")
        page.evaluate(INSTRUMENT, PHASES)
        time_question(page, questions[0])  # warm-up: loads the answerer's model
        rows = [{"question": q, **time_question(page, q)} for q in questions]
    finally:
        demo.close()
    summary: dict[str, Any] = {"answerer": answerer, "questions": len(rows)}
    for name in PHASES:
        values = [r[name] for r in rows]
        summary[f"{name}_p50_ms"] = round(statistics.median(values), 1)
        summary[f"{name}_p95_ms"] = round(statistics.quantiles(values, n=20)[-1], 1)
    # other work on the same 2 cores inflates every number: record how busy they were
    return {**summary, "load_average": os.getloadavg(), "machine": machine_info(),
            "per_question": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answerers", default=None,
                        help="comma-separated (default: extractive, and llm if installed)")
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--index", type=Path, default=None, help="default: the seeds index")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    answerers = (args.answerers.split(",") if args.answerers
                 else ["extractive"] + (["llm"] if llm_available() else []))
    items, _ = load_gold(SEEDS_GOLD)
    questions = [item.question for item in items[: args.questions]]

    from playwright.sync_api import sync_playwright

    service = Service.of(KnowledgeBase.open(args.index, progress=False))
    results = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, headless=True,
                                    args=CHROMIUM_ARGS)
        for answerer in answerers:
            result = run(answerer, service, browser, questions)
            RESULTS.mkdir(parents=True, exist_ok=True)
            (RESULTS / f"ui_{answerer}.json").write_text(
                json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            results.append(result)
        browser.close()
    header = ["answerer", "questions", "Enter → sources p50 / p95 (ms)",
              "Enter → first token p50 / p95 (ms)", "Enter → done p50 / p95 (ms)"]
    print(markdown_table(header, [
        [r["answerer"], str(r["questions"])]
        + [f"{r[f'{n}_p50_ms']:.0f} / {r[f'{n}_p95_ms']:.0f}" for n in PHASES]
        for r in results]))


if __name__ == "__main__":
    main()
