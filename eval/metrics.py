"""Scoring, as pure functions: retrieval ranks, answer correctness, citations, refusals, latency.

Nothing here touches an index or a model, so every number in a report can be checked by
hand on a few spans and strings (tests/eval/test_metrics.py does).

Vocabulary: an *evidence group* is one gold evidence string as found in the corpus, i.e. the
tuple of its occurrences (a copyright block printed twice is found twice; either counts).
A question has one group per evidence string; multi-document questions have several.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rag.ingest import normalize

KS = (1, 3, 5, 10)
MRR_CUTOFF = 10


@dataclass(frozen=True)
class Span:
    """A half-open character span ``[start, end)`` of one document's original text."""

    doc_id: str
    start: int
    end: int

    def overlaps(self, other: Span) -> bool:
        """Share at least one character (an empty span shares none)."""
        return (self.doc_id == other.doc_id and self.start < other.end and other.start < self.end
                and self.start < self.end and other.start < other.end)


EvidenceGroup = tuple[Span, ...]


# -- retrieval -----------------------------------------------------------------------------
def first_rank(retrieved: Sequence[Span], group: Iterable[Span]) -> int | None:
    """1-based rank of the first retrieved chunk overlapping any span of ``group``."""
    group = tuple(group)
    return next((rank for rank, chunk in enumerate(retrieved, start=1)
                 if any(chunk.overlaps(span) for span in group)), None)


def evidence_ranks(retrieved: Sequence[Span], groups: Sequence[EvidenceGroup]) -> list[int | None]:
    """For each evidence group, the rank at which it was first retrieved (None: never)."""
    return [first_rank(retrieved, group) for group in groups]


def doc_ranks(retrieved: Sequence[Span], doc_ids: Iterable[str]) -> list[int | None]:
    """For each gold document, the rank of its first retrieved chunk (None: never)."""
    ranks = {}
    for rank, chunk in enumerate(retrieved, start=1):
        ranks.setdefault(chunk.doc_id, rank)
    return [ranks.get(doc_id) for doc_id in dict.fromkeys(doc_ids)]


def hit_at(ranks: Sequence[int | None], k: int) -> bool:
    """Some evidence is in the top ``k`` (a multi-document question needs only one)."""
    return any(r is not None and r <= k for r in ranks)


def all_hit_at(ranks: Sequence[int | None], k: int) -> bool:
    """Every evidence is in the top ``k``."""
    return bool(ranks) and all(r is not None and r <= k for r in ranks)


def reciprocal_rank(ranks: Sequence[int | None], cutoff: int = MRR_CUTOFF) -> float:
    best = min((r for r in ranks if r is not None), default=None)
    return 1.0 / best if best is not None and best <= cutoff else 0.0


def retrieval_metrics(evidence: Sequence[Sequence[int | None]],
                      docs: Sequence[Sequence[int | None]],
                      ks: Sequence[int] = KS) -> dict[str, float | None]:
    """hit@k, all_evidence@k, doc_hit@k and MRR@10 over questions (one rank list each)."""
    out: dict[str, float | None] = {}
    for k in ks:
        out[f"hit@{k}"] = _mean(hit_at(r, k) for r in evidence)
    out[f"mrr@{MRR_CUTOFF}"] = _mean(reciprocal_rank(r) for r in evidence)
    for k in ks:
        out[f"all_evidence@{k}"] = _mean(all_hit_at(r, k) for r in evidence)
    for k in ks:
        out[f"doc_hit@{k}"] = _mean(hit_at(r, k) for r in docs)
    return out


