"""Retrieval metrics through `ranx`, plus abstention, latency and passage-length figures.

Data shapes are the IR standard:

    qrels = {"q1": {"d1": 1}}        # query id => {relevant doc id: relevance > 0}
    run   = {"q1": {"d1": 0.93}}     # query id => {retrieved doc id: score}; higher ranks first

Doc ids are chunk ids for our own corpus and BEIR corpus ids for BEIR sets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

Qrels = dict[str, dict[str, int]]
RunDict = dict[str, dict[str, float]]

# ranx metric names; "hit_rate@k" is 1 when a relevant doc is in the top k
METRICS = (
    "hit_rate@1",
    "hit_rate@3",
    "hit_rate@5",
    "hit_rate@10",
    "recall@5",
    "recall@10",
    "mrr@10",
    "ndcg@10",
)
MAIN_METRIC = "ndcg@10"


def score_queries(
    qrels: Mapping[str, Mapping[str, int]], run: Mapping[str, Mapping[str, float]], metrics: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Per-query scores: `{query id: {metric: value}}` for every query in `qrels`.

    A query the run has no results for scores 0; a query with no relevant doc in `qrels` is left
    out (no retrieval metric is defined for it) — callers keep unanswerable questions out of `qrels`.
    """
    judged = {q: {d: int(r) for d, r in docs.items() if r > 0} for q, docs in qrels.items()}
    judged = {q: docs for q, docs in judged.items() if docs}
    if not judged:
        return {}
    from ranx import Qrels as RanxQrels  # imported late: ranx pulls in numba
    from ranx import Run as RanxRun
    from ranx import evaluate

    ranked = RanxRun({q: {d: float(s) for d, s in run.get(q, {}).items()} for q in judged})
    # ranx keeps per-query values in `ranked.scores` ({metric: {query id: value}}), keyed by id
    evaluate(RanxQrels(judged), ranked, list(metrics), return_mean=False, save_results_in_run=True)
    return {q: {m: float(ranked.scores[m][q]) for m in metrics} for q in judged}


def mean_scores(per_query: Mapping[str, Mapping[str, float]], metrics: Sequence[str]) -> dict[str, float]:
    """The mean of each metric over the queries in `per_query` (NaN when there are none)."""
    return {
        m: float(np.mean([s[m] for s in per_query.values()])) if per_query else float("nan") for m in metrics
    }


def first_relevant_rank(relevant: Iterable[str], ranked: Mapping[str, float]) -> int | None:
    """The 1-based rank of the first relevant doc in `ranked` (by score, best first), or None."""
    wanted = set(relevant)
    order = sorted(ranked.items(), key=lambda item: -item[1])
    return next((rank for rank, (doc, _) in enumerate(order, start=1) if doc in wanted), None)


def abstention(answerable: Sequence[bool], refused: Sequence[bool]) -> dict[str, float | int | None]:
    """How well the system declines questions the corpus cannot answer.

    precision = refused ∩ unanswerable / refused, recall = refused ∩ unanswerable / unanswerable,
    answered_rate = answered ∩ answerable / answerable. A ratio with a zero denominator is None.
    """
    pairs = list(zip(answerable, refused, strict=True))
    n_refused = sum(r for _, r in pairs)
    n_unanswerable = sum(not a for a, _ in pairs)
    n_answerable = len(pairs) - n_unanswerable
    true_refusals = sum(r and not a for a, r in pairs)
    answered = sum(a and not r for a, r in pairs)
    return {
        "precision": true_refusals / n_refused if n_refused else None,
        "recall": true_refusals / n_unanswerable if n_unanswerable else None,
        "answered_rate": answered / n_answerable if n_answerable else None,
        "refused": n_refused,
        "unanswerable": n_unanswerable,
        "answerable": n_answerable,
    }


# confidence thresholds the eval reports abstention at (`AbstentionRule.min_confidence`)
CURVE_THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)


def abstention_curve(
    answerable: Sequence[bool], confidence: Sequence[float], *, floor: float = 0.5
) -> list[dict[str, float | None]]:
    """What abstention would do at each of `CURVE_THRESHOLDS` from `floor` (the run's own) up: the
    share of answerable questions answered (confidence at or above it) and of unanswerable ones
    refused (below it). Below the run's threshold a refusal's confidence is not the logistic
    part's, so those thresholds are left out."""
    pairs = list(zip(answerable, confidence, strict=True))
    yes = [c for a, c in pairs if a]
    no = [c for a, c in pairs if not a]
    return [
        {
            "threshold": t,
            "answered_rate": sum(c >= t for c in yes) / len(yes) if yes else None,
            "refused_rate": sum(c < t for c in no) / len(no) if no else None,
        }
        for t in CURVE_THRESHOLDS
        if t >= floor
    ]


def latency(milliseconds: Iterable[float]) -> dict[str, float | None]:
    """Median and 95th percentile of per-query latencies, in milliseconds (None when empty)."""
    values = np.asarray(list(milliseconds), dtype=np.float64)
    if values.size == 0:
        return {"p50": None, "p95": None, "mean": None}
    return {
        "p50": float(np.percentile(values, 50)),
        "p95": float(np.percentile(values, 95)),
        "mean": float(values.mean()),
    }


def median_length(lengths: Iterable[int]) -> float | None:
    """The median passage length in characters, or None when nothing was returned."""
    values = list(lengths)
    return float(np.median(values)) if values else None
