"""Every threshold and weight of the answer pipeline, in one place, stage by stage.

The defaults here are starting points. The values the pipeline runs with are fitted on
the tune splits of the gold sets by ``bench/answer_tune.py``, which writes them to
``tuned.json`` beside this module (and the fit's data and scores to ``bench/results/``);
``AnswerConfig.load()`` reads that file.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

TUNED = Path(__file__).with_name("tuned.json")

FEATURES = ("coverage", "meaning", "support", "best_coverage", "shape", "standout")


@dataclass(frozen=True)
class SelectionConfig:
    """Excerpt selection: how sentences are ranked and how many each answerer reads."""

    prior: float = 0.1  # bonus for the top retrieved passage, falling to 0 for the last
    meaning_weight: float = 0.3  # share of a sentence's score that is similarity by meaning
    meaning_pool: int = 8  # sentences (best by words) whose meaning is compared
    second_ratio: float = 0.9  # extractive: a second sentence scoring this share of the best
    min_gain: float = 0.25  # extractive: or one adding this much of the question's idf mass
    budget: int = 250  # LLM: characters of excerpts (prefill is the cost)
    per_passage: int = 3
    min_relevance: float = 0.15  # LLM: passages with no sentence this relevant are not given


@dataclass(frozen=True)
class GroundingConfig:
    min_support: float = 0.35  # share of a claim's new units an excerpt must hold
    cross_lingual: float = 0.55  # embedding similarity that counts as min_support


@dataclass(frozen=True)
class DecisionModel:
    """A logistic model: P(answer is right) = sigmoid(bias + weights · features)."""

    weights: dict[str, float] = field(default_factory=lambda: {
        "coverage": 6.0, "meaning": 0.0, "support": 2.0, "best_coverage": 0.0, "shape": 2.0,
        "standout": 0.66})
    bias: float = -4.5
    threshold: float = 0.5


@dataclass(frozen=True)
class DecisionConfig:
    """One model per way an answer is made: quoted by the extractive answerer, written by
    the LLM, or quoted after the LLM gave none (that it gave none is evidence too)."""

    extractive: DecisionModel = DecisionModel()
    llm: DecisionModel = DecisionModel()
    quoted: DecisionModel = DecisionModel(bias=-7.0)


@dataclass(frozen=True)
class AnswerConfig:
    selection: SelectionConfig = SelectionConfig()
    grounding: GroundingConfig = GroundingConfig()
    decision: DecisionConfig = DecisionConfig()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnswerConfig:
        return _build(cls, data)

    @classmethod
    def load(cls, path: Path = TUNED) -> AnswerConfig:
        """The tuned configuration (the defaults when none was written yet)."""
        if not path.is_file():
            return cls()
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8"))["config"])


def _build(kind: Any, data: dict[str, Any]) -> Any:
    """A (nested) frozen dataclass from a dict, unknown keys ignored."""
    values = {}
    for f in fields(kind):
        if f.name in data:
            default = getattr(kind(), f.name)
            values[f.name] = (_build(type(default), data[f.name]) if is_dataclass(default)
                              else data[f.name])
    return kind(**values)
