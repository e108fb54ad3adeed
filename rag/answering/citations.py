"""Make an answer's [n] markers true: each points at an excerpt that supports its sentence.

A sentence is supported by an excerpt when enough of what it adds to the question (content
units: Han bigrams, ASCII words and numbers, see ``terms.content_units``) occurs in the
excerpt, and every new number it states occurs there too, with its unit for Chinese
("1.81元" is not "1.81%"); restating the question is no answer. An English sentence about
Chinese text shares few units with it, so there an embedding similarity may stand in for
the overlap (``CrossLingual``); its numbers must still occur. Markers that
point nowhere or at an excerpt without support are dropped; a sentence left without one
gets the best supporting excerpt, or is flagged as unsupported. A citation's quote is
narrowed to the excerpt sentences that support what cites it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.answering.answer import Citation
from rag.answering.config import GroundingConfig
from rag.answering.evidence import Excerpt
from rag.answering.terms import NAMES_AND_NUMBERS, content_units, overlap
from rag.ingest.chunking import split_sentences
from rag.ingest.normalize import detect_script, normalize

MIN_SUPPORT = 0.35

_MARKERS = re.compile(r"\s*[\[【［]\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*[\]】］]")
_MARKERS_AFTER_END = re.compile(r"([。！？!?.；;]+)((?:\s*[\[【［][\d\s,，、]+[\]】］])+)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_HAN_CHAR = re.compile(r"[\u3400-\u9fff]")
_TRAILING_END = re.compile(r"[。！？!?.；;]+$")
_BRACKETED_HAN = re.compile(r"\s*[(（]([^()（）]*[\u3400-\u9fff][^()（）]*)[)）]")


@dataclass
class Grounded:
    answer: str
    citations: list[Citation]
    unsupported: list[str] = field(default_factory=list)  # answer sentences with no source
    supported: int = 0  # answer sentences that cite a source


def numbers(norm_text: str) -> set[str]:
    """Numbers stated in ``norm_text``: with the Han character that follows them (their
    unit, "3秒", "1.81元") when there is one."""
    out = set()
    for m in _NUMBER.finditer(norm_text):
        unit = norm_text[m.end() : m.end() + 1]
        out.add(m.group() + unit if _HAN_CHAR.fullmatch(unit or "x") else m.group())
    return out


class CrossLingual:
    """Support of an English claim by Chinese sentences as embedding similarity: the
    retriever's embedder scores the claim as a query against each sentence, and a score of
    ``threshold`` (``GroundingConfig.cross_lingual``) counts as ``MIN_SUPPORT``."""

    def __init__(self, embedder: Embeddings,
                 threshold: float = GroundingConfig.cross_lingual) -> None:
        self.embedder = embedder
        self.threshold = threshold

    def __call__(self, claim: str, given: list[Excerpt]) -> dict[int, list[float]]:
        """For each excerpt ``n``, the scaled similarity of ``claim`` to each of its
        sentences; the claim is embedded once, the sentences in one batch."""
        query = np.asarray(self.embedder.embed_query(claim))
        texts = [s.text for ex in given for s in ex.sentences]
        similarity = np.asarray(self.embedder.embed_documents(texts)) @ query
        scaled = [min(1.0, float(x) * MIN_SUPPORT / self.threshold) for x in similarity]
        out, start = {}, 0
        for ex in given:
            out[ex.n] = scaled[start : start + len(ex.indices)]
            start += len(ex.indices)
        return out


def support(claim: str, excerpt: Excerpt, known: frozenset[str] = frozenset(),
            similar: list[float] | None = None) -> tuple[float, list[int]]:
    """How well ``excerpt`` supports ``claim`` (an answer sentence without markers), and the
    indices of the sentences that carry that support.

    Only what the claim adds to the question (``known``: the question's units and numbers)
    needs support: a claim that merely restates the question is supported by nothing. The
    score is the share of those units found in the excerpt, 0 if a number is missing. An
    English claim about Chinese text is checked on what crosses languages: its numbers and
    capitalised names ("Ada Lovelace", "3.01%"), or by ``similar`` (``CrossLingual``'s scores
    of the excerpt's sentences) when that says more."""
    norm = normalize(claim)
    texts = [s.norm for s in excerpt.sentences]
    packed = [t.replace(" ", "") for t in texts]  # "60 秒" states "60秒"
    if any(not any(n in t for t in packed) for n in numbers(norm.replace(" ", "")) - known):
        return 0.0, []
    units = content_units(norm)
    crossing = not _HAN_CHAR.search(norm) and any(_HAN_CHAR.search(t) for t in texts)
    if crossing:
        units = content_units(normalize(" ".join(NAMES_AND_NUMBERS.findall(claim))))
    units -= known
    score = overlap(units, set().union(*(content_units(t) for t in texts)))
    shares = [overlap(units, content_units(t)) for t in texts]
    if crossing and similar is not None:
        shares = [max(a, b) for a, b in zip(shares, similar)]
        score = max(score, *similar)
    best = max(shares)
    carrying = [i for i, s in enumerate(shares) if s == best or s >= MIN_SUPPORT]
    return score, [excerpt.indices[i] for i in carrying]


def without_invented_quotes(answer: str, given: list[Excerpt]) -> str:
    """An English answer's brackets promise the passages' own words ("Microsoft (微软)");
    a bracket whose words the excerpts do not hold ("Acmebot (盒bot)") was made up by
    the model and is dropped, so it cannot make the sentence fail its support check."""
    if detect_script(_BRACKETED_HAN.sub("", answer)) != "en":
        return answer
    held = content_units(" ".join(s.norm for e in given for s in e.sentences))

    def keep_if_held(m: re.Match[str]) -> str:
        return m[0] if overlap(content_units(normalize(m[1])), held) >= 0.5 else ""

    return _BRACKETED_HAN.sub(keep_if_held, answer)


def without_markers(text: str) -> str:
    """The text without its [n] citation markers."""
    return _MARKERS.sub("", text)


def ground(answer: str, given: list[Excerpt], question: str = "",
           min_support: float = MIN_SUPPORT,
           cross_lingual: CrossLingual | None = None) -> Grounded:
    """Repair the markers of ``answer`` to ``question`` against the excerpts it was written
    from."""
    asked = normalize(question)
    known = frozenset(content_units(asked) | numbers(asked.replace(" ", "")))
    answer = _MARKERS_AFTER_END.sub(r"\2\1", without_invented_quotes(answer.strip(), given))
    out, unsupported, supported = [], [], 0
    quoted: dict[int, set[int]] = {}
    for s, e in split_sentences(answer):
        sentence = answer[s:e]
        claim = _MARKERS.sub("", sentence).strip()
        if not content_units(normalize(claim)):
            out.append(_MARKERS.sub("", sentence))
            continue
        marked = [int(n) for m in _MARKERS.finditer(sentence) for n in re.findall(r"\d+", m[1])]
        english = cross_lingual is not None and not _HAN_CHAR.search(normalize(claim))
        similar = cross_lingual(claim, given) if english else {}
        checks = {ex.n: support(claim, ex, known, similar.get(ex.n)) for ex in given}
        kept = [n for n in dict.fromkeys(marked) if n in checks and checks[n][0] >= min_support]
        if not kept and checks:
            best = max(checks, key=lambda n: checks[n][0])
            kept = [best] if checks[best][0] >= min_support else []
        for n in kept:
            quoted.setdefault(n, set()).update(checks[n][1])
        if kept:
            supported += 1
        else:
            unsupported.append(_MARKERS.sub("", sentence).strip())
        out.append(_with_markers(_MARKERS.sub("", sentence).rstrip(), sorted(kept)))
    by_n = {e.n: e for e in given}
    citations = [_citation(by_n[n], sorted(quoted[n])) for n in sorted(quoted)]
    return Grounded("".join(_join(out)), citations, unsupported, supported)


def _with_markers(sentence: str, ns: list[int]) -> str:
    """Put the markers before the sentence's final punctuation: "…3.01%[1]。"."""
    marks = "".join(f"[{n}]" for n in ns)
    end = _TRAILING_END.search(sentence)
    cut = end.start() if end else len(sentence)
    return sentence[:cut] + marks + sentence[cut:]


def _join(sentences: list[str]) -> list[str]:
    """Sentences rejoined, a space only between two English ones."""
    out = []
    for i, s in enumerate(sentences):
        if i and s[:1].isascii() and out[-1][-1:].isascii():
            out.append(" ")
        out.append(s)
    return out


def _citation(excerpt: Excerpt, indices: list[int]) -> Citation:
    """The span from the first to the last supporting sentence: ``quote`` as written,
    ``text`` as cleaned (the same sentences without scraping debris)."""
    p = excerpt.passage
    first, last = indices[0], indices[-1]
    start, end = p.sentences[first].start, p.sentences[last].end
    text = "".join(_join([s.text for s in p.sentences[first : last + 1]]))
    return Citation(p.doc_id, p.source, p.title, start, end, excerpt.n,
                    p.original[start:end], text, p.locate(start, end))
