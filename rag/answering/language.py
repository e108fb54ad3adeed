"""Reply in the script of the question: Traditional in, Traditional out; English in, English out."""

from __future__ import annotations

from rag.ingest.normalize import HAN, Script, detect_script, to_simplified, to_traditional

REFUSALS: dict[Script, str] = {
    "zh-Hans": "抱歉，所给资料中没有这个问题的答案。",
    "zh-Hant": "抱歉，所給資料中沒有這個問題的答案。",
    "en": "Sorry, the documents do not hold the answer to this question.",
}


def reply_script(question: str) -> Script:
    """The script to answer in; a question in neither Chinese nor English gets English."""
    script = detect_script(question)
    return script if script == "en" or HAN.search(question) else "en"


def in_script(text: str, script: Script) -> str:
    """``text`` converted to ``script`` (English replies are left as written)."""
    if script == "zh-Hant":
        return to_traditional(text)
    return to_simplified(text) if script == "zh-Hans" else text
