"""Comparing runs: wins and losses per query, and the paired randomisation test."""

from __future__ import annotations

import json
from math import isclose

import numpy as np
import pytest

from alliance_qa.errors import InputError
from evals.compare import compare_modes, compare_reports, compare_scores, load_report, paired_p_value


def test_wins_losses_and_ties_are_counted_per_query():
    a = {"q1": 1.0, "q2": 0.5, "q3": 0.0, "q4": 0.2}
    b = {"q1": 1.0, "q2": 1.0, "q3": 0.0, "q4": 0.0, "only-b": 1.0}
    result = compare_scores(a, b, label_a="dense", label_b="hybrid")
    assert result.n == 4
    assert result.wins == {"q2": (0.5, 1.0)}
    assert result.losses == {"q4": (0.2, 0.0)}
    assert result.ties == 2
    assert isclose(result.mean_b - result.mean_a, (0.5 - 0.2) / 4)
    assert 0.0 <= result.p_value <= 1.0


def test_the_p_value_is_the_exact_sign_flip_probability_for_few_queries():
    # three pairs each better by 1: of the 2**3 equally likely sign patterns, only all-plus and
    # all-minus reach a mean difference as large as the one observed
    x, y = np.array([1.0, 1.0, 1.0]), np.array([0.0, 0.0, 0.0])
    assert isclose(paired_p_value(x, y), 2 / 2**3)
    assert paired_p_value(x, x) == 1.0


def test_a_large_consistent_gain_is_significant():
    rng = np.random.default_rng(1)
    base = rng.uniform(0, 0.5, size=200)
    assert paired_p_value(base + 0.3, base) < 0.001


def _report(name, **modes):
    queries = {q for scores in modes.values() for q in scores}
    return {
        "name": name,
        "modes": {m: {} for m in modes},
        "queries": [
            {"id": q, "modes": {m: {"ndcg@10": s[q]} for m, s in modes.items() if q in s}}
            for q in sorted(queries)
        ],
    }


def test_reports_are_compared_mode_by_mode():
    old = _report("old", dense={"a": 0.0, "b": 1.0}, lexical={"a": 1.0, "b": 1.0})
    new = _report("new", dense={"a": 1.0, "b": 1.0}, hybrid={"a": 1.0, "b": 1.0})
    [dense] = compare_reports(old, new)
    assert (dense.a, dense.b, list(dense.wins)) == ("old:dense", "new:dense", ["a"])
    [hybrid] = compare_modes(new)
    assert (hybrid.a, hybrid.b, hybrid.ties) == ("dense", "hybrid", 2)
    assert compare_modes(_report("x", lexical={"a": 1.0})) == []
    with pytest.raises(InputError, match="share no retrieval mode"):
        compare_reports(_report("x", lexical={"a": 1.0}), _report("y", dense={"a": 1.0}))
    with pytest.raises(InputError, match="share no scored queries"):
        compare_reports(_report("x", dense={"a": 1.0}), _report("y", dense={"b": 1.0}))


def test_a_metric_the_reports_lack_is_named_with_the_ones_they_have():
    old, new = _report("old", dense={"a": 0.0}), _report("new", dense={"a": 1.0})
    with pytest.raises(InputError, match=r"old:dense has no per-query 'answer_rite'.*by one it has: ndcg@10"):
        compare_reports(old, new, metric="answer_rite")


def test_only_numbers_and_flags_are_offered_and_text_is_refused_in_one_line():
    report = _report("old", dense={"a": 0.0, "b": 1.0})
    for row, refused in zip(report["queries"], (True, False), strict=True):
        row["modes"]["dense"] |= {"refused": refused, "rank": None if refused else 1, "latency_ms": 3.0}
        if refused:
            row["modes"]["dense"]["refusal"] = "no passage matches it"
    with pytest.raises(InputError) as missing:
        compare_reports(report, report, metric="hit@1")
    assert str(missing.value).endswith("compare by one it has: ndcg@10, refused")
    with pytest.raises(InputError) as text:
        compare_reports(report, report, metric="refusal")
    assert "old:dense's per-query 'refusal' is not a number" in str(text.value)
    assert str(text.value).endswith("compare by one of: ndcg@10, refused")
    [flags] = compare_reports(report, report, metric="refused")
    assert (flags.n, flags.mean_a, flags.ties) == (2, 1 / 2, 2)


