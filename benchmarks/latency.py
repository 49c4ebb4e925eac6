"""Measure in-process question latency per retrieval mode and embedding backend, stage by stage.

Opens the built index (`var/index`; built with `alliance-qa ingest` if missing) once per backend, in a
fresh subprocess each, and asks every evaluation question (evals/questions/alliance.jsonl, 122) for
several rounds per mode (dense, lexical, hybrid), one question at a time (the model on 1 or 2
threads: `--backends onnx-int8:2,onnx-int8,...`; the default is every core, 2 here), with no
query cache: every question is encoded by the model, as a question never asked before would be. It
then asks the hybrid questions again through the service's query cache (`index/query_cache.py`)
after one pass has filled it: the warm figure, for repeated questions only.

    .venv/bin/python benchmarks/latency.py --out benchmarks/results/latency.json

Reported per backend and mode: wall-clock p50/p90/p99 of `Index.ask` as the caller sees it, the same
call's thread CPU time (what it costs, without time spent waiting for a core the machine gave to
other work), and the median of each stage of `Result.timings_ms`. `--eval` also runs `alliance-qa
eval --split dev --modes hybrid` per backend, since int8 quantisation changes some rankings.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from _results import machine_at_start, save_report

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ("onnx", "onnx-int8", "torch")
# backend[:threads]: what is measured by default; threads default to 1
RUNS = ("onnx-int8:2", "onnx-int8", "onnx", "torch")
MODES = ("dense", "lexical", "hybrid")
STAGES = ("encode", "dense", "lexical", "fuse", "answer", "total")
HEADLINE = ("hybrid", "onnx-int8:2")  # the default: int8 questions, every core (2 here) per encode


def summarise(values: list[float]) -> dict[str, float]:
    """p50/p90/p99/mean/max of `values` (milliseconds), rounded to microseconds."""
    array = np.asarray(values, dtype=np.float64)
    figures = {
        "p50": np.percentile(array, 50),
        "p90": np.percentile(array, 90),
        "p99": np.percentile(array, 99),
        "mean": array.mean(),
        "max": array.max(),
    }
    return {name: round(float(value), 3) for name, value in figures.items()}


def measure(
    index: Any, questions: list[str], *, modes: Sequence[str], rounds: int, k: int
) -> dict[str, dict[str, Any]]:
    """Ask every question `rounds` times in each of `modes`: wall and CPU time per call, median per stage.

    The modes take turns question by question, so a burst of other work on the machine lands on
    all of them alike rather than on whichever mode was running.
    """
    wall: dict[str, list[float]] = {mode: [] for mode in modes}
    cpu: dict[str, list[float]] = {mode: [] for mode in modes}
    stages: dict[str, dict[str, list[float]]] = {mode: {stage: [] for stage in STAGES} for mode in modes}
    for _ in range(rounds):
        for question in questions:
            for mode in modes:
                started, started_cpu = time.perf_counter(), time.thread_time()
                result = index.ask(question, k=k, mode=mode)
                cpu[mode].append((time.thread_time() - started_cpu) * 1000)
                wall[mode].append((time.perf_counter() - started) * 1000)
                for stage in STAGES:
                    stages[mode][stage].append(result.timings_ms.get(stage, 0.0))
    return {
        mode: {
            "queries": len(wall[mode]),
            "wall_ms": summarise(wall[mode]),
            "cpu_ms": summarise(cpu[mode]),
            "stages_p50_ms": {stage: round(statistics.median(v), 3) for stage, v in stages[mode].items()},
        }
        for mode in modes
    }


def parse_run(run: str) -> tuple[str, int]:
    """ "onnx-int8:2" → ("onnx-int8", 2); no count means one thread."""
    backend, _, threads = run.partition(":")
    if backend not in BACKENDS or (threads and not threads.isdigit()):
        raise SystemExit(f"bad run {run!r}: use backend[:threads], backend one of {', '.join(BACKENDS)}")
    return backend, int(threads or 1)


def run_worker(run: str, args: argparse.Namespace) -> dict[str, Any]:
    """One backend and thread count, in this (fresh) process: cold figures per mode, then warm-cache hybrid."""
    from index.embedder import load_embedder
    from index.query_cache import QueryCache
    from index.retriever import Index

    backend, threads = parse_run(run)
    if backend == "torch":
        import torch  # torch's own default is every core: use the same count as the ONNX runs

        torch.set_num_threads(threads)
    questions = [json.loads(line)["question"] for line in args.questions.read_text().splitlines() if line]
    started = time.perf_counter()
    embedder = load_embedder(backend, None, cache_dir=args.cache_dir, threads=threads)
    load_seconds = time.perf_counter() - started
    index = Index.open(args.index, embedder=embedder)
    for mode in MODES:  # warm-up: first calls pay for lazy imports, allocations and page faults
        for question in questions[:20]:
            index.ask(question, k=args.k, mode=mode)
    report: dict[str, Any] = {"threads": threads, "model_load_s": round(load_seconds, 2)}
    report["modes"] = measure(index, questions, modes=MODES, rounds=args.rounds, k=args.k)
    # the top passage of each question, so the parent can compare backends' rankings
    report["top1"] = [index.ask(q, k=args.k, mode="hybrid").hits[0].chunk.chunk_id for q in questions]
    cached = Index.open(args.index, embedder=QueryCache(embedder, size=args.cache_size))
    report["cache_cold_pass"] = measure(cached, questions, modes=["hybrid"], rounds=1, k=args.k)["hybrid"]
    report["cache_warm"] = measure(cached, questions, modes=["hybrid"], rounds=args.rounds, k=args.k)[
        "hybrid"
    ]
    report["cache_warm"]["stats"] = cached.embedder.stats()._asdict()
    return report


def run_eval(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    """`alliance-qa eval --split dev --modes hybrid` with this backend: its hybrid metrics."""
    with tempfile.TemporaryDirectory(prefix="latency-eval-") as out:
        command = [str(ROOT / ".venv/bin/alliance-qa"), "eval", "--split", "dev", "--modes", "hybrid"]
        command += ["--index", str(args.index), "--out", out]
        env = {**os.environ, "ALLIANCE_QA_BACKEND": parse_run(backend)[0]}
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900, check=False)
        if done.returncode != 0:
            return {"error": done.stderr.strip()[-500:]}
        report = json.loads((Path(out) / "report.json").read_text())
    return dict(report["modes"]["hybrid"]["metrics"])


def ensure_index(index: Path) -> None:
    """Build the index with `alliance-qa ingest` if it does not open."""
    from alliance_qa.errors import AllianceQAError
    from index.store import resolve_version

    try:
        resolve_version(index)
    except AllianceQAError:
        print(f"no index at {index}: building it with `alliance-qa ingest`", file=sys.stderr)
        ingest = [str(ROOT / ".venv/bin/alliance-qa"), "ingest", "--out", str(index)]
        subprocess.run(ingest, check=True, timeout=1800)


def print_table(results: dict[str, Any]) -> None:
    print(
        f"{'backend':<12} {'mode':<8} {'p50':>7} {'p99':>7} {'cpu p50':>8}  "
        + " ".join(f"{s:>8}" for s in STAGES)
    )
    for backend, report in results.items():
        rows = [(m, report["modes"][m]) for m in MODES] + [("warm", report["cache_warm"])]
        for mode, figures in rows:
            stages = " ".join(f"{figures['stages_p50_ms'][s]:>8.3f}" for s in STAGES)
            print(
                f"{backend:<12} {mode:<8} {figures['wall_ms']['p50']:>7.2f} {figures['wall_ms']['p99']:>7.2f} "
                f"{figures['cpu_ms']['p50']:>8.2f}  {stages}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=Path("var/index"))
    parser.add_argument("--questions", type=Path, default=Path("evals/questions/alliance.jsonl"))
    parser.add_argument("--backends", default=",".join(RUNS), help="backend[:threads], comma-separated")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the questions per mode")
    parser.add_argument("-k", dest="k", type=int, default=5, help="passages per question (the API default)")
    parser.add_argument("--cache-dir", type=Path, default=Path("var/cache/onnx"), help="ONNX exports")
    parser.add_argument("--cache-size", type=int, default=1024, help="query cache entries (warm figures)")
    parser.add_argument("--eval", action="store_true", help="also run the dev-split hybrid eval per backend")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/latency.json"))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        json.dump(run_worker(args.worker, args), sys.stdout)
        return 0

    ensure_index(args.index)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    for run in backends:
        parse_run(run)
    from index.manifest import Manifest
    from index.store import resolve_version

    folder = resolve_version(args.index)
    manifest = Manifest.read(folder)
    report: dict[str, Any] = {
        "machine": {**machine_at_start(), "python": platform.python_version()},
        "index": {"folder": str(folder), "chunks": manifest.chunk_count, "sentences": manifest.sentences},
        "settings": {"rounds": args.rounds, "k": args.k, "query_cache": "off unless 'warm'"},
        "backends": {},
    }
    for backend in backends:
        print(f"measuring {backend} …", file=sys.stderr)
        worker = [sys.executable, __file__, "--worker", backend, "--index", str(args.index)]
        worker += ["--questions", str(args.questions), "--rounds", str(args.rounds), "-k", str(args.k)]
        worker += ["--cache-dir", str(args.cache_dir), "--cache-size", str(args.cache_size)]
        done = subprocess.run(worker, capture_output=True, text=True, timeout=1800, check=False)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        report["backends"][backend] = json.loads(done.stdout)
    reference = report["backends"].get("onnx", {}).get("top1")
    for figures in report["backends"].values():
        top1 = figures.pop("top1")
        if reference is not None:
            figures["hybrid_top1_same_as_onnx"] = sum(a == b for a, b in zip(top1, reference, strict=True))
            figures["questions"] = len(top1)
    if args.eval:  # rankings do not depend on the thread count: one eval per backend
        report["eval_dev_hybrid"] = {
            b: run_eval(b, args) for b in dict.fromkeys(parse_run(r)[0] for r in backends)
        }
    mode, backend = HEADLINE
    if backend in report["backends"]:
        report["headline"] = {
            "what": f"{mode} mode, {backend} backend, cold (every question encoded), p50 wall ms",
            "p50_ms": report["backends"][backend]["modes"][mode]["wall_ms"]["p50"],
        }
    print_table(report["backends"])
    for backend, figures in report["backends"].items():
        if "hybrid_top1_same_as_onnx" in figures:
            print(
                f"{backend}: hybrid top-1 same as onnx for {figures['hybrid_top1_same_as_onnx']}/{figures['questions']}"
            )
    for backend, metrics in report.get("eval_dev_hybrid", {}).items():
        print(f"eval dev hybrid, {backend}: {metrics}")
    save_report(report, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
