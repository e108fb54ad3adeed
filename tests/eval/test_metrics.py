"""Metrics on hand-built cases: every expected number here can be checked with a pencil."""

from __future__ import annotations

import pytest

from eval import metrics
from eval.metrics import Span
from rag.answering.citations import without_markers


def spans(*triples: tuple[str, int, int]) -> list[Span]:
    return [Span(*t) for t in triples]


# -- spans -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("a", "b", "expected"), [
    (("d", 0, 5), ("d", 5, 10), False),  # adjacent half-open spans share nothing
    (("d", 0, 5), ("d", 4, 6), True),  # one character in common
    (("d", 0, 10), ("d", 3, 4), True),  # containment
    (("d", 3, 4), ("d", 0, 10), True),
    (("d", 0, 5), ("e", 0, 5), False),  # same offsets, another document
    (("d", 3, 3), ("d", 0, 10), False),  # an empty span overlaps nothing
    (("d", 0, 5), ("d", 5, 5), False),
])
def test_overlap_edges(a, b, expected):
    assert Span(*a).overlaps(Span(*b)) is expected
    assert Span(*b).overlaps(Span(*a)) is expected


# -- retrieval ---------------------------------------------------------------------------------
RETRIEVED = spans(("b", 0, 100), ("a", 0, 100), ("a", 100, 200), ("c", 0, 50))


def test_first_rank_takes_any_occurrence_of_the_evidence():
    twice = (Span("a", 150, 160), Span("c", 10, 20))  # the same block printed in two places
    assert metrics.first_rank(RETRIEVED, twice) == 3
    assert metrics.first_rank(RETRIEVED, (Span("a", 300, 310),)) is None
    assert metrics.first_rank(RETRIEVED, (Span("a", 90, 110),)) == 2  # straddles two chunks


def test_doc_ranks_count_the_first_chunk_of_each_document():
    assert metrics.doc_ranks(RETRIEVED, ["a", "c", "z", "a"]) == [2, 4, None]


def test_multi_doc_hit_needs_one_evidence_all_evidence_needs_every_one():
    ranks = metrics.evidence_ranks(RETRIEVED, [(Span("a", 120, 130),), (Span("z", 0, 5),)])
    assert ranks == [3, None]
    assert metrics.hit_at(ranks, 3) and not metrics.hit_at(ranks, 2)
    assert not metrics.all_hit_at(ranks, 10)
    assert metrics.all_hit_at([1, 4], 5) and not metrics.all_hit_at([1, 6], 5)
    assert not metrics.all_hit_at([], 5)


def test_reciprocal_rank_uses_the_best_evidence_within_the_cutoff():
    assert metrics.reciprocal_rank([4, 2]) == 0.5
    assert metrics.reciprocal_rank([None, 11]) == 0.0
    assert metrics.reciprocal_rank([10]) == 0.1


def test_retrieval_metrics_over_questions():
    evidence = [[1], [4], [None], [7, 2]]
    docs = [[1], [1], [3], [2, 2]]
    m = metrics.retrieval_metrics(evidence, docs)
    assert m["hit@1"] == 0.25
    assert m["hit@3"] == 0.5
    assert m["hit@5"] == 0.75
    assert m["hit@10"] == 0.75
    assert m["all_evidence@5"] == 0.5
    assert m["all_evidence@10"] == 0.75
    assert m["mrr@10"] == pytest.approx((1 + 0.25 + 0 + 0.5) / 4)
    assert m["doc_hit@1"] == 0.5
    assert m["doc_hit@5"] == 1.0
    assert metrics.retrieval_metrics([], [])["hit@5"] is None


# -- answers -----------------------------------------------------------------------------------
def test_answer_correct_folds_script_width_case_and_space():
    assert metrics.answer_correct("截至收盘,涨幅为3.01%。", ["3.01%"])
    assert metrics.answer_correct("研究負責人是蒂姆·布魯克斯。", ["蒂姆·布鲁克斯"])
    assert metrics.answer_correct("ＴＩＭ　ｂｒｏｏｋｓ said so", ["x", "Tim Brooks"])
    assert metrics.answer_correct("涨了 4000 亿元", ["4000亿元"])
    assert not metrics.answer_correct("下跌1.8%", ["1.81%"])
    assert not metrics.answer_correct("anything", ["", "  "])  # an empty gold matches nothing