@pytest.mark.parametrize("metric", ["latency_ms", "rank"])
def test_rank_and_latency_are_refused_as_they_are_better_when_lower(metric):
    """Session 18's tester: `eval-compare r1 r4 --metric latency_ms` gave "0 wins, 18 losses" and
    "loss 1: 3.550 → 2.910", a query that got faster called a loss; `--metric rank` counted a
    higher rank as better. Neither was in the list of metrics the error message offers."""
    old, new = _report("old", dense={"a": 0.0, "b": 1.0}), _report("new", dense={"a": 1.0, "b": 1.0})
    for report, latency in ((old, 3.55), (new, 2.91)):
        for row in report["queries"]:
            row["modes"]["dense"] |= {"rank": 1, "latency_ms": latency}
    with pytest.raises(InputError) as caught:
        compare_reports(old, new, metric=metric)
    message = str(caught.value)
    assert message.startswith(f"old:dense's per-query {metric!r} is ")
    assert "lower when better" in message and "cannot be compared by wins and losses" in message
    assert message.endswith("compare by one of: ndcg@10")


def test_load_report_takes_a_folder_or_a_file_and_refuses_others(tmp_path):
    (tmp_path / "report.json").write_text(json.dumps(_report("r", dense={"a": 1.0})))
    assert load_report(tmp_path)["name"] == "r"
    assert load_report(tmp_path / "report.json")["name"] == "r"
    (tmp_path / "other.json").write_text("{}")
    with pytest.raises(InputError, match="not an alliance-qa eval report"):
        load_report(tmp_path / "other.json")
    with pytest.raises(InputError, match="no such report"):
        load_report(tmp_path / "absent.json")


def test_one_query_that_moved_gets_the_exact_p_value_of_one():
    # a single pair has two sign patterns, +d and -d, and both are as far from zero as the observed d
    assert paired_p_value(np.array([1.0]), np.array([0.5])) == 1.0
    [hybrid] = compare_modes(_report("one", dense={"a": 0.5}, hybrid={"a": 1.0}))
    assert (hybrid.n, list(hybrid.wins), hybrid.p_value) == (1, ["a"], 1.0)


def test_queries_only_one_run_scored_are_counted_and_said_to_be_left_out(tmp_path):
    from evals.report import comparison_lines, markdown

    whole = _report("all", dense={"a": 1.0, "b": 0.0, "c": 0.0})  # a run of the whole file
    part = _report("test", dense={"a": 1.0, "d": 1.0})  # a run of one split of it, and one more
    [c] = compare_reports(whole, part)
    assert (c.n, c.only_a, c.only_b, c.mean_a, c.mean_b) == (1, 2, 1, 1.0, 1.0)
    [_, note] = comparison_lines([c])
    assert note == (
        "  left out 2 queries scored only by all:dense and 1 query scored only by test:dense; "
        "only the 1 both scored are compared"
    )
    report = {"name": "r", "created_at": "", "setup": {}, "metrics": [], "modes": {}, "queries": []}
    assert f"- test:dense vs all:dense: {note.strip()}" in markdown({**report, "comparisons": [c.to_json()]})
    # runs of the same questions pair every query: nothing is said
    [same] = compare_reports(whole, whole)
    assert (same.only_a, same.only_b, len(comparison_lines([same]))) == (0, 0, 1)


def test_two_runs_of_one_set_are_told_apart_by_side_when_they_share_a_name():
    # the default name is <file>-<split>: "q-test:dense vs q-test:dense" would not say which is which
    old, new = _report("q-test", dense={"a": 0.0}), _report("q-test", dense={"a": 1.0})
    [c] = compare_reports(old, new)
    assert (c.a, c.b) == ("baseline q-test:dense", "candidate q-test:dense")


def _asked(report, **questions):
    return {**report, "queries": [{**row, "question": questions[row["id"]]} for row in report["queries"]]}


def test_paired_ids_that_ask_other_questions_are_warned_about():
    from evals.report import comparison_lines

    # two sets of one's own, both numbered "1", "2", …: paired question by question, silently, before
    mine = _asked(_report("mine", dense={"1": 1.0, "2": 0.0}), **{"1": "When did it open?", "2": "Who?"})
    theirs = _asked(_report("theirs", dense={"1": 0.0, "2": 0.0}), **{"1": "How deep is it?", "2": "Who?"})
    [c] = compare_reports(mine, theirs)
    assert c.asked_otherwise == ("1",)
    assert comparison_lines([c])[1] == (
        "  warning: 1 of the 2 paired queries asks another question in each run (1): are both runs of the "
        "same question set?"
    )
    # a run asked rewritten (--rewrite) keeps the ids and changes the words by design
    rewritten = {**theirs, "setup": {"rewrite": "lower"}}
    assert compare_reports(mine, rewritten)[0].asked_otherwise == ()
    assert compare_reports(mine, mine)[0].asked_otherwise == ()
