"""One exchange over the real seeds index: sources first, then the answer and citations."""

from __future__ import annotations

import pytest

from rag.knowledge_base import KnowledgeBase
from rag.serving import Service
from ui.chat import Settings, in_chosen_script, respond, source_html
from ui.turns import Turn

MELONI = "意大利总理梅洛尼对人工智能立法说了什么？"


@pytest.fixture(scope="module")
def service(seeds_kb: KnowledgeBase) -> Service:
    return Service.of(seeds_kb)


def test_sources_come_before_the_answer(service: Service, seeds_kb: KnowledgeBase) -> None:
    turns: list[Turn] = []
    steps = [(len(t.hits), t.answer, t.done) for t in (s[-1] for s in respond(
        service, MELONI, turns, Settings()))]
    first_with_sources = next(i for i, (hits, _, _) in enumerate(steps) if hits)
    assert steps[first_with_sources] == (5, "", False)
    turn = turns[-1]
    assert turn.done and not turn.refused and turn.citations and "[1]" in turn.answer
    for c in turn.citations:
        assert seeds_kb.index.document(c.doc_id).text[c.start : c.end] == c.original


def test_a_follow_up_retrieves_with_the_topic(service: Service) -> None:
    turns: list[Turn] = []
    for _ in respond(service, MELONI, turns, Settings()):
        pass
    for _ in respond(service, "她后来又说了什么？", turns, Settings()):
        pass
    follow = turns[-1]
    assert follow.query == "意大利 梅洛尼 她后来又说了什么？"
    assert follow.hits[0].doc_id == "000_a3d2e3e7c9ddcafe.txt"
    assert "梅洛尼" in follow.answer


def test_clicking_a_citation_renders_its_span(service: Service) -> None:
    turns: list[Turn] = []
    for _ in respond(service, MELONI, turns, Settings()):
        pass
    html = source_html(service, turns, 0, "cite", 1)
    assert "<mark>" + turns[0].citations[0].original in html
    assert "点击" in source_html(service, turns, 3, "cite", 1)  # gone after "new chat"


def test_errors_are_told_in_the_turn_not_raised(service: Service) -> None:
    turns: list[Turn] = []
    for _ in respond(service, "Sora", turns, Settings(answerer="endpoint", endpoint="")):
        pass
    assert turns[-1].hits and "endpoint URL" in turns[-1].note and turns[-1].done


def test_answer_script_setting() -> None:
    text = "梅洛尼表示，该国政府正在制定人工智能监管法律[1]。"
    assert in_chosen_script(text, Settings(script="zh-Hant"), "问") == \
        "梅洛尼表示，該國政府正在制定人工智能監管法律[1]。"
    traditional = in_chosen_script(text, Settings(), "她說了什麼？")
    assert "該國" in traditional
    assert in_chosen_script(traditional, Settings(script="zh-Hans"), "她說了什麼？") == text


@pytest.mark.parametrize(("value", "expected"), [
    ("extractive", Settings()),
    ("llm", Settings(answerer="llm")),
    ("http://127.0.0.1:8080/v1", Settings(answerer="endpoint", endpoint="http://127.0.0.1:8080/v1")),
])
def test_cli_answerer(value: str, expected: Settings) -> None:
    assert Settings.from_cli(value) == expected


def test_unknown_cli_answerer() -> None:
    with pytest.raises(ValueError, match="extractive, llm"):
        Settings.from_cli("gpt")