def test_citation_markers_are_not_part_of_the_answer():
    answer = "可选择经典等模式进行游戏[1]。AGG01比青霉素有效100倍[2][3]。"
    assert without_markers(answer) == "可选择经典等模式进行游戏。AGG01比青霉素有效100倍。"
    assert not metrics.answer_correct(answer, ["进行游戏。"])
    assert metrics.answer_correct(without_markers(answer), ["进行游戏。"])


@pytest.mark.parametrize(("prediction", "golds", "f1", "em"), [
    ("踢爆", ["踢爆"], 1.0, 1.0),
    ("踢爆了", ["踢爆"], 0.8, 0.0),  # lcs 2: precision 2/3, recall 1
    ("《泡泡战士》", ["泡泡战士"], 1.0, 1.0),  # punctuation is not scored
    ("北京", ["上海", "北京市"], 0.8, 0.0),  # the best gold counts
    ("甲乙丙丁", ["甲丙"], 1 / 3, 0.0),  # the longest *contiguous* common run: 1 token
    ("Tim Brooks说", ["tim brooks"], 0.8, 0.0),  # English words are tokens, case folded
    ("1.81%", ["1.81%"], 1.0, 1.0),
    ("歐洲", ["欧洲"], 1.0, 1.0),  # a Simplified gold scores a Traditional answer alike
    ("", ["踢爆"], 0.0, 0.0),
    ("无关", ["踢爆"], 0.0, 0.0),
])
def test_cmrc_f1_and_em(prediction, golds, f1, em):
    assert metrics.cmrc_f1(prediction, golds) == pytest.approx(f1)
    assert metrics.cmrc_em(prediction, golds) == em


def test_cmrc_tokens_split_han_characters_and_keep_words():
    assert metrics.cmrc_tokens("Sora指数涨3.01%，") == ["sora", "指", "数", "涨", "3", ".", "01",
                                                       "%"]


# -- citations and refusals --------------------------------------------------------------------
def test_citation_precision_and_recall():
    groups = [(Span("a", 10, 20),), (Span("b", 0, 5), Span("b", 50, 55))]
    cited = spans(("a", 15, 30), ("c", 0, 100))
    assert metrics.citation_precision(cited, groups) == 0.5
    assert metrics.citation_recall(cited, groups) == 0.5
    assert metrics.citation_recall(cited + [Span("b", 52, 53)], groups) == 1.0
    assert metrics.citation_precision([], groups) is None
    assert metrics.citation_recall(cited, []) is None


def test_refusal_metrics():
    answerable = [True, True, False, False]
    refused = [False, True, True, False]
    assert metrics.refusal_metrics(answerable, refused) == {
        "refusal_precision": 0.5, "refusal_recall": 0.5, "false_refusal_rate": 0.5}
    never = metrics.refusal_metrics(answerable, [False] * 4)
    assert never["refusal_precision"] is None and never["refusal_recall"] == 0.0
    assert metrics.refusal_metrics([True], [False])["refusal_recall"] is None


# -- latency -----------------------------------------------------------------------------------
def test_percentiles_interpolate_like_numpy():
    assert metrics.percentile([4, 1, 3, 2], 50) == 2.5
    assert metrics.percentile([1, 2, 3, 4], 95) == pytest.approx(3.85)
    assert metrics.percentile([], 50) is None


def test_latency_per_stage_skips_questions_without_that_stage():
    timings = [{"retrieve_ms": 10.0, "total_ms": 100.0}, {"retrieve_ms": 30.0}]
    m = metrics.latency_metrics(timings)
    assert m["retrieve_ms_p50"] == 20.0
    assert m["total_ms_p50"] == 100.0 and m["total_ms_p95"] == 100.0
