"""No word, name, number or example of a gold question may be written into ``rag/``: its
code, comments, docstrings and prompts (and the tuned settings it loads). Answers that
hold on questions nobody tuned for cannot lean on the questions they are judged by.

How: every gold question (seeds, news, and CMRC/DRCD when the data sets are present) is
read three ways, and ``rag/``'s text (Simplified, lower-case) is searched for each:

- its names: jieba's proper nouns (person, place, organisation, other names) of three
  characters or more that jieba's dictionary does not list as a common word, and its
  Latin words that no gold question writes in lower case ("Sora", not "Model": "model"),
  but the first of a sentence (in the project's own gold sets: CMRC and DRCD's Latin
  words are English loanwords that code uses as words, "Store", "Raw");
- its numbers of three digits or more, round ones (settings such as 300) apart;
- its wording: every run of eight Han characters, and of five English words, so that an
  example copied or lightly edited from a question is caught.

A few names are the names of the tools the code is built on (``OpenAI`` for the
OpenAI-compatible servers it talks to); they are listed, each with its reason.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import jieba
import jieba.posseg as pseg

from eval.gold import SEEDS_GOLD, load_gold
from eval.news import DATASETS, NEWS_GOLD
from eval.squad import load_squad
from rag.ingest.normalize import normalize

ROOT = Path(__file__).resolve().parents[1]
NAME_TAGS = {"nr", "nrfg", "nrt", "ns", "nt", "nz"}
COMMON = 1000  # jieba dictionary frequency from which a word is common language
TOOLS = {
    "openai": "the OpenAI-compatible API that --endpoint servers speak",
    "chinese": "the languages wenda reads and answers in",
    "english": "the languages wenda reads and answers in",
}
HAN_WINDOW, WORD_WINDOW = 8, 5
_HAN = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[A-Za-z]+")
_LATIN_NAME = re.compile(r"(?<![.?!\"“]\s)(?<!^)\b[A-Z][A-Za-z0-9.-]{2,}")


@cache
def own_questions() -> list[str]:
    out = []
    for path in (SEEDS_GOLD, NEWS_GOLD):
        items, _ = load_gold(path)
        out += [i.question for i in items]
    return out


@cache
def questions() -> list[str]:
    out = list(own_questions())
    for name in ("cmrc2018_trial.json", "DRCD_dev.json"):
        if (DATASETS / name).is_file():
            out += [i.question for i in load_squad(DATASETS / name)]
    return out


@cache
def rag_text(normalized: bool = True) -> str:
    files = sorted(ROOT.glob("rag/**/*.py")) + sorted(ROOT.glob("rag/**/*.json"))
    text = "\n".join(p.read_text(encoding="utf-8") for p in files)
    return normalize(text) if normalized else text


@cache
def lower_words() -> frozenset[str]:
    """Latin words that some gold question writes in lower case: common words."""
    return frozenset(w for q in questions() for w in re.findall(r"\b[a-z][a-z0-9.-]*", q))


def latin_names(question: str) -> set[str]:
    """As written: "Sora" is a name where "store" in code is a word."""
    return {w for w in _LATIN_NAME.findall(question)
            if w.lower() not in TOOLS and w.lower() not in lower_words()}


def han_names(question: str) -> set[str]:
    found = set()
    for word, flag in pseg.cut(normalize(question)):
        word = word.strip()
        if (flag in NAME_TAGS and len(word) >= 3 and word not in TOOLS
                and (jieba.get_FREQ(word) or 0) < COMMON):
            found.add(word)
    return found


def test_no_name_of_a_gold_question_is_in_rag() -> None:
    text, written = rag_text(), rag_text(normalized=False)
    hits = {n for q in questions() for n in han_names(q) if n in text}
    hits |= {n for q in own_questions() for n in latin_names(q)
             if re.search(rf"(?<![A-Za-z0-9]){re.escape(n)}(?![A-Za-z0-9])", written)}
    assert not hits, f"gold question names in rag/: {sorted(hits)[:20]}"


def test_no_number_of_a_gold_question_is_in_rag() -> None:
    text = rag_text()
    # Years name formats and data sets in code ("Word 97-2003", "CMRC 2018"), not answers.
    hits = {n for q in questions() for n in re.findall(r"\d{3,}", normalize(q))
            if not n.endswith("0") and not re.fullmatch(r"(19|20)\d\d", n)
            and re.search(rf"(?<!\d){n}(?!\d)", text)}
    assert not hits, f"gold question numbers in rag/: {sorted(hits)[:20]}"


def test_no_wording_of_a_gold_question_is_in_rag() -> None:
    text = rag_text()
    han = "".join(_HAN.findall(text))
    words = " ".join(_WORD.findall(text))
    hits = set()
    for q in questions():
        flat, q_words = "".join(_HAN.findall(normalize(q))), _WORD.findall(normalize(q))
        runs = [flat[i : i + HAN_WINDOW] for i in range(len(flat) - HAN_WINDOW + 1)]
        runs += [" ".join(q_words[i : i + WORD_WINDOW])
                 for i in range(len(q_words) - WORD_WINDOW + 1)]
        hits |= {q for run in runs if run in han or f" {run} " in f" {words} "}
    assert not hits, f"gold questions worded in rag/: {sorted(hits)[:10]}"