# -- answers -------------------------------------------------------------------------------
_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Matching form of an answer: Simplified, half-width, lowercase, no whitespace."""
    return _SPACE.sub("", normalize(text))


def answer_correct(answer: str, golds: Iterable[str]) -> bool:
    """The answer contains the gold answer or one of its aliases, once both are folded."""
    answer = fold(answer)
    return any(g and g in answer for g in map(fold, golds))


# The official CMRC 2018 punctuation list (a per-character test, so "……" never matched and
# "…" is added here) plus the ASCII twins that width folding turns "，？！；（）" into.
_CMRC_PUNCT = frozenset("-:_*^/\\~`+=，。：？！“”；’《》·、「」（）－～『』…,?!;()")
_CMRC_HAN = re.compile(r"[\u4e00-\u9fa5]")
_CMRC_WORD = re.compile(r"\w+|[^\w\s]")  # stands in for nltk.word_tokenize on non-Han runs


def cmrc_tokens(text: str) -> list[str]:
    """CMRC 2018 ``mixed_segmentation(rm_punc=True)``: Han characters one by one, other
    runs split into words; punctuation dropped. Scripts are folded first, so a Simplified
    answer scores against a Traditional gold as it would against a Simplified one."""
    tokens, run = [], ""
    for char in normalize(text.strip()):
        if char in _CMRC_PUNCT:
            continue
        if _CMRC_HAN.match(char):
            tokens += _CMRC_WORD.findall(run) + [char]
            run = ""
        else:
            run += char
    return tokens + _CMRC_WORD.findall(run)


def _longest_common_run(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common contiguous token run (the official ``find_lcs``)."""
    best, previous = 0, [0] * (len(b) + 1)
    for x in a:
        current = [0] * (len(b) + 1)
        for j, y in enumerate(b, start=1):
            if x == y:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def cmrc_f1(prediction: str, golds: Iterable[str]) -> float:
    """CMRC 2018 F1: precision/recall of the longest common token run, max over golds."""
    predicted = cmrc_tokens(prediction)
    scores = [0.0]
    for gold in golds:
        expected = cmrc_tokens(gold)
        common = _longest_common_run(expected, predicted)
        if common:
            precision, recall = common / len(predicted), common / len(expected)
            scores.append(2 * precision * recall / (precision + recall))
    return max(scores)


def _without_punct(text: str) -> str:
    return "".join(c for c in normalize(text.strip()) if c not in _CMRC_PUNCT)


def cmrc_em(prediction: str, golds: Iterable[str]) -> float:
    """CMRC 2018 exact match: equal once punctuation is removed (and scripts folded)."""
    predicted = _without_punct(prediction)
    return float(any(_without_punct(g) == predicted for g in golds))


# -- citations -----------------------------------------------------------------------------
def citation_precision(citations: Sequence[Span], groups: Sequence[EvidenceGroup]) -> float | None:
    """Share of citations that overlap some evidence; None when nothing was cited."""
    if not citations:
        return None
    spans = [s for g in groups for s in g]
    return sum(any(c.overlaps(s) for s in spans) for c in citations) / len(citations)


def citation_recall(citations: Sequence[Span], groups: Sequence[EvidenceGroup]) -> float | None:
    """Share of evidence groups overlapped by some citation; None without evidence."""
    if not groups:
        return None
    return sum(first_rank(citations, g) is not None for g in groups) / len(groups)


# -- refusals ------------------------------------------------------------------------------
def refusal_metrics(answerable: Sequence[bool], refused: Sequence[bool]) -> dict[str, float | None]:
    """Refusing is right exactly on unanswerable questions."""
    right = sum(r and not a for a, r in zip(answerable, refused))
    return {
        "refusal_precision": _ratio(right, sum(refused)),
        "refusal_recall": _ratio(right, sum(not a for a in answerable)),
        "false_refusal_rate": _ratio(sum(r and a for a, r in zip(answerable, refused)),
                                     sum(answerable)),
    }


# -- latency and means ---------------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (numpy's default), ``q`` in [0, 100]."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def latency_metrics(timings: Sequence[Mapping[str, float]]) -> dict[str, float | None]:
    """p50/p95 of every stage that some question timed (``retrieve_ms``, ``total_ms``...)."""
    stages = dict.fromkeys(stage for t in timings for stage in t)
    out: dict[str, float | None] = {}
    for stage in stages:
        values = [t[stage] for t in timings if t.get(stage) is not None]
        out[f"{stage}_p50"] = percentile(values, 50)
        out[f"{stage}_p95"] = percentile(values, 95)
    return out


def mean_of(values: Iterable[float | bool | None]) -> float | None:
    """Mean of the values that were measured (None entries are skipped)."""
    return _mean(v for v in values if v is not None)


def _mean(values: Iterable[float | bool]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None
