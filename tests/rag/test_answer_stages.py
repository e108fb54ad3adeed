"""The answer pipeline's stages on synthetic inputs: sentence ranking by meaning, the
extractive selection (a second sentence from another article), the decision model and
its fit, and the configuration that holds their settings. No models needed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.answering.answer import Citation
from rag.answering.citations import Grounded
from rag.answering.config import FEATURES, AnswerConfig, DecisionModel, SelectionConfig
from rag.answering.decision import calibrate, features, fit, probability
from rag.answering.evidence import Passage, Sentence
from rag.answering.extractive import ExtractiveAnswerer
from rag.answering.ranking import Meaning, QueryMemo
from rag.answering.terms import QueryTerms
from rag.ingest.normalize import normalize


def make_passage(n: int, doc: str, texts: list[str], terms: QueryTerms) -> Passage:
    original = "".join(texts)
    sentences, start = [], 0
    for t in texts:
        sentences.append(Sentence(t, normalize(t), start, start + len(t)))
        start += len(t)
    return Passage(n, doc, doc, "", 1.0, original, sentences,
                   [terms.relevance(s.norm) for s in sentences])


class KeywordEmbeddings(Embeddings):
    """Vectors that say which of a few topics a text is about: a stand-in for meaning."""

    TOPICS = (("长", "秒", "分钟", "long"), ("价格", "元", "price"), ("天气", "雨", "weather"))

    def __init__(self) -> None:
        self.queries = 0

    def _vector(self, text: str) -> list[float]:
        v = np.array([sum(w in text for w in topic) for topic in self.TOPICS], dtype=float) + 0.01
        return (v / np.linalg.norm(v)).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        self.queries += 1
        return self._vector(text)


TERMS = QueryTerms({"模型": 1.0, "视频": 1.0})


def test_meaning_lifts_the_sentence_that_answers_in_other_words() -> None:
    p = make_passage(1, "a", ["这个模型发布了新的视频功能。", "模型可以生成60秒的视频。"], TERMS)
    assert p.relevance[0] == p.relevance[1]  # the same words of the question
    Meaning(KeywordEmbeddings(), pool=8)("模型能生成多长的视频", [p])
    assert p.meaning[1] == 1.0 and p.meaning[0] < 1.0
    quoted = ExtractiveAnswerer(SelectionConfig(meaning_weight=0.5, second_ratio=1.0))
    [excerpt] = quoted.select("模型能生成多长的视频", [p], TERMS)
    assert excerpt.indices == [1]


def test_across_languages_sentences_are_ranked_and_judged_by_meaning_alone() -> None:
    question = "How long are the videos it makes?"
    terms = QueryTerms({"videos": 1.0, "makes": 1.0})
    texts = ["模型可以生成60秒的视频。", "天气很好。", "价格是10元。", "明天有雨。"]
    p = make_passage(1, "a", texts, terms)
    assert max(p.relevance) == 0.0  # no word of the question is in the text
    assert Meaning(KeywordEmbeddings())(normalize(question), [p]) is True
    assert p.meaning[0] == max(p.meaning) > 1.0
    assert p.relevance == [p.meaning[0], 0.0, 0.0, 0.0]  # the others are about other things
    [excerpt] = ExtractiveAnswerer().select(question, [p], terms)
    assert excerpt.indices == [0]
    grounded = Grounded("模型可以生成60秒的视频[1]。", [citation(0, 13, texts[0])], [], 1)
    values = features(grounded, [p], terms, p.meaning[0], across_languages=True)
    assert values["standout"] == p.meaning[0]
    assert features(grounded, [p], terms, p.meaning[0])["standout"] == 0.0
    chinese = make_passage(1, "a", texts, TERMS)
    assert Meaning(KeywordEmbeddings())("模型能生成多长的视频", [chinese]) is False


def test_across_languages_a_sentence_below_the_similarity_floor_cannot_answer() -> None:
    """Some sentence always stands out among unrelated ones; it must also be similar."""
    question = "Who signed the treaty?"  # about none of the topics: similar to all alike
    p = make_passage(1, "a", ["模型可以生成60秒的视频。", "天气很好。", "价格是10元。"], TERMS)
    assert Meaning(KeywordEmbeddings(), floor=0.9)(normalize(question), [p]) is True
    assert max(p.meaning) > 0 and p.relevance == [0.0, 0.0, 0.0]
    assert ExtractiveAnswerer().select(question, [p], TERMS) == []


def test_the_question_is_embedded_once_for_retrieval_and_meaning() -> None:
    inner = KeywordEmbeddings()
    memo = QueryMemo(inner)
    memo.embed_query("价格")
    memo.embed_query("价格")
    assert inner.queries == 1


def test_a_second_sentence_may_come_from_another_article() -> None:
    terms = QueryTerms({"甲公司": 2.0, "乙公司": 2.0, "成立": 1.0})
    first = make_passage(1, "a", ["甲公司成立于一九九零年。", "今天下雨。"], terms)
    other = make_passage(2, "b", ["乙公司成立于二零零五年。"], terms)
    answerer = ExtractiveAnswerer(SelectionConfig(second_ratio=1.0, min_gain=0.3))
    picked = answerer.select("甲公司和乙公司各成立于哪一年", [first, other], terms)
    assert [(e.passage.doc_id, e.indices) for e in picked] == [("a", [0]), ("b", [0])]
    alone = ExtractiveAnswerer(SelectionConfig(second_ratio=1.0, min_gain=0.9))
    assert len(alone.select("甲公司和乙公司各成立于哪一年", [first, other], terms)) == 1


def citation(start: int, end: int, text: str) -> Citation:
    return Citation("a", "a", "", start, end, 1, text, text)


def test_features_describe_what_the_answer_cites() -> None:
    terms = QueryTerms({"模型": 1.0, "视频": 1.0, "多长": 0.0})
    p = make_passage(1, "a", ["模型可以生成60秒的视频。", "天气很好。"], terms)
    p.meaning = [1.0, 0.0]
    grounded = Grounded("60秒[1]。", [citation(0, 13, "模型可以生成60秒的视频。")], [], 1)
    values = features(grounded, [p], terms, cited_meaning=1.0)
    assert set(values) == set(FEATURES)
    assert values["coverage"] == 1.0 and values["support"] == 1.0 and values["shape"] == 1.0
    partial = Grounded("60秒[1]。天很好。", grounded.citations, ["天很好。"], 1)
    assert features(partial, [p], terms, 1.0)["support"] == 0.5


def test_the_decision_is_a_probability_rising_with_the_evidence() -> None:
    model = DecisionModel({"coverage": 4.0}, bias=-2.0)
    low, high = ({name: 0.0 for name in FEATURES} | {"coverage": c} for c in (0.1, 0.9))
    assert 0 < probability(model, low) < 0.5 < probability(model, high) < 1


def test_fit_and_calibrate_on_separable_data() -> None:
    rows = [{name: 0.0 for name in FEATURES} | {"coverage": c / 10} for c in range(11)]
    right = [c >= 6 for c in range(11)]
    model = fit(rows, right)
    assert model.weights["coverage"] > 0
    tuned = calibrate(model, rows, right, answerable=[True] * 11)
    decided = [probability(tuned, r) >= tuned.threshold for r in rows]
    assert decided == right


def test_the_configuration_round_trips_and_loads_tuned_values(tmp_path: Path) -> None:
    config = AnswerConfig(selection=SelectionConfig(budget=321))
    assert AnswerConfig.from_dict(config.to_dict()) == config
    path = tmp_path / "tuned.json"
    path.write_text(json.dumps({"config": {"decision": {"llm": {"bias": -1.5}}}}))
    loaded = AnswerConfig.load(path)
    assert loaded.decision.llm.bias == -1.5 and loaded.selection == SelectionConfig()
    assert AnswerConfig.load(tmp_path / "missing.json") == AnswerConfig()
