"""Fuse ranked runs from several retrievers into one: reciprocal rank fusion or a weighted sum.

A run is one retriever's candidates, best first: `Run(rows=[7, 2, 9], scores=[0.8, 0.5, 0.4])`.
Rows index the chunks; a row missing from a run simply gets nothing from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from alliance_qa.errors import InputError

Rows = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

RRF_K = 60.0  # Cormack et al. (2009): dampens the weight of the very first ranks
FUSIONS = ("rrf", "weighted")


@dataclass(frozen=True)
class Run:
    """One retriever's candidates, best first, with the scores it gave them."""

    rows: Rows
    scores: Floats

    @classmethod
    def of(cls, rows: object, scores: object) -> Run:
        return cls(np.asarray(rows, dtype=np.int64), np.asarray(scores, dtype=np.float64))

    def __len__(self) -> int:
        return len(self.rows)


def _ranked(totals: Floats, present: npt.NDArray[np.bool_]) -> Run:
    rows = np.flatnonzero(present)
    # best score first; ties keep row order, so results are deterministic
    order = np.lexsort((rows, -totals[rows]))
    return Run(rows[order], totals[rows][order])


def fuse_rrf(
    runs: Mapping[str, Run], *, size: int, k: float = RRF_K, weights: Mapping[str, float] | None = None
) -> Run:
    """Reciprocal rank fusion: each run adds `weight / (k + rank)`, ranks starting at 1."""
    totals = np.zeros(size, dtype=np.float64)
    present = np.zeros(size, dtype=bool)
    for name, run in runs.items():
        weight = 1.0 if weights is None else weights.get(name, 0.0)
        ranks = np.arange(1, len(run) + 1, dtype=np.float64)
        np.add.at(totals, run.rows, weight / (k + ranks))
        present[run.rows] = True
    return _ranked(totals, present)


SCALINGS = ("minmax", "max", "none", "ceiling")


def normalise(scores: Floats, how: str = "minmax", ceiling: float | None = None) -> Floats:
    """Scale a run's scores: "minmax" to [0, 1], "max" divides by the best, "none" keeps them,
    "ceiling" divides by `ceiling`, the score no candidate could pass for this question.

    "max" suits scores whose zero means "no match" (BM25), since a run cut at `pool`
    candidates has an arbitrary minimum; all-equal scores map to 1 under "minmax". "max" makes
    the best candidate 1 however little of the question it matched; "ceiling" keeps how much it
    did (`LexicalIndex.ceiling`: the best BM25 could give a chunk holding every known word).
    """
    if how == "none" or len(scores) == 0:
        return scores
    if how == "ceiling":
        if ceiling is None:
            raise InputError('the "ceiling" scaling needs the run\'s ceiling')
        return scores / ceiling if ceiling > 0 else np.zeros_like(scores)
    high = float(scores.max())
    if how == "max":
        return scores / high if high > 0 else np.zeros_like(scores)
    if how != "minmax":
        raise InputError(f"unknown scaling {how!r}: choose one of {', '.join(SCALINGS)}")
    low = float(scores.min())
    if high - low <= 1e-12:
        return np.ones_like(scores)
    return (scores - low) / (high - low)


def fuse_weighted(
    runs: Mapping[str, Run],
    *,
    size: int,
    weights: Mapping[str, float],
    scaling: Mapping[str, str] | None = None,
    ceilings: Mapping[str, float] | None = None,
) -> Run:
    """Weighted sum of scaled scores (min-max unless `scaling` says otherwise); a miss adds 0.

    Runs already on a fixed scale across questions (cosines, shares) can keep it with "none":
    min-max would throw away how good the best candidate is. `ceilings` gives the runs scaled by
    "ceiling" theirs.
    """
    totals = np.zeros(size, dtype=np.float64)
    present = np.zeros(size, dtype=bool)
    for name, run in runs.items():
        scores = normalise(run.scores, (scaling or {}).get(name, "minmax"), (ceilings or {}).get(name))
        np.add.at(totals, run.rows, weights.get(name, 0.0) * scores)
        present[run.rows] = True
    return _ranked(totals, present)


def fuse(
    runs: Mapping[str, Run],
    *,
    size: int,
    method: str,
    weights: Mapping[str, float],
    rrf_k: float = RRF_K,
    scaling: Mapping[str, str] | None = None,
    ceilings: Mapping[str, float] | None = None,
) -> Run:
    """Fuse `runs` over `size` rows with `method` ("rrf" or "weighted")."""
    if method == "rrf":
        return fuse_rrf(runs, size=size, k=rrf_k, weights=weights)
    if method == "weighted":
        return fuse_weighted(runs, size=size, weights=weights, scaling=scaling, ceilings=ceilings)
    raise InputError(f"unknown fusion {method!r}: choose one of {', '.join(FUSIONS)}")
