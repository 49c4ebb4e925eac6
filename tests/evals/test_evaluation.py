"""Summing up a mode's run: answer-sentence figures over answerable queries, refusals counted."""

from __future__ import annotations

from evals.evaluation import ModeRun, Query, answer_figures, summarise


def test_a_refusal_is_a_wrong_answer_but_not_a_wrong_pick():
    queries = [
        Query("a", "?", "factoid"),
        Query("b", "?", "factoid"),
        Query("c", "?", "list"),
        Query("n", "?", "x", False),
    ]
    answers = {"a": True, "b": False, "c": False}
    refused = {"a": False, "b": False, "c": True, "n": True}
    figures = answer_figures(queries, answers, refused)
    assert figures == {"right": 1 / 3, "right_when_answered": 1 / 2, "answered": 2, "answerable": 3}
    assert answer_figures(queries[3:], {}, refused)["right"] is None  # nothing answerable


def test_summaries_carry_answer_figures_only_when_they_were_measured():
    queries = [Query("a", "?", "factoid"), Query("b", "?", "list")]
    qrels = {"a": {"p1": 1}, "b": {"p2": 1}}
    run = {"a": {"p1": 2.0, "p2": 1.0}, "b": {"p1": 2.0, "p2": 1.0}}
    latency = {"a": 1.0, "b": 1.0}
    measured = summarise(
        queries,
        qrels,
        ModeRun("m", run, latency, {"a": False, "b": False}, answers={"a": True, "b": False}),
        metrics=("mrr@10",),
    )
    assert measured.answers is not None and measured.answers["right"] == 0.5
    assert (
        measured.per_query["a"]["answer_right"] is True and measured.per_query["b"]["answer_right"] is False
    )
    assert (
        measured.per_kind["factoid"]["answer_right"] == 1.0
        and measured.per_kind["list"]["answer_right"] == 0.0
    )
    unmeasured = summarise(queries, qrels, ModeRun("m", run, latency), metrics=("mrr@10",))
    assert unmeasured.answers is None
    assert (
        "answer_right" not in unmeasured.per_query["a"]
        and "answer_right" not in unmeasured.per_kind["factoid"]
    )
