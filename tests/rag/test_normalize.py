from pathlib import Path

import pytest

from rag.ingest.cleaning import clean
from rag.ingest.normalize import (
    _convert_same_length,
    detect_script,
    normalize,
    to_simplified,
    to_traditional,
)

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_traditional_becomes_simplified() -> None:
    assert normalize("會議") == "会议"
    assert normalize("顧廷權表示，數據來源") == "顾廷权表示,数据来源"


def test_full_width_ascii_folds_and_ascii_lowercases() -> None:
    assert normalize("ＡＢＣ１２３") == "abc123"
    assert normalize("OpenAI ChatGPT-3.5") == "openai chatgpt-3.5"
    assert normalize("你好，世界！（对）：是；吗？") == "你好,世界!(对):是;吗?"
    assert normalize("第一\u3000第二") == "第一 第二"


def test_cjk_punctuation_without_ascii_twin_is_kept() -> None:
    assert normalize("「好」。《書》、…") == "「好」。《书》、…"


@pytest.mark.parametrize("path", sorted(SEEDS.glob("00*.txt")), ids=lambda p: p.name[:3])
def test_length_is_kept_on_every_seed(path: Path) -> None:
    text = clean(path.read_text(encoding="utf-8")).text
    norm = normalize(text)
    assert len(norm) == len(text)
    assert [i for i, c in enumerate(text) if c == "\n"] == [
        i for i, c in enumerate(norm) if c == "\n"
    ]


def test_segment_whose_phrase_conversion_changes_length_falls_back_to_characters() -> None:
    # s2twp rewrites vocabulary ("U盘" -> "隨身碟"), unlike t2s: a real length change.
    assert _convert_same_length("我的U盘，内存。", "s2twp") == "我的U盤,內存。".replace(",", "，")


def test_simplified_text_and_ascii_pass_through() -> None:
    text = "截至收盘，sora指数涨幅为3.01%。"
    assert normalize(text) == text.replace("，", ",")
    assert normalize("") == ""


def test_script_conversions() -> None:
    assert to_simplified("會議頭髮") == "会议头发"
    assert to_traditional("会议头发") == "會議頭髮"


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("会议在哪里举行？", "zh-Hans"),
        ("會議在哪裡舉行？", "zh-Hant"),
        ("Sora是什么", "zh-Hans"),
        ("OpenAI 的 CEO 是誰", "zh-Hant"),
        ("What did Goldman Sachs say about AI?", "en"),
        ("What is Sora? Is it open to the public yet (模型)?", "en"),
        ("Sora 是 OpenAI 的模型吗", "zh-Hans"),
        ("3.01%", "zh-Hans"),
        ("", "zh-Hans"),
    ],
)
def test_detect_script(text: str, script: str) -> None:
    assert detect_script(text) == script


@pytest.mark.parametrize(
    ("path", "script"),
    [("000", "zh-Hans"), ("001", "zh-Hant"), ("002", "zh-Hant"), ("003", "zh-Hant")],
)
def test_detect_script_of_seeds(path: str, script: str) -> None:
    (file,) = SEEDS.glob(f"{path}_*.txt")
    assert detect_script(file.read_text(encoding="utf-8")) == script
