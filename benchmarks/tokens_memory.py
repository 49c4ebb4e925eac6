"""Memory and question time of the late-interaction table held in float32 or mapped in float16.

`index/late.py` holds a token table up to `HOLD_LIMIT` in float32 and memory-maps a larger one from
its float16 file. This opens the same index both ways, each in a fresh subprocess, and reports:

- the resident memory the open added (`/proc/self/status` VmRSS, and its anonymous part RssAnon:
  a mapped table's pages are file pages, shared with every other process mapping the file, and
  the kernel can drop them);
- the hybrid question time (`Index.ask`, int8 questions, one thread), median and p95 over every
  question of the set, after one untimed pass;
- whether both ways return the same passages with the same scores (they must: float16 rows cast
  to float32 are the values the held table holds).

    .venv/bin/python benchmarks/tokens_memory.py --index var/index --out benchmarks/results/tokens-memory.json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from _results import machine_at_start, save_report

ROOT = Path(__file__).resolve().parent.parent
MODES = {"held": 2**62, "mapped": 0}  # HOLD_LIMIT for each: every table held, or every table mapped


def status_kb(field: str) -> int:
    """A `/proc/self/status` field, in kB."""
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def child(mode: str, index_dir: Path, questions: Path, rounds: int) -> dict[str, Any]:
    """Open the index with the table `mode` ("held" / "mapped"), then time every question."""
    sys.path.insert(0, str(ROOT))
    import index.late
    from index import Index, load_embedder
    from service.settings import Settings, search_config

    embedder = load_embedder("onnx-int8", cache_dir=ROOT / "var/cache/onnx", threads=1)
    embedder.encode_queries(["warm-up"])
    asked = [
        json.loads(line)["question"] for line in questions.read_text(encoding="utf-8").splitlines() if line
    ]
    index.late.HOLD_LIMIT = MODES[mode]
    rss, anon = status_kb("VmRSS"), status_kb("RssAnon")
    opened = Index.open(index_dir, embedder=embedder, config=search_config(Settings()))
    rss_open, anon_open = status_kb("VmRSS"), status_kb("RssAnon")
    assert opened.tokens is not None, f"{index_dir} has no token table (built with --no-late-interaction)"
    assert opened.tokens.held == (mode == "held")
    hits = [[(h.chunk.chunk_id, h.score) for h in opened.ask(q, k=10).hits] for q in asked]
    times = []
    for _ in range(rounds):
        for question in asked:
            started = time.perf_counter()
            opened.ask(question, k=10)
            times.append((time.perf_counter() - started) * 1000)
    return {
        "mode": mode,
        "table": {
            "pieces": len(opened.tokens.vectors),
            "chunks": opened.tokens.chunks,
            "dtype": str(opened.tokens.vectors.dtype),
            "float32_mb": round(len(opened.tokens.vectors) * opened.tokens.vectors.shape[1] * 4 / 2**20, 1),
        },
        "open_added_rss_mb": round((rss_open - rss) / 1024, 1),
        "open_added_anon_mb": round((anon_open - anon) / 1024, 1),
        "rss_after_questions_mb": round(status_kb("VmRSS") / 1024, 1),
        "anon_after_questions_mb": round(status_kb("RssAnon") / 1024, 1),
        "questions": len(asked),
        "ask_ms_p50": round(float(np.median(times)), 3),
        "ask_ms_p95": round(float(np.percentile(times, 95)), 3),
        "hits": hits,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, default=ROOT / "var/index")
    parser.add_argument("--questions", type=Path, default=ROOT / "evals/questions/alliance.jsonl")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/tokens-memory.json")
    parser.add_argument("--child", choices=sorted(MODES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.index, args.questions, args.rounds)))
        return
    report: dict[str, Any] = {"machine": machine_at_start(), "index": str(args.index), "runs": []}
    for mode in ("held", "mapped", "held", "mapped"):  # alternating: the host drifts
        command = [sys.executable, __file__, "--child", mode, "--index", str(args.index)]
        command += ["--questions", str(args.questions), "--rounds", str(args.rounds)]
        done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
        run = json.loads(done.stdout.strip().splitlines()[-1])
        report["runs"].append(run)
        print(
            f"{mode:6}  table {run['table']['float32_mb']} MB in float32 ({run['table']['dtype']} here)  "
            f"open +{run['open_added_rss_mb']} MB RSS (+{run['open_added_anon_mb']} MB anonymous)  "
            f"ask p50 {run['ask_ms_p50']} ms, p95 {run['ask_ms_p95']} ms"
        )
    same = all(run["hits"] == report["runs"][0]["hits"] for run in report["runs"])
    report["same_passages_and_scores"] = same
    print(f"same passages and scores both ways: {same}")
    for run in report["runs"]:
        del run["hits"]
    save_report(report, args.out)


if __name__ == "__main__":
    main()
