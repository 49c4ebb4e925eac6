"""Question sets, metrics and reports for retrieval evaluation.

    questions.py   load/validate question sets; the span-overlap relevance rule
    beir.py        BEIR folders; document-level dense and BM25 runs; embedding cache
    fusion.py      RRF / weighted fusion of two runs, tuned on a training split
    metrics.py     ranx metrics, abstention, latency, passage length
    evaluation.py  the records an evaluation produces, and per-mode/per-kind summaries
    runner.py      run a question set through an Index, or a BEIR split, per mode
    report.py      report.json, report.md, chart.png and the terminal summary
    compare.py     per-query wins/losses and a paired randomisation test

The command is `alliance-qa eval` (and `alliance-qa eval-compare A B`).
"""

from __future__ import annotations

from evals.compare import Comparison, compare_modes, compare_reports, load_report
from evals.evaluation import Evaluation, ModeResult, ModeRun, Query
from evals.questions import GoldSpan, Question, is_relevant, load_questions
from evals.report import to_json, write_report
from evals.runner import evaluate_beir, evaluate_questions

__all__ = [
    "Comparison",
    "Evaluation",
    "GoldSpan",
    "ModeResult",
    "ModeRun",
    "Query",
    "Question",
    "compare_modes",
    "compare_reports",
    "evaluate_beir",
    "evaluate_questions",
    "is_relevant",
    "load_questions",
    "load_report",
    "to_json",
    "write_report",
]
