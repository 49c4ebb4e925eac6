"""Write an evaluation as report.json (every figure), report.md (for people) and chart.png."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alliance_qa.errors import InputError
from evals.compare import Comparison
from evals.evaluation import Evaluation

REPORT_JSON = "report.json"
REPORT_MD = "report.md"
CHART_PNG = "chart.png"
CHART_METRICS = ("hit_rate@1", "hit_rate@5", "mrr@10", "ndcg@10")
SUMMARY_METRICS = ("hit_rate@1", "hit_rate@5", "hit_rate@10", "recall@10", "mrr@10", "ndcg@10")
# per-query fields kept in report.json (the means cover the rest): enough to compare runs query by query
PER_QUERY_FIELDS = (
    "rank",
    "rr",
    "mrr@10",
    "ndcg@10",
    "refused",
    "refusal",
    "answer_right",
    "answer",  # the sentence given and its citation: {"text", "doc_id", "start", "end"}
    "latency_ms",
)
ANSWER_CHARS = 60  # of the answer sentence in report.md's per-query table


def label(metric: str) -> str:
    """A metric name as the tables print it: `hit_rate@5` → `hit@5`."""
    return (
        metric.replace("hit_rate", "hit").replace("recall", "R").replace("mrr", "MRR").replace("ndcg", "nDCG")
    )


def to_json(evaluation: Evaluation) -> dict[str, Any]:
    """The report.json document: setup, per-mode figures, per-kind tables and per-query rows."""
    modes = {
        mode: {
            "metrics": _rounded(result.metrics),
            "per_kind": {kind: _rounded(row) for kind, row in result.per_kind.items()},
            "abstention": None if result.abstention is None else _rounded(result.abstention),
            "abstention_curve": None
            if result.abstention_curve is None
            else [_rounded(row) for row in result.abstention_curve],
            "answers": None if result.answers is None else _rounded(result.answers),
            "latency_ms": _rounded(result.latency_ms, 2),
            "passage_chars_median": result.passage_chars_median,
            "notes": result.notes,
        }
        for mode, result in evaluation.results.items()
    }
    queries = [
        {
            "id": q.id,
            "kind": q.kind,
            "question": q.text,
            "answerable": q.answerable,
            "modes": {
                mode: {f: result.per_query[q.id][f] for f in PER_QUERY_FIELDS if f in result.per_query[q.id]}
                for mode, result in evaluation.results.items()
            },
        }
        for q in evaluation.queries
    ]
    return {
        "name": evaluation.name,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "setup": evaluation.setup,
        "metrics": list(evaluation.metrics),
        "modes": modes,
        "skipped": evaluation.skipped,
        "comparisons": [],
        "queries": queries,
    }


def check_out_dir(out_dir: Path) -> None:
    """Check a report can be written to `out_dir`, so a run fails before it starts, not after
    minutes of evaluating; `InputError` naming the folder otherwise. Leaves no folder behind."""
    import contextlib
    import tempfile

    missing = [folder for folder in (out_dir, *out_dir.parents) if not folder.exists()]  # deepest first
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out_dir):
            pass
    except OSError as exc:
        raise InputError(
            f"{out_dir}: cannot write the report there ({exc.strerror or exc}); pass another --out"
        ) from None
    finally:
        for folder in missing:  # a run that fails later leaves nothing; write_report makes them again
            with contextlib.suppress(OSError):
                folder.rmdir()


def write_report(report: dict[str, Any], comparisons: Sequence[Comparison], out_dir: Path) -> list[Path]:
    """Write report.json, report.md and chart.png into `out_dir`; returns the paths written."""
    check_out_dir(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = {**report, "comparisons": [c.to_json() for c in comparisons]}
    paths = [out_dir / REPORT_JSON, out_dir / REPORT_MD, out_dir / CHART_PNG]
    paths[0].write_text(_dump(report), encoding="utf-8")
    paths[1].write_text(markdown(report), encoding="utf-8")
    write_chart(report, paths[2])
    return paths


def summary_table(report: Mapping[str, Any]) -> str:
    """A few lines for the terminal: each mode's headline figures, latency and abstention."""
    metrics = [m for m in (*SUMMARY_METRICS, "recall@100") if m in report["metrics"]]
    header = ["mode", *map(label, metrics), "p50 ms", "p95 ms", "refusal P/R", "answer"]
    rows = [header]
    for mode, figures in report["modes"].items():
        abst = figures["abstention"]
        refusal = "-" if abst is None else f"{_num(abst['precision'])}/{_num(abst['recall'])}"
        answers = figures.get("answers")  # absent from reports written before the figure existed
        latency = figures["latency_ms"]
        rows.append(
            [
                mode,
                *(_num(figures["metrics"][m]) for m in metrics),
                _num(latency["p50"], 1),
                _num(latency["p95"], 1),
                refusal,
                "-" if not answers else _num(answers["right"]),
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines += [f"skipped {mode}: {why}" for mode, why in report.get("skipped", {}).items()]
    return "\n".join(lines)


def comparison_lines(comparisons: Sequence[Comparison], *, details: bool = False) -> list[str]:
    """One line per comparison (means, wins/losses, p-value); with `details`, the queries that moved."""
    lines = []
    for c in comparisons:
        lines.append(
            f"{c.b} vs {c.a} on {c.metric}: {c.mean_b:.3f} vs {c.mean_a:.3f} "
            f"(Δ {c.mean_b - c.mean_a:+.3f}), {len(c.wins)} wins, {len(c.losses)} losses, "
            f"{c.ties} ties over {c.n} queries, paired randomisation p = {c.p_value:.4f}"
        )
        if c.only_a or c.only_b:  # runs of different question sets: the means are not the reports'
            lines.append(f"  {_left_out(c.to_json())}")
        if c.asked_otherwise:
            lines.append(f"  {_asked_otherwise(c.to_json())}")
        if details:
            lines += [f"  win  {q}: {a:.3f} → {b:.3f}" for q, (a, b) in c.wins.items()]
            lines += [f"  loss {q}: {a:.3f} → {b:.3f}" for q, (a, b) in c.losses.items()]
    return lines


def markdown(report: Mapping[str, Any]) -> str:
    """report.md: setup, modes side by side, per kind, comparisons, then every query."""
    modes = list(report["modes"])
    setup = report["setup"]
    out = [f"# Evaluation: {report['name']}", "", f"Run {report['created_at']}.", ""]
    out += [f"- **{key}**: {_setup_value(value)}" for key, value in setup.items()]
    out += [f"- **skipped {mode}**: {why}" for mode, why in report.get("skipped", {}).items()]
    out += ["", "## Modes side by side", ""]
    if modes:
        figures = report["modes"]
        out += _table(
            ["metric", *modes],
            [[label(m), *(_num(figures[x]["metrics"][m]) for x in modes)] for m in report["metrics"]],
        )
        extra = [
            ["latency p50 (ms)", *(_num(figures[x]["latency_ms"]["p50"], 1) for x in modes)],
            ["latency p95 (ms)", *(_num(figures[x]["latency_ms"]["p95"], 1) for x in modes)],
            ["median passage (chars)", *(_num(figures[x]["passage_chars_median"], 0) for x in modes)],
        ]
        for key in ("precision", "recall", "answered_rate"):
            if any(figures[x]["abstention"] for x in modes):
                extra.append(
                    [f"abstention {key}", *(_num((figures[x]["abstention"] or {}).get(key)) for x in modes)]
                )
        for key, name in (("right", "answer sentence right"), ("right_when_answered", "… when answered")):
            if any(figures[x].get("answers") for x in modes):
                extra.append([name, *(_num((figures[x].get("answers") or {}).get(key)) for x in modes)])
        out += _table(["figure", *modes], extra)
        for mode, notes in ((x, figures[x]["notes"]) for x in modes):
            if notes:
                out += [f"- {mode}: `{json.dumps(notes, ensure_ascii=False)}`"]
        out += [
            "",
            "## Per kind",
            "",
            "MRR@10 / hit@5 over answerable questions; refused = share of the kind refused; answer = share of"
            " its answerable questions whose answer sentence gives a gold span.",
            "",
        ]
        kinds = sorted({k for x in modes for k in figures[x]["per_kind"]})
        rows = []
        for kind in kinds:
            first = figures[modes[0]]["per_kind"][kind]
            cells = [kind, str(first["n"])]
            for x in modes:
                row = figures[x]["per_kind"][kind]
                cell = (
                    f"{_num(row.get('mrr@10'))} / {_num(row.get('hit_rate@5'))}" if "mrr@10" in row else "-"
                )
                if "refused_rate" in row:
                    cell += f" · refused {_num(row['refused_rate'], 2)}"
                if "answer_right" in row:
                    cell += f" · answer {_num(row['answer_right'], 2)}"
                cells.append(cell)
            rows.append(cells)
        out += _table(["kind", "n", *modes], rows)
    curves = {x: report["modes"][x].get("abstention_curve") for x in modes}
    if any(curves.values()):
        out += [
            "",
            "## Abstention at other thresholds",
            "",
            "Answerable questions answered · unanswerable ones refused, had the abstention rule answered"
            " only at this confidence or above (`ALLIANCE_QA_MIN_CONFIDENCE`; 0.5 is the calibrated rule).",
            "",
        ]
        thresholds = sorted({row["threshold"] for curve in curves.values() if curve for row in curve})
        rows = []
        for t in thresholds:
            cells = [_num(t, 2)]
            for x in modes:
                row = next((r for r in curves[x] or [] if r["threshold"] == t), None)
                cells.append(
                    "-"
                    if row is None
                    else f"{_num(row['answered_rate'], 2)} · {_num(row['refused_rate'], 2)}"
                )
            rows.append(cells)
        out += _table(["threshold", *modes], rows)
    if report.get("comparisons"):
        out += [
            "",
            "## Comparisons",
            "",
            "Paired randomisation test (sign flips, two-sided) on the per-query metric.",
            "",
        ]
        rows = [
            [
                c["a"],
                c["b"],
                c["metric"],
                str(c["n"]),
                _num(c["mean_a"]),
                _num(c["mean_b"]),
                _num(c["mean_b"] - c["mean_a"]),
                str(len(c["wins"])),
                str(len(c["losses"])),
                str(c["ties"]),
                _num(c["p_value"], 4),
            ]
            for c in report["comparisons"]
        ]
        out += _table(
            ["baseline", "candidate", "metric", "n", "mean A", "mean B", "Δ", "wins", "losses", "ties", "p"],
            rows,
        )
        out += [f"- {c['b']} vs {c['a']}: {_left_out(c)}" for c in report["comparisons"] if _left_out(c)]
        out += [
            f"- {c['b']} vs {c['a']}: {_asked_otherwise(c)}"
            for c in report["comparisons"]
            if c.get("asked_otherwise")
        ]
        for c in report["comparisons"]:
            for word, cases in (("wins", c["wins"]), ("losses", c["losses"])):
                if cases:
                    shown = ", ".join(
                        # the id in code marks: "6 (1.00→0.63)" read as a count of six (session 20)
                        f"`{q}` ({_num(a, 2)}→{_num(b, 2)})"
                        for q, (a, b) in list(cases.items())[:30]
                    )
                    more = f" … and {len(cases) - 30} more" if len(cases) > 30 else ""
                    out += [f"- {c['b']} vs {c['a']}, {word}: {shown}{more}"]
    answered = _answering_mode(report, modes)
    out += [
        "",
        "## Per query",
        "",
        "Rank of the first relevant passage (— none in the top k); R = refused; × = answered with a"
        " sentence that gives no gold span."
        + (f" The answer is {answered}'s sentence (report.json has each mode's, cited)." if answered else ""),
        "",
    ]
    rows = []
    for row in report["queries"]:
        question = row["question"] if len(row["question"]) <= 70 else row["question"][:69] + "…"
        cells = [row["id"], row["kind"], question.replace("|", "\\|")]
        for x in modes:
            outcome = row["modes"].get(x, {})
            cell = (
                ("—" if outcome.get("rank") is None else str(outcome["rank"])) if row["answerable"] else "n/a"
            )
            wrong = outcome.get("answer_right") is False and not outcome.get("refused")
            cells.append(cell + (" R" if outcome.get("refused") else "") + (" ×" if wrong else ""))
        if answered:
            cells.append(_short_answer(row["modes"].get(answered, {}).get("answer")))
        rows.append(cells)
    out += _table(["id", "kind", "question", *modes, *(["answer"] if answered else [])], rows)
    refusals = [
        [row["id"], row["kind"], "yes" if row["answerable"] else "no", x, row["modes"][x]["refusal"]]
        for x in modes
        for row in report["queries"]
        if row["modes"].get(x, {}).get("refusal")
    ]
    if refusals:
        out += ["", "## Why questions were refused", "", "An answerable question refused is a miss.", ""]
        out += _table(["id", "kind", "answerable", "mode", "refusal"], refusals)
    return "\n".join(out) + "\n"


def _left_out(comparison: Mapping[str, Any]) -> str:
    """What a comparison of runs over different question sets left out, or "" (older reports lack it)."""
    parts = [
        f"{comparison[key]} {'query' if comparison[key] == 1 else 'queries'} scored only by {comparison[side]}"
        for key, side in (("only_a", "a"), ("only_b", "b"))
        if comparison.get(key)
    ]
    if not parts:
        return ""
    return f"left out {' and '.join(parts)}; only the {comparison['n']} both scored are compared"


def _asked_otherwise(comparison: Mapping[str, Any]) -> str:
    """A warning that paired ids ask other questions in the two runs (none in older reports)."""
    ids = list(comparison.get("asked_otherwise") or [])
    if not ids:
        return ""
    shown = ", ".join(ids[:10]) + (" …" if len(ids) > 10 else "")
    return (
        f"warning: {len(ids)} of the {comparison['n']} paired queries {'asks' if len(ids) == 1 else 'ask'} "
        "another question in each run "
        f"({shown}): are both runs of the same question set?"
    )


def _answering_mode(report: Mapping[str, Any], modes: Sequence[str]) -> str | None:
    """The mode whose answers report.md shows: hybrid, the product's default, else the last that
    answered; None for a report without answer sentences (BEIR, or one from before session 17)."""
    given = [m for m in modes if any("answer" in row["modes"].get(m, {}) for row in report["queries"])]
    return "hybrid" if "hybrid" in given else (given[-1] if given else None)


def _short_answer(answer: Mapping[str, Any] | None) -> str:
    """The answer sentence on one line, cut to `ANSWER_CHARS`, for a table cell ("" when refused)."""
    if not answer:
        return ""
    text = " ".join(str(answer["text"]).split())
    if len(text) > ANSWER_CHARS:
        text = text[: ANSWER_CHARS - 1] + "…"
    return text.replace("|", "\\|")


def write_chart(report: Mapping[str, Any], path: Path) -> None:
    """Bars of hit@1, hit@5, MRR@10 and nDCG@10 per mode, as a small PNG."""
    import matplotlib

    matplotlib.use("Agg")  # no display: render straight to a file
    import matplotlib.pyplot as plt

    modes = list(report["modes"])
    metrics = [m for m in CHART_METRICS if m in report["metrics"]]
    figure, axes = plt.subplots(figsize=(7, 3.6), dpi=100)
    width = 0.8 / max(1, len(modes))
    for i, mode in enumerate(modes):
        # a metric over no query (a set of unanswerable questions only) is null: no bar, labelled "-"
        values = [report["modes"][mode]["metrics"][m] for m in metrics]
        positions = [j + (i - (len(modes) - 1) / 2) * width for j in range(len(metrics))]
        bars = axes.bar(positions, [0.0 if v is None else v for v in values], width, label=mode)
        axes.bar_label(bars, labels=[_num(v, 2) for v in values], fontsize=7, padding=1)
    axes.set_xticks(range(len(metrics)), [label(m) for m in metrics])
    axes.set_ylim(0, 1.08)
    axes.set_ylabel("score (0 to 1, higher is better)", fontsize=8)
    setup = report["setup"]
    scored = setup["answerable"] if "answerable" in setup else setup.get("queries")  # 0 is a count too
    axes.set_title(f"{report['name']}: {scored} scored queries")
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)  # clear of the bars
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    figure.savefig(path, bbox_inches="tight")  # keeps the legend beside the axes
    plt.close(figure)


def _dump(report: Mapping[str, Any]) -> str:
    """JSON with one line per query, so a report of hundreds of queries stays small and diffable."""
    marker = "__QUERIES__"
    head = json.dumps({**report, "queries": marker}, indent=1, ensure_ascii=False)
    rows = ",\n  ".join(json.dumps(q, ensure_ascii=False) for q in report["queries"])
    return head.replace(f'"{marker}"', f"[\n  {rows}\n ]" if rows else "[]") + "\n"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return [*lines, *("| " + " | ".join(row) + " |" for row in rows), ""]


def _num(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.{digits}f}"


def _rounded(values: Mapping[str, Any], digits: int = 4) -> dict[str, Any]:
    # NaN (a mean over no queries) is not JSON: write null
    return {
        k: (None if math.isnan(v) else round(v, digits)) if isinstance(v, float) else v
        for k, v in values.items()
    }


def _setup_value(value: Any) -> str:
    if value is None:
        return "none"  # not Python's "None" in a page for people
    if isinstance(value, dict | list):
        return f"`{json.dumps(value, ensure_ascii=False)}`"
    return str(value)
