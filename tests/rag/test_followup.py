"""Follow-up questions become standalone queries: the heuristic, and the LLM rewrite."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from rag.answering.followup import expand, is_follow_up, rewrite_with_llm, topic_terms

MELONI = "意大利總理梅洛尼對人工智能立法說了什麼？"  # Traditional, as a person might type it


@pytest.mark.parametrize(("question", "follows"), [
    ("他后来又说了什么？", True),
    ("她還說了什麼？", True),  # Traditional
    ("还有呢？", True),
    ("那OpenAI呢？", True),
    ("为什么？", True),  # nothing but a question word
    ("What did he say then?", True),
    ("Sora能生成多长的视频？", False),
    ("上海人工智能行业协会秘书长是谁？", False),
    ("应该因此彼此其中有人提到Sora吗", False),  # 该/此/其 inside other words do not count
])
def test_is_follow_up(question: str, follows: bool) -> None:
    assert is_follow_up(question) is follows


def test_topic_terms_are_entities_as_typed() -> None:
    assert topic_terms(MELONI) == ["意大利", "梅洛尼"]
    assert topic_terms("高盛報告如何引發AI股票拋售？") == ["高盛", "AI"]
    # fewer than two proper nouns: the other nouns count too
    assert topic_terms("上海人工智能行业协会秘书长是谁？") == ["上海人工智能行业协会秘书长"]


def test_expand_prepends_the_previous_topic_to_follow_ups_only() -> None:
    assert expand("她后来又说了什么？", MELONI) == "意大利 梅洛尼 她后来又说了什么？"
    assert expand("Sora能生成多长的视频？", MELONI) == "Sora能生成多长的视频？"
    assert expand("她后来又说了什么？", None) == "她后来又说了什么？"
    # terms already in the question are not repeated (matched across scripts)
    assert expand("那梅洛尼呢？", MELONI) == "意大利 那梅洛尼呢？"


def test_chained_follow_ups_keep_the_topic() -> None:
    second = expand("她后来又说了什么？", MELONI)
    assert expand("还有呢？", second) == "意大利 梅洛尼 还有呢？"


@dataclass
class FakeChat:
    reply: str
    calls: list = field(default_factory=list)

    def invoke(self, messages: list[tuple[str, str]]) -> object:
        self.calls.append(messages)
        return type("Message", (), {"content": self.reply})()


HISTORY = [(MELONI, "梅洛尼表示政府正在制定人工智能监管法律[1]。")]


def test_llm_rewrite_is_used_when_it_looks_like_a_question() -> None:
    rewritten = "梅洛尼后来对人工智能立法还说了什么？"
    chat = FakeChat(f"改写后的问题：{rewritten}")
    assert rewrite_with_llm(chat, "她后来又说了什么？", HISTORY) == rewritten
    (messages,) = chat.calls
    assert "她后来又说了什么？" in messages[-1][1] and MELONI in messages[-1][1]


@pytest.mark.parametrize("reply", [
    "",
    "好的。\n梅洛尼说了……\n还有很多",  # chatter
    "梅" * 300 + "？",  # too long
    "梅洛尼表示人工智能技术必须以人为本[1]。",  # an answer, not a question
    "梅洛尼后来说了什么",  # no longer a question
])
def test_a_bad_llm_rewrite_falls_back_to_the_heuristic(reply: str) -> None:
    assert rewrite_with_llm(FakeChat(reply), "她后来又说了什么？", HISTORY) == \
        "意大利 梅洛尼 她后来又说了什么？"


def test_standalone_questions_cost_no_llm_call() -> None:
    chat = FakeChat("不该用到")
    assert rewrite_with_llm(chat, "Sora能生成多长的视频？", HISTORY) == "Sora能生成多长的视频？"
    assert rewrite_with_llm(chat, "她说了什么？", []) == "她说了什么？"
    assert chat.calls == []
