"""Fuse a dense and a lexical run into a hybrid one, with settings tuned on a training split.

Two fusions, both standard: reciprocal rank fusion, `Σ 1 / (k + rank)`, and a weighted sum of
min-max normalised scores, `Σ w · (s - min) / (max - min)` per query. A doc missing from a run gets
nothing from it. Tuning tries RRF's k and the weights on a grid, scores each fused training run
with ranx, and keeps the best; that choice is then applied, unchanged, to the split being reported.
(Written out here rather than through `ranx.fuse`, whose typed-dict compilation costs ~30 s per process.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from alliance_qa.progress import progress as progress_bar
from evals.metrics import MAIN_METRIC, Qrels, RunDict, mean_scores, score_queries

RRF_KS = tuple(range(10, 101, 10))
WEIGHT_STEPS = 20  # dense weight in 0, 0.05, ..., 1; lexical gets the rest
UNTUNED_K = 60  # Cormack et al. (2009), when there is nothing to tune on


@dataclass(frozen=True)
class FusionChoice:
    """How runs are fused ("rrf" or "wsum"), with what parameters, and where they were chosen."""

    method: str
    params: dict[str, Any]  # {"k": 60} or {"weights": [0.6, 0.4]}
    tuned_on: str | None = None  # the split the parameters were chosen on (None: untuned default)
    train_score: float | None = None  # MAIN_METRIC of the fused training run

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def rrf(runs: Sequence[RunDict], *, k: float) -> RunDict:
    """Reciprocal rank fusion: each doc scores `Σ 1 / (k + rank)` over the runs that retrieved it."""
    fused: RunDict = {}
    for query_id in _query_ids(runs):
        scores: dict[str, float] = {}
        for run in runs:
            ranked = sorted(run.get(query_id, {}).items(), key=lambda item: -item[1])
            for rank, (doc, _) in enumerate(ranked, start=1):
                scores[doc] = scores.get(doc, 0.0) + 1.0 / (k + rank)
        fused[query_id] = _best_first(scores)
    return fused


def weighted_sum(runs: Sequence[RunDict], *, weights: Sequence[float]) -> RunDict:
    """`Σ weight · min-max normalised score` per doc; a run whose scores are all equal gives each 1."""
    fused: RunDict = {}
    for query_id in _query_ids(runs):
        scores: dict[str, float] = {}
        for run, weight in zip(runs, weights, strict=True):
            docs = run.get(query_id, {})
            if not docs:
                continue
            low, high = min(docs.values()), max(docs.values())
            for doc, score in docs.items():
                normalised = (score - low) / (high - low) if high > low else 1.0
                scores[doc] = scores.get(doc, 0.0) + weight * normalised
        fused[query_id] = _best_first(scores)
    return fused


def fuse_runs(runs: Sequence[RunDict], choice: FusionChoice) -> RunDict:
    """The fused run, by `choice`."""
    if choice.method == "rrf":
        return rrf(runs, k=choice.params["k"])
    return weighted_sum(runs, weights=choice.params["weights"])


def candidates() -> list[FusionChoice]:
    """Every fusion tried when tuning: RRF for each k, then each dense/lexical weighting."""
    steps = [round(i / WEIGHT_STEPS, 4) for i in range(WEIGHT_STEPS + 1)]
    return [FusionChoice("rrf", {"k": k}) for k in RRF_KS] + [
        FusionChoice("wsum", {"weights": [w, round(1 - w, 4)]}) for w in steps
    ]


def tune_fusion(
    qrels: Qrels, runs: Sequence[RunDict], *, split: str, metric: str = MAIN_METRIC, progress: bool = False
) -> FusionChoice:
    """The candidate fusion of `runs` (dense first, then lexical) that scores best on training `qrels`."""
    best: FusionChoice | None = None
    for candidate in progress_bar(candidates(), "tuning fusion", enabled=progress, unit="candidate"):
        score = mean_scores(score_queries(qrels, fuse_runs(runs, candidate), [metric]), [metric])[metric]
        if best is None or score > (best.train_score or 0.0):  # ties keep the earlier, simpler one
            best = FusionChoice(candidate.method, candidate.params, split, round(score, 4))
    assert best is not None  # candidates() is never empty
    return best


def untuned_fusion() -> FusionChoice:
    """Reciprocal rank fusion with k=60, for when no training split exists."""
    return FusionChoice("rrf", {"k": UNTUNED_K})


def _query_ids(runs: Sequence[RunDict]) -> list[str]:
    return list(dict.fromkeys(q for run in runs for q in run))


def _best_first(scores: dict[str, float]) -> dict[str, float]:
    # ties keep first-seen order: the dense run's, since it is fused first
    return dict(sorted(scores.items(), key=lambda item: -item[1]))
