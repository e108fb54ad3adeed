"""The chat in a real browser (headless Chromium via Playwright) against the real app,
served from a background thread over the seeds plus a document that tries to run script.

Ask, see sources then a cited answer, click a citation and compare the highlighted text
with the original span; follow up; upload a good and a bad file and ask about the good
one; two tabs at once; the hostile document stays text. Leaves a screenshot of the
answered chat in ``test-artifacts/chat.png``.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright import sync_api

from rag.knowledge_base import KnowledgeBase
from rag.serving import Service
from ui import build_app, launch

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("WENDA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
MELONI = "意大利总理梅洛尼对人工智能立法说了什么？"

HOSTILE = """<img src=x onerror="window.__xss='title'">安全测试文章
这是一篇检验网页安全的测试文章，里面故意放了危险的代码。
攻击一：<script>window.__xss='script'; alert('script')</script>。
攻击二：<img src=x onerror="window.__xss='img'; alert('img')">。
攻击三：[点我](javascript:window.__xss='md') 和 <a href="javascript:alert('a')">链接</a>。
攻击四：${alert('template')} 与 {{constructor.constructor('alert(1)')()}}。
安全测试文章的测试暗号是青蛙跳水七十二号。
"""
UPLOADED = ("成都大熊猫繁育研究基地年报\n"
            "2024年，成都大熊猫繁育研究基地共有23只大熊猫幼崽出生，创下历史新高。\n")

@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    docs = tmp_path_factory.mktemp("docs")
    (docs / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    built, _ = KnowledgeBase.build([ROOT / "seeds", docs / "hostile.txt"],
                                   tmp_path_factory.mktemp("index") / "idx", progress=False)
    return built


@pytest.fixture(scope="module")
def url(kb: KnowledgeBase) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    demo = build_app(Service.of(kb))
    yield launch(demo, "127.0.0.1", port, quiet=True)
    demo.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: sync_api.Browser, url: str) -> Iterator[sync_api.Page]:
    context = browser.new_context(viewport={"width": 1360, "height": 940})
    tab = context.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    tab.goto(url)
    tab.wait_for_selector("#wenda-header:has-text('篇文档')")
    yield tab
    assert dialogs == [], f"a script ran: {dialogs}"
    assert tab.evaluate("window.__xss") is None
    context.close()


def send(page: sync_api.Page, question: str) -> None:
    box = page.locator("#wenda-question textarea")
    box.fill(question)
    box.press("Enter")


def ask(page: sync_api.Page, question: str) -> sync_api.Locator:
    """Send ``question`` and wait until its turn is finished; returns that turn."""
    n = page.locator(".wenda-turn").count()
    send(page, question)
    turn = page.locator(f'.wenda-turn[data-turn-index="{n}"]')
    turn.locator(".wenda-foot").wait_for(timeout=60_000)
    return turn


def test_ask_see_sources_click_a_citation(page: sync_api.Page, kb: KnowledgeBase) -> None:
    send(page, MELONI)
    turn = page.locator('.wenda-turn[data-turn-index="0"]')
    turn.locator(".wenda-refs").first.wait_for()  # sources, possibly before the answer
    turn.locator(".wenda-foot").wait_for(timeout=60_000)
    assert turn.locator(".wenda-answer button.wenda-cite").count() >= 1
    assert turn.locator(".wenda-hits li").count() == 5

    expected = kb.ask(MELONI)["citations"][0]
    original = kb.index.document(expected["doc_id"]).text
    turn.locator(".wenda-answer button.wenda-cite").first.click()
    mark = page.locator("#wenda-panel mark")
    mark.wait_for()
    assert mark.text_content() == original[expected["start"] : expected["end"]]
    assert expected["source"] in page.locator("#wenda-panel").inner_text()


def test_follow_up_uses_the_conversation(page: sync_api.Page) -> None:
    ask(page, MELONI)
    follow = ask(page, "她后来又说了什么？")
    assert "梅洛尼" in follow.locator(".wenda-query").inner_text()
    assert "梅洛尼" in follow.locator(".wenda-answer").inner_text()
    follow.locator(".wenda-answer button.wenda-cite").first.click()
    page.locator("#wenda-panel mark").wait_for()
    shots = ROOT / "test-artifacts"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / "chat.png"), full_page=True)

    page.locator("#wenda-new").click()
    page.locator(".wenda-empty").wait_for()
    assert page.locator(".wenda-turn").count() == 0
    fresh = ask(page, "她后来又说了什么？")  # a new chat has no topic to follow up on
    assert fresh.locator(".wenda-query").count() == 0


def test_upload_then_ask(page: sync_api.Page, kb: KnowledgeBase, tmp_path: Path) -> None:
    (tmp_path / "panda.txt").write_text(UPLOADED, encoding="utf-8")
    (tmp_path / "broken.txt").write_bytes(b"\x00\x01\x02\xff" * 64)
    page.locator("#wenda-upload").get_by_text("添加文档").click()
    page.locator("#wenda-files input[type=file]").set_input_files(
        [tmp_path / "panda.txt", tmp_path / "broken.txt"])
    report = page.locator("#wenda-report textarea")
    sync_api.expect(report).to_have_value(re.compile("已加入索引 1 篇"), timeout=60_000)
    assert "broken.txt" in report.input_value()  # reported, not fatal
    uploads = kb.index.path.parent / "idx-uploads"
    assert sorted(p.name for p in uploads.iterdir()) == ["panda.txt"]

    turn = ask(page, "2024年成都大熊猫基地有多少只幼崽出生？")
    assert "23" in turn.locator(".wenda-answer").inner_text()
    assert "panda.txt" in turn.locator(".wenda-cites").inner_text()


def test_hostile_document_renders_as_text(page: sync_api.Page) -> None:
    typed = ask(page, '<img src=x onerror="window.__xss=1;alert(1)">')
    assert "<img src=x" in typed.locator(".wenda-user").inner_text()
    turn = ask(page, "安全测试文章的测试暗号是什么？")
    assert "青蛙跳水七十二号" in turn.locator(".wenda-answer").inner_text()
    turn.locator(".wenda-more summary").click()  # the retrieved passages, folded under the answer
    turn.locator(".wenda-hits button", has_text="安全测试文章").first.click()
    panel = page.locator("#wenda-panel")
    sync_api.expect(panel).to_contain_text("<script>window.__xss='script'")
    assert "{{constructor.constructor('alert(1)')()}}" in panel.inner_text()
    assert "${alert('template')}" in panel.inner_text()
    assert page.locator("#wenda-chat img, #wenda-panel img").count() == 0
    assert page.locator("#wenda-chat script, #wenda-panel script, a[href^='javascript']"
                        ).count() == 0


def test_two_tabs_ask_at_once(page: sync_api.Page, browser: sync_api.Browser,
                              url: str) -> None:
    other = browser.new_context().new_page()
    other.goto(url)
    send(page, MELONI)
    send(other, "高盛報告如何引發AI股票拋售？")
    for tab in (page, other):
        tab.locator('.wenda-turn[data-turn-index="0"] .wenda-foot').wait_for(timeout=60_000)
        assert tab.locator(".wenda-answer button.wenda-cite").count() >= 1
    other.context.close()
