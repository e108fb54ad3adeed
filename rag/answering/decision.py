"""The last stage: answer or refuse, by one calibrated score.

A candidate answer (quoted or written, already grounded) is described by a few features
that say how well what it cites meets the question; a logistic model fitted on the tune
splits (``bench/answer_tune.py``) turns them into the probability that the answer is
right, and the answer stands when that probability reaches the model's threshold. No
feature, weight or threshold is read off single questions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from rag.answering.citations import Grounded, without_markers
from rag.answering.config import FEATURES, DecisionModel
from rag.answering.evidence import Passage
from rag.answering.terms import QueryTerms
from rag.ingest.normalize import detect_script, normalize


def features(grounded: Grounded, passages: Sequence[Passage], terms: QueryTerms,
             cited_meaning: float, across_languages: bool = False) -> dict[str, float]:
    """What the decision reads about a grounded candidate answer:

    - ``coverage``: the largest share of the question's idf mass that a cited sentence holds;
    - ``meaning``: how far the cited sentences stand out from the other candidates by
      similarity of meaning to the question (``Passage.meaning``, in standard deviations);
    - ``support``: share of the answer's sentences that a source supports;
    - ``best_coverage``: the largest coverage of any retrieved sentence (is an answer there?);
    - ``shape``: the answer states what the question asks for (a count, a day...), or the
      question asks for no such thing (English may spell numbers out: always 1);
    - ``standout``: for a question the passages cannot share words with (English over
      Chinese, ``ranking.across_languages``), how many standard deviations the cited
      sentence's similarity of meaning stands above the retrieved sentences' mean, the
      evidence that ``coverage`` cannot give there; 0 otherwise.
    """
    cited = [terms.coverage(normalize(c.quote)) for c in grounded.citations]
    claims = grounded.supported + len(grounded.unsupported)
    answer = normalize(without_markers(grounded.answer))
    shaped = detect_script(answer) == "en" or terms.has_shape(answer)
    return {
        "coverage": max(cited, default=0.0),
        "meaning": cited_meaning,
        "support": grounded.supported / claims if claims else 0.0,
        "best_coverage": max((r for p in passages for r in p.relevance), default=0.0),
        "shape": float(shaped),
        "standout": cited_meaning if across_languages else 0.0,
    }


def probability(model: DecisionModel, values: dict[str, float]) -> float:
    z = model.bias + sum(w * values[name] for name, w in model.weights.items())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def fit(rows: Sequence[dict[str, float]], labels: Sequence[bool], l2: float = 0.01,
        steps: int = 3000, rate: float = 0.5,
        names: Sequence[str] = FEATURES) -> DecisionModel:
    """A logistic model of ``labels`` (the candidate was right) on the features ``names``,
    by gradient descent on the L2-regularised log loss; threshold 0.5 until ``calibrate``."""
    x = np.array([[r[name] for name in names] for r in rows], dtype=float)
    y = np.array(labels, dtype=float)
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        w -= rate * (x.T @ (p - y) / len(y) + l2 * w)
        b -= rate * float(np.mean(p - y))
    return DecisionModel({name: round(float(v), 4) for name, v in zip(names, w)},
                         round(b, 4))


def calibrate(model: DecisionModel, rows: Sequence[dict[str, float]],
              right: Sequence[bool], answerable: Sequence[bool]) -> DecisionModel:
    """The threshold that makes the most questions come out well: a right answer given, or
    an unanswerable question refused (a wrong answer and a refusal of an answerable
    question both count as failures)."""
    scores = [probability(model, r) for r in rows]

    def good(t: float) -> int:
        return sum((s >= t and ok) or (s < t and not a)
                   for s, ok, a in zip(scores, right, answerable))

    candidates = sorted({0.5, *(round(s, 4) for s in scores)})
    best = max(candidates, key=lambda t: (good(t), -abs(t - 0.5)))
    return DecisionModel(model.weights, model.bias, best)
