from __future__ import annotations

from math import isclose

import numpy as np
import pytest

from alliance_qa.errors import InputError
from index.fusion import Run, fuse, fuse_rrf, fuse_weighted, normalise


def _random_runs(seed: int, size: int = 40) -> dict[str, Run]:
    rng = np.random.default_rng(seed)
    runs = {}
    for name in ("dense", "lexical"):
        rows = rng.permutation(size)[: rng.integers(5, size)]
        scores = np.sort(rng.random(len(rows)))[::-1]
        runs[name] = Run.of(rows, scores)
    return runs


def _brute_force_rrf(runs: dict[str, Run], k: float) -> dict[int, float]:
    totals: dict[int, float] = {}
    for run in runs.values():
        for rank, row in enumerate(run.rows.tolist(), start=1):
            totals[row] = totals.get(row, 0.0) + 1 / (k + rank)
    return totals


def _brute_force_minmax(runs: dict[str, Run], weights: dict[str, float]) -> dict[int, float]:
    totals: dict[int, float] = {}
    for name, run in runs.items():
        low, high = min(run.scores), max(run.scores)
        for row, score in zip(run.rows.tolist(), run.scores.tolist(), strict=True):
            totals[row] = totals.get(row, 0.0) + weights[name] * (score - low) / (high - low)
    return totals


def _as_ranking(totals: dict[int, float]) -> list[int]:
    return sorted(totals, key=lambda row: (-totals[row], row))


@pytest.mark.parametrize("seed", range(5))
def test_rrf_equals_brute_force(seed: int) -> None:
    runs = _random_runs(seed)
    fused = fuse_rrf(runs, size=40, k=60)
    expected = _brute_force_rrf(runs, 60)
    assert fused.rows.tolist() == _as_ranking(expected)
    np.testing.assert_allclose(fused.scores, [expected[r] for r in fused.rows.tolist()])


@pytest.mark.parametrize("seed", range(5))
def test_weighted_sum_equals_brute_force(seed: int) -> None:
    runs = _random_runs(seed)
    weights = {"dense": 0.7, "lexical": 0.3}
    fused = fuse_weighted(runs, size=40, weights=weights)
    expected = _brute_force_minmax(runs, weights)
    assert fused.rows.tolist() == _as_ranking(expected)
    np.testing.assert_allclose(fused.scores, [expected[r] for r in fused.rows.tolist()])


def test_rrf_by_hand() -> None:
    runs = {"dense": Run.of([3, 1], [0.9, 0.8]), "lexical": Run.of([1, 2], [7.0, 1.0])}
    fused = fuse_rrf(runs, size=4, k=60)
    # row 1 is second in one run and first in the other
    assert fused.rows.tolist() == [1, 3, 2]
    assert isclose(fused.scores[0], 1 / (60 + 2) + 1 / (60 + 1))
    assert isclose(fused.scores[1], 1 / (60 + 1))


def test_scalings_keep_or_rescale_scores() -> None:
    scores = np.array([4.0, 2.0, 1.0])
    np.testing.assert_allclose(normalise(scores, "minmax"), [1.0, 1 / 3, 0.0])
    np.testing.assert_allclose(normalise(scores, "max"), [1.0, 0.5, 0.25])
    np.testing.assert_allclose(normalise(scores, "none"), scores)
    np.testing.assert_allclose(normalise(np.array([2.0, 2.0])), [1.0, 1.0])
    assert len(normalise(np.array([]))) == 0


def test_a_run_scaled_by_its_ceiling_keeps_how_much_of_the_question_it_matched() -> None:
    """Session 23: BM25 divided by the best candidate's score made a paraphrase's best chunk,
    holding two common words of it, weigh as much as a chunk holding every rare word of a keyword
    question; divided by the question's ceiling, each weighs what it matched."""
    scores = np.array([3.0, 1.5])
    np.testing.assert_allclose(normalise(scores, "ceiling", 6.0), [0.5, 0.25])
    np.testing.assert_allclose(normalise(scores, "ceiling", 0.0), [0.0, 0.0])  # no known word
    runs = {"dense": Run.of([0, 1], [0.50, 0.45]), "lexical": Run.of([1], [1.5])}
    weights = {"dense": 1.0, "lexical": 0.2}
    by_max = fuse(
        runs, size=2, method="weighted", weights=weights, scaling={"dense": "none", "lexical": "max"}
    )
    by_ceiling = fuse(
        runs,
        size=2,
        method="weighted",
        weights=weights,
        scaling={"dense": "none", "lexical": "ceiling"},
        ceilings={"lexical": 6.0},
    )
    assert by_max.rows.tolist() == [1, 0]  # the weak match counted as a full one
    assert by_ceiling.rows.tolist() == [0, 1]
    assert isclose(by_ceiling.scores[1], 0.45 + 0.2 * 0.25)
    with pytest.raises(InputError, match="ceiling"):
        normalise(scores, "ceiling")


def test_unscaled_runs_keep_their_magnitude() -> None:
    # a weak best dense match must not become 1.0 just because it is the best of a weak lot
    runs = {"dense": Run.of([0, 1], [0.30, 0.20]), "lexical": Run.of([1], [5.0])}
    fused = fuse(
        runs,
        size=2,
        method="weighted",
        weights={"dense": 1.0, "lexical": 0.2},
        scaling={"dense": "none", "lexical": "max"},
    )
    assert fused.rows.tolist() == [1, 0]
    assert isclose(fused.scores[0], 0.20 + 0.2 * 1.0)
    assert isclose(fused.scores[1], 0.30)


def test_empty_runs_fuse_to_nothing() -> None:
    empty = Run.of([], [])
    assert len(fuse_rrf({"dense": empty, "lexical": empty}, size=3)) == 0


def test_unknown_method_or_scaling_is_an_input_error() -> None:
    runs = {"dense": Run.of([0], [1.0])}
    with pytest.raises(InputError, match="unknown fusion"):
        fuse(runs, size=1, method="borda", weights={})
    with pytest.raises(InputError, match="unknown scaling"):
        normalise(np.array([1.0, 2.0]), "zscore")
