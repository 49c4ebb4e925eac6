"""What an evaluation produced: per-mode figures, a per-kind breakdown and per-query outcomes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from evals.metrics import (
    Qrels,
    RunDict,
    abstention,
    abstention_curve,
    first_relevant_rank,
    latency,
    mean_scores,
    median_length,
    score_queries,
)


@dataclass(frozen=True)
class Query:
    """One evaluated query: what was asked, its kind, and whether the corpus answers it."""

    id: str
    text: str
    kind: str
    answerable: bool = True


@dataclass(frozen=True)
class ModeRun:
    """What one retrieval mode returned for every query, before any scoring."""

    mode: str
    run: RunDict  # query id => {doc id: score}
    latency_ms: dict[str, float]  # query id => wall-clock milliseconds
    refused: dict[str, bool] = field(default_factory=dict)  # query id => declined (empty: not measured)
    passage_chars: list[int] = field(default_factory=list)  # length of every returned passage
    notes: dict[str, Any] = field(default_factory=dict)  # e.g. the fusion settings chosen
    # query id => its `answer` sentence gives a gold span (False when refused); empty: not measured
    answers: dict[str, bool] = field(default_factory=dict)
    refusals: dict[str, str] = field(default_factory=dict)  # query id => why it was refused
    # query id => the answer sentence given, {"text", "doc_id", "start", "end"} (none when refused)
    answer_texts: dict[str, dict[str, Any]] = field(default_factory=dict)
    # query id => the abstention rule's confidence (`Result.confidence`); empty: not measured
    confidence: dict[str, float] = field(default_factory=dict)
    min_confidence: float = 0.5  # the threshold the run answered at


@dataclass(frozen=True)
class ModeResult:
    """One mode's figures: means over answerable queries, per kind, and per query."""

    mode: str
    metrics: dict[str, float]
    per_kind: dict[str, dict[str, Any]]  # kind => {"n": ..., metric: mean, "refused_rate": ...}
    abstention: dict[str, float | int | None] | None  # None when refusals were not measured
    # answered and refused shares at higher confidence thresholds; None when not measured
    abstention_curve: list[dict[str, float | None]] | None
    answers: dict[str, float | int | None] | None  # None when answer sentences were not measured
    latency_ms: dict[str, float | None]
    passage_chars_median: float | None
    # query id => {"rank", "rr", metric..., "refused", "refusal" or "answer", "latency_ms"}
    per_query: dict[str, dict[str, Any]]
    notes: dict[str, Any]


@dataclass(frozen=True)
class Evaluation:
    """A whole evaluation: the setup, the queries, and one result per mode that ran."""

    name: str
    setup: dict[str, Any]
    metrics: tuple[str, ...]
    queries: list[Query]
    results: dict[str, ModeResult]
    skipped: dict[str, str] = field(default_factory=dict)  # mode => why it did not run


def summarise(
    queries: Sequence[Query], qrels: Qrels, mode_run: ModeRun, *, metrics: Sequence[str]
) -> ModeResult:
    """Score `mode_run` against `qrels` (answerable queries only) and break the figures down by kind."""
    scored = score_queries(qrels, mode_run.run, metrics)
    # an answerable query no passage can answer (its span fell between chunks) still counts, as a miss
    for q in queries:
        if q.answerable and q.id not in scored:
            scored[q.id] = dict.fromkeys(metrics, 0.0)
    measured = bool(mode_run.refused)
    per_query: dict[str, dict[str, Any]] = {}
    for q in queries:
        row: dict[str, Any] = {"latency_ms": round(mode_run.latency_ms.get(q.id, 0.0), 2)}
        if q.answerable:
            rank = first_relevant_rank(qrels.get(q.id, {}), mode_run.run.get(q.id, {}))
            rr = 0.0 if rank is None else 1 / rank
            row |= {"rank": rank, "rr": round(rr, 4), **{m: round(v, 4) for m, v in scored[q.id].items()}}
        if measured:
            row["refused"] = mode_run.refused.get(q.id, False)
        if row.get("refused") and q.id in mode_run.refusals:
            row["refusal"] = mode_run.refusals[q.id]
        if q.id in mode_run.answer_texts:
            row["answer"] = mode_run.answer_texts[q.id]
        if mode_run.answers and q.answerable:
            row["answer_right"] = mode_run.answers.get(q.id, False)
        per_query[q.id] = row
    answerable = {q.id: scored[q.id] for q in queries if q.answerable}
    return ModeResult(
        mode=mode_run.mode,
        metrics=mean_scores(answerable, metrics),
        per_kind=_per_kind(queries, scored, mode_run.refused, mode_run.answers, metrics),
        abstention=abstention(
            [q.answerable for q in queries], [mode_run.refused.get(q.id, False) for q in queries]
        )
        if measured
        else None,
        abstention_curve=abstention_curve(
            [q.answerable for q in queries],
            [mode_run.confidence.get(q.id, 0.0) for q in queries],
            floor=mode_run.min_confidence,
        )
        if mode_run.confidence
        else None,
        answers=answer_figures(queries, mode_run.answers, mode_run.refused) if mode_run.answers else None,
        latency_ms=latency(mode_run.latency_ms.values()),
        passage_chars_median=median_length(mode_run.passage_chars),
        per_query=per_query,
        notes=mode_run.notes,
    )


def answer_figures(
    queries: Sequence[Query], answers: Mapping[str, bool], refused: Mapping[str, bool]
) -> dict[str, float | int | None]:
    """How often the `answer` sentence is right, over the answerable queries.

    `right` counts a refusal as wrong (what a reader gets); `right_when_answered` leaves refusals
    out (how good the sentence picking is). A share with nothing to divide is None.
    """
    answerable = [q.id for q in queries if q.answerable]
    answered = [q for q in answerable if not refused.get(q, False)]
    right = sum(answers.get(q, False) for q in answerable)
    return {
        "right": right / len(answerable) if answerable else None,
        "right_when_answered": right / len(answered) if answered else None,
        "answered": len(answered),
        "answerable": len(answerable),
    }


def _per_kind(
    queries: Sequence[Query],
    scored: Mapping[str, Mapping[str, float]],
    refused: Mapping[str, bool],
    answers: Mapping[str, bool],
    metrics: Sequence[str],
) -> dict[str, dict[str, Any]]:
    kinds: dict[str, list[Query]] = {}
    for q in queries:
        kinds.setdefault(q.kind, []).append(q)
    table: dict[str, dict[str, Any]] = {}
    for kind, members in sorted(kinds.items()):
        answerable = {q.id: scored[q.id] for q in members if q.answerable}
        row: dict[str, Any] = {"n": len(members), "answerable": len(answerable)}
        if answerable:
            row |= mean_scores(answerable, metrics)
            if answers:
                row["answer_right"] = sum(answers.get(q, False) for q in answerable) / len(answerable)
        if refused:
            row["refused_rate"] = sum(refused.get(q.id, False) for q in members) / len(members)
        table[kind] = row
    return table
