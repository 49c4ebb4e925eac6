"""Compare two runs query by query: wins, losses, and a paired randomisation test on the main metric."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from alliance_qa.errors import InputError
from evals.metrics import MAIN_METRIC

RESAMPLES = 10_000  # sign flips drawn; with n <= 13 queries every one of the 2**n is enumerated instead
SEED = 0  # the same two runs always give the same p-value
# per-query fields of a report that are no score where higher is better: why each is not compared
NOT_SCORES = {
    "rank": "is lower when better, and none where nothing was found",
    "latency_ms": "is a time, lower when better, not a quality (report.md gives latencies per mode)",
}


@dataclass(frozen=True)
class Comparison:
    """Candidate `b` against baseline `a` on the queries both scored: who won where, and how surely."""

    a: str  # label of the baseline, e.g. "dense" or "previous:hybrid"
    b: str  # label of the candidate
    metric: str
    n: int  # queries compared
    mean_a: float
    mean_b: float
    wins: dict[str, tuple[float, float]]  # query id => (a, b) where b scored higher
    losses: dict[str, tuple[float, float]]  # query id => (a, b) where b scored lower
    ties: int
    p_value: float  # two-sided, paired randomisation (sign-flip) test on the mean difference
    only_a: int = 0  # queries only the baseline scored, left out of the pairing
    only_b: int = 0  # queries only the candidate scored, left out
    asked_otherwise: tuple[str, ...] = ()  # paired ids whose question text differs: other question sets?

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["wins"] = {q: list(v) for q, v in self.wins.items()}
        data["losses"] = {q: list(v) for q, v in self.losses.items()}
        return data


def compare_scores(
    a: Mapping[str, float], b: Mapping[str, float], *, label_a: str, label_b: str, metric: str = MAIN_METRIC
) -> Comparison:
    """Pair per-query scores `a` and `b` (query id => value) on their common queries and test the difference."""
    common = sorted(set(a) & set(b))
    if not common:
        raise InputError(
            f"{label_a} and {label_b} share no scored queries: compare runs of the same question set"
        )
    x = np.array([a[q] for q in common], dtype=np.float64)
    y = np.array([b[q] for q in common], dtype=np.float64)
    return Comparison(
        a=label_a,
        b=label_b,
        metric=metric,
        n=len(common),
        mean_a=float(x.mean()),
        mean_b=float(y.mean()),
        wins={q: (a[q], b[q]) for q in common if b[q] > a[q]},
        losses={q: (a[q], b[q]) for q in common if b[q] < a[q]},
        ties=int(np.sum(x == y)),
        p_value=paired_p_value(x, y),
        only_a=len(set(a) - set(b)),
        only_b=len(set(b) - set(a)),
    )


def paired_p_value(x: np.ndarray, y: np.ndarray) -> float:
    """Two-sided p-value that paired samples `x` and `y` have the same mean (Fisher's randomisation test)."""
    if x.shape != y.shape:
        raise InputError(f"paired samples differ in length: {x.shape[0]} and {y.shape[0]}")
    if not np.any(x != y):
        return 1.0  # no query moved: nothing to test
    if x.shape[0] < 2:
        # one pair: both of its sign flips reach the observed |difference| (scipy refuses n = 1)
        return 1.0
    from scipy.stats import permutation_test

    # permutation_type="samples" swaps x and y within each pair: a random sign flip of each difference
    result = permutation_test(
        (x, y),
        lambda u, v, axis: np.mean(u - v, axis=axis),
        permutation_type="samples",
        vectorized=True,
        n_resamples=RESAMPLES,
        alternative="two-sided",
        rng=np.random.default_rng(SEED),
    )
    return float(min(1.0, max(0.0, result.pvalue)))


def per_query_scores(report: Mapping[str, Any], mode: str, metric: str = MAIN_METRIC) -> dict[str, float]:
    """`{query id: metric}` for the scored (answerable) queries of `mode` in a report.json dict."""
    if mode not in report.get("modes", {}):
        raise InputError(f"the report has no mode {mode!r}; it has {', '.join(report.get('modes', {}))}")
    values: dict[str, list[object]] = {}  # field => its value in each query
    for row in report["queries"]:
        for name, value in row["modes"].get(mode, {}).items():
            values.setdefault(name, []).append(value)
    # a score is a number (or a flag, as `refused`) in every query; `rank` is none where nothing
    # was found and lower is better, and latency is no quality: neither is offered, nor taken
    scores = sorted(
        name for name, seen in values.items() if name not in NOT_SCORES and all(_is_score(v) for v in seen)
    )
    label = f"{report.get('name', 'the report')}:{mode}"
    if metric in NOT_SCORES and metric in values:
        # wins count higher values: by these, a query that got faster or ranked its answer
        # first would be called a loss
        raise InputError(
            f"{label}'s per-query {metric!r} {NOT_SCORES[metric]}, so it cannot be compared by wins "
            f"and losses; compare by one of: {', '.join(scores) or 'none'}"
        )
    if metric not in values:
        raise InputError(
            f"{label} has no per-query {metric!r}; compare by one it has: {', '.join(scores) or 'none'}"
        )
    if not all(_is_score(v) for v in values[metric]):
        raise InputError(
            f"{label}'s per-query {metric!r} is not a number in every query, so it cannot be compared; "
            f"compare by one of: {', '.join(scores) or 'none'}"
        )
    return {
        row["id"]: float(row["modes"][mode][metric])
        for row in report["queries"]
        if mode in row["modes"] and metric in row["modes"][mode]
    }


def _is_score(value: object) -> bool:
    """A number or a flag: what a per-query comparison can pair (booleans count as 0 and 1)."""
    return isinstance(value, int | float)


def compare_modes(
    report: Mapping[str, Any], *, baseline: str = "dense", metric: str = MAIN_METRIC
) -> list[Comparison]:
    """Every other mode of one report against `baseline` (none if the report lacks it)."""
    modes = list(report.get("modes", {}))
    if baseline not in modes or not any(row.get("answerable", True) for row in report["queries"]):
        return []  # no dense run, or only unanswerable questions: no ranking metric to pair
    base = per_query_scores(report, baseline, metric)
    return [
        compare_scores(base, per_query_scores(report, m, metric), label_a=baseline, label_b=m, metric=metric)
        for m in modes
        if m != baseline
    ]


def compare_reports(
    baseline: Mapping[str, Any], candidate: Mapping[str, Any], *, metric: str = MAIN_METRIC
) -> list[Comparison]:
    """Each mode both reports ran: the candidate's per-query scores against the baseline's."""
    common = [m for m in candidate.get("modes", {}) if m in baseline.get("modes", {})]
    if not common:
        raise InputError("the two reports share no retrieval mode: nothing to compare")
    a_name, b_name = baseline.get("name", "baseline"), candidate.get("name", "candidate")
    asked_otherwise = _asked_otherwise(baseline, candidate)
    if a_name == b_name:  # two runs of one set share its default name: say which side is which
        a_name, b_name = f"baseline {a_name}", f"candidate {b_name}"
    comparisons = []
    for m in common:
        a, b = per_query_scores(baseline, m, metric), per_query_scores(candidate, m, metric)
        c = compare_scores(a, b, label_a=f"{a_name}:{m}", label_b=f"{b_name}:{m}", metric=metric)
        comparisons.append(replace(c, asked_otherwise=tuple(q for q in asked_otherwise if q in a and q in b)))
    return comparisons


def _asked_otherwise(baseline: Mapping[str, Any], candidate: Mapping[str, Any]) -> list[str]:
    """Ids both reports hold with another question text: two question sets that reuse ids ("1", "2"…)
    would be paired question by question without a word. Rewritten runs (--rewrite) differ by design."""
    if baseline.get("setup", {}).get("rewrite") != candidate.get("setup", {}).get("rewrite"):
        return []
    asked = {row["id"]: row.get("question") for row in baseline["queries"]}
    return [
        row["id"]
        for row in candidate["queries"]
        if row["id"] in asked
        and None not in (asked[row["id"]], row.get("question"))
        and asked[row["id"]] != row.get("question")
    ]


def check_comparable(
    baseline: Mapping[str, Any],
    *,
    modes: Sequence[str],
    query_ids: Collection[str],
    metric: str = MAIN_METRIC,
) -> None:
    """Refuse, before a run, a baseline `compare_reports` would find nothing to pair with: none of
    `modes`, or none of the scored `query_ids` (the run's answerable questions), in common."""
    name = baseline.get("name", "the baseline")
    if not query_ids:
        raise InputError(
            f"every question of this run is unanswerable, so there is no {metric} to compare with "
            f"{name!r}; leave out --compare, then compare the two reports by refusals: "
            "`alliance-qa eval-compare OLD NEW --metric refused`"
        )
    common = [m for m in modes if m in baseline.get("modes", {})]
    if not common:
        raise InputError(
            f"the report {name!r} to compare with ran {', '.join(baseline.get('modes', {})) or 'no mode'}, "
            f"none of {', '.join(modes)}: nothing to compare; pass --modes it ran, or another report"
        )
    wanted = set(query_ids)
    for mode in common:
        if not wanted & set(per_query_scores(baseline, mode, metric)):
            raise InputError(
                f"the report {name!r} to compare with scored none of these questions in {mode}: "
                "compare runs of the same question set (nothing was evaluated)"
            )


def load_report(path: Path) -> dict[str, Any]:
    """A report.json, given the file or the report folder holding it."""
    file = path / "report.json" if path.is_dir() else path
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{file}: no such report; pass a report folder or its report.json") from None
    except ValueError as exc:
        raise InputError(f"{file}: not a valid report.json ({exc})") from None
    if not isinstance(data, dict) or "modes" not in data or "queries" not in data:
        raise InputError(f"{file}: not an alliance-qa eval report (no 'modes' or 'queries')")
    return data
