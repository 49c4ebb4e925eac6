"""Metrics through ranx, checked against values derived by hand."""

from __future__ import annotations

import math
from math import isclose, log2

from evals.metrics import (
    abstention,
    abstention_curve,
    first_relevant_rank,
    latency,
    mean_scores,
    median_length,
    score_queries,
)

QRELS = {"q1": {"d1": 1, "d2": 1}, "q2": {"d3": 1}}
RUN = {"q1": {"d1": 0.9, "d5": 0.8, "d2": 0.7}, "q2": {"d4": 1.0, "d5": 0.5, "d3": 0.1}}
METRICS = ("hit_rate@1", "hit_rate@3", "recall@2", "mrr@10", "ndcg@10")


def test_retrieval_metrics_match_their_definitions():
    per_query = score_queries(QRELS, RUN, METRICS)
    means = mean_scores(per_query, METRICS)
    # q1: relevant at ranks 1 and 3; q2: relevant at rank 3
    assert isclose(means["mrr@10"], (1 / 1 + 1 / 3) / 2)
    assert isclose(means["hit_rate@1"], (1 + 0) / 2)
    assert isclose(means["hit_rate@3"], (1 + 1) / 2)
    assert isclose(means["recall@2"], (1 / 2 + 0 / 1) / 2)
    ndcg_q1 = (1 / log2(2) + 1 / log2(4)) / (1 / log2(2) + 1 / log2(3))
    ndcg_q2 = (1 / log2(4)) / (1 / log2(2))
    assert isclose(per_query["q1"]["ndcg@10"], ndcg_q1)
    assert isclose(means["ndcg@10"], (ndcg_q1 + ndcg_q2) / 2)


def test_a_query_missing_from_the_run_scores_zero_and_unjudged_queries_are_left_out():
    per_query = score_queries({**QRELS, "q3": {"d9": 1}, "q4": {}, "q5": {"d1": 0}}, RUN, ["mrr@10"])
    assert set(per_query) == {"q1", "q2", "q3"}
    assert per_query["q3"]["mrr@10"] == 0.0
    assert score_queries({}, RUN, ["mrr@10"]) == {}


def test_scores_order_the_run_not_insertion_order():
    per_query = score_queries({"q": {"b": 1}}, {"q": {"a": 0.1, "b": 0.9}}, ["mrr@10"])
    assert per_query["q"]["mrr@10"] == 1.0
    assert first_relevant_rank({"b"}, {"a": 0.1, "b": 0.9}) == 1
    assert first_relevant_rank({"a"}, {"a": 0.1, "b": 0.9}) == 2
    assert first_relevant_rank({"z"}, {"a": 0.1}) is None


def test_abstention_precision_recall_and_answered_rate():
    answerable = [True, True, True, False, False]
    refused = [False, True, False, True, False]
    figures = abstention(answerable, refused)
    assert figures["precision"] == 1 / 2  # refused 2, one of them unanswerable
    assert figures["recall"] == 1 / 2  # 2 unanswerable, one refused
    assert figures["answered_rate"] == 2 / 3  # 3 answerable, 2 answered
    nothing_refused = abstention([True, False], [False, False])
    assert nothing_refused["precision"] is None
    assert nothing_refused["recall"] == 0.0


def test_the_abstention_curve_answers_at_or_above_each_threshold_and_refuses_below():
    answerable = [True, True, True, True, False, False]
    confidence = [0.97, 0.86, 0.7, 0.0, 0.9, 0.3]  # 0.0: refused before the logistic part
    curve = {row["threshold"]: row for row in abstention_curve(answerable, confidence)}
    assert list(curve) == [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95]
    assert curve[0.5] == {"threshold": 0.5, "answered_rate": 3 / 4, "refused_rate": 1 / 2}
    assert curve[0.7]["answered_rate"] == 3 / 4  # 0.7 itself is answered
    assert curve[0.85] == {"threshold": 0.85, "answered_rate": 2 / 4, "refused_rate": 1 / 2}
    assert curve[0.95] == {"threshold": 0.95, "answered_rate": 1 / 4, "refused_rate": 2 / 2}
    # below the run's own threshold a refusal's confidence says nothing: left out
    assert [row["threshold"] for row in abstention_curve(answerable, confidence, floor=0.85)] == [
        0.85,
        0.9,
        0.95,
    ]
    assert abstention_curve([True], [0.9])[0]["refused_rate"] is None


def test_latency_percentiles_interpolate_linearly():
    figures = latency([40.0, 10.0, 30.0, 20.0])
    assert figures["p50"] == (20 + 30) / 2
    # the 95th percentile sits at position 0.95 * (4 - 1) = 2.85 of the sorted values
    assert isclose(figures["p95"], 30 + 0.85 * (40 - 30))
    assert latency([]) == {"p50": None, "p95": None, "mean": None}


def test_median_passage_length_and_empty_means():
    assert median_length([100, 300, 200, 50]) == (100 + 200) / 2
    assert median_length([]) is None
    assert math.isnan(mean_scores({}, ["mrr@10"])["mrr@10"])
