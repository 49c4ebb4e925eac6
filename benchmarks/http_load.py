"""Load-test `alliance-qa serve` over HTTP with wrk: requests/s, p50/p99 and errors per concurrency.

Starts the real server on 127.0.0.1 (a free port; 1 worker, then 2), checks every evaluation question
answers 200, then drives `POST /v1/ask` (hybrid, k=5) with Debian's `wrk` at each concurrency for
`--duration` seconds, rotating through the 122 evaluation questions (a Lua script; each wrk thread
starts at another question). Only 127.0.0.1 is ever contacted; every run is bounded in time.

    apt-get install -y wrk
    .venv/bin/python benchmarks/http_load.py --out benchmarks/results/http.json

The headline runs have the service's query cache off (`ALLIANCE_QA_QUERY_CACHE_SIZE=0`), so every
request encodes its question, as distinct questions would; with the cache on, the 122 questions
are all cached after the first pass, which is the figure for repeated questions only (`--warm`).
Besides wrk's figures, each run records the CPU the server's processes and wrk itself used (in
cores), since on a 2-core machine the load generator competes with the server.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from _results import machine_at_start, save_report
from latency import ensure_index
from startup import HOST, Server

WRK_THREADS = 2
RESULT = re.compile(r"^RESULT (\{.*\})$", re.MULTILINE)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# wrk's Lua: rotate through the bodies; `done` prints one JSON line the script parses
LUA = """
local bodies = {%(bodies)s}
local counter = 0
local offset = 0
local next_id = 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end
function init(args)
  offset = (id * 37) %% #bodies
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
function request()
  counter = counter + 1
  return wrk.format(nil, "/v1/ask", nil, bodies[((offset + counter) %% #bodies) + 1])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, "write": %%d, ' ..
    '"status": %%d, "timeout": %%d, "p50_us": %%d, "p90_us": %%d, "p99_us": %%d, "mean_us": %%.1f, ' ..
    '"max_us": %%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max))
end
"""


def lua_script(questions: list[str], k: int) -> str:
    bodies = [json.dumps({"question": q, "k": k, "mode": "hybrid"}) for q in questions]  # ASCII only
    return LUA % {"bodies": ",\n".join(f"[==[{body}]==]" for body in bodies)}


def group_cpu_seconds(group: int) -> float:
    """User + system CPU seconds of every live process in process group `group`."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[2]) == group:  # pgrp; utime and stime follow at 11 and 12
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def machine_busy_seconds() -> float:
    """CPU seconds every process on the machine has used since boot (all cores, from /proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


def check_answers(url: str, questions: list[str], k: int) -> float:
    """POST every question once (sequentially); each must answer 200. Seconds taken."""
    started = time.perf_counter()
    for question in questions:
        body = json.dumps({"question": question, "k": k, "mode": "hybrid"}).encode()
        request = urllib.request.Request(
            f"{url}/v1/ask", data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            if response.status != 200 or "passages" not in json.loads(response.read()):
                raise RuntimeError(f"{question!r}: HTTP {response.status}")
    return time.perf_counter() - started


def connections_per_worker(url: str) -> list[int] | None:
    """Established connections to the server's port per process, most first (None without `ss`)."""
    if shutil.which("ss") is None:
        return None
    port = url.rsplit(":", 1)[1]
    listed = subprocess.run(
        ["ss", "-tnpH", "state", "established", f"( sport = :{port} )"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    owners = re.findall(r"pid=(\d+)", listed)
    return sorted((owners.count(pid) for pid in set(owners)), reverse=True)


def run_wrk(url: str, script: Path, *, connections: int, duration: int, group: int) -> dict[str, Any]:
    """One wrk run at `connections`; its figures plus the CPU the server group and wrk used."""
    threads = min(WRK_THREADS, connections)
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--timeout", "5s"]
    command += ["--latency", "-s", str(script), f"{url}/v1/ask"]
    server_before = group_cpu_seconds(group)
    wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy_before = machine_busy_seconds()
    started = time.perf_counter()
    load = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(duration / 2)
    split = connections_per_worker(url)  # halfway through: how the kernel (and the balancer) spread them
    stdout, stderr = load.communicate(timeout=duration + 60)
    done = subprocess.CompletedProcess(command, load.returncode, stdout, stderr)
    wall = time.perf_counter() - started
    wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu = group_cpu_seconds(group) - server_before
    busy = machine_busy_seconds() - busy_before
    found = RESULT.search(done.stdout)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}\n{done.stderr}")
    raw = json.loads(found.group(1))
    errors = {name: raw[name] for name in ("connect", "read", "write", "status", "timeout")}
    seconds = raw["duration_us"] / 1e6
    wrk_cpu = (wrk_after.ru_utime - wrk_before.ru_utime) + (wrk_after.ru_stime - wrk_before.ru_stime)
    return {
        "connections": connections,
        "wrk_threads": threads,
        "requests": raw["requests"],
        "requests_per_s": round(raw["requests"] / seconds, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p90_ms": round(raw["p90_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "mean_ms": round(raw["mean_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "errors": sum(errors.values()),  # non-2xx/3xx answers plus socket errors and timeouts
        "connections_per_worker": split,
        "error_kinds": errors,
        "server_cpu_cores": round(server_cpu / wall, 2),
        "server_cpu_ms_per_request": round(server_cpu * 1000 / max(raw["requests"], 1), 2),
        "wrk_cpu_cores": round(wrk_cpu / wall, 2),
        # everything else on the machine meanwhile (other people's jobs): cores the server could not use
        "other_cpu_cores": round(max(0.0, busy - server_cpu - wrk_cpu) / wall, 2),
        "load_average_after": os.getloadavg()[0],
    }


def run_scenario(
    args: argparse.Namespace, script: Path, questions: list[str], *, backend: str, workers: int, cache: bool
) -> dict[str, Any]:
    """Start a server, check it, warm it up, run every concurrency, stop it."""
    env = {"ALLIANCE_QA_ACCESS_LOG": "false"} | ({} if cache else {"ALLIANCE_QA_QUERY_CACHE_SIZE": "0"})
    with Server(index=args.index, backend=backend, workers=workers, env=env) as server:
        ready = server.wait_ready(workers=workers)
        checked = check_answers(server.url, questions, args.k)  # with the cache on, this fills it
        run_wrk(server.url, script, connections=4, duration=2, group=server.process.pid)  # warm-up
        runs = []
        for connections in [c for c in args.concurrency for _ in range(args.repeat)]:
            figures = run_wrk(
                server.url, script, connections=connections, duration=args.duration, group=server.process.pid
            )
            runs.append(figures)
            print(
                f"{backend:<10} workers {workers} cache {'on ' if cache else 'off'} c={connections:<3} "
                f"{figures['requests_per_s']:>7.1f} req/s  p50 {figures['p50_ms']:>6.2f} ms  "
                f"p99 {figures['p99_ms']:>7.2f} ms  errors {figures['errors']}  "
                f"split {figures['connections_per_worker']}  "
                f"server {figures['server_cpu_cores']:.2f} cores, wrk {figures['wrk_cpu_cores']:.2f}, "
                f"others {figures['other_cpu_cores']:.2f}",
                flush=True,
            )
    server.log.unlink(missing_ok=True)
    return {
        "backend": backend,
        "workers": workers,
        "query_cache": "on (warm: every question cached)" if cache else "off (every question encoded)",
        "ready_s": round(ready, 2),
        "sequential_check_s": round(checked, 2),
        "runs": runs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=Path("var/index"))
    parser.add_argument("--questions", type=Path, default=Path("evals/questions/alliance.jsonl"))
    parser.add_argument("--backends", default="onnx,onnx-int8")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--concurrency", default="1,4,16,64")
    parser.add_argument("--duration", type=int, default=10, help="seconds per concurrency level")
    parser.add_argument("-k", dest="k", type=int, default=5)
    parser.add_argument("--warm", action="store_true", help="also run with the query cache on (warm)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per concurrency level (p99 varies)")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/http.json"))
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print(
            "wrk is not installed: `apt-get install -y wrk` (Debian/Ubuntu; prefix sudo if not root), "
            "then run this again",
            file=sys.stderr,
        )
        return 2
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    args.index = args.index.resolve()
    ensure_index(args.index)
    questions = [json.loads(line)["question"] for line in args.questions.read_text().splitlines() if line]
    version = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    report: dict[str, Any] = {
        "machine": machine_at_start(),
        "wrk": (version.stdout or version.stderr).splitlines()[0],
        "request": f"POST /v1/ask {{question, k: {args.k}, mode: hybrid}}, the {len(questions)} eval questions in turn",
        "duration_s": args.duration,
        "host": HOST,
        "scenarios": [],
    }
    with tempfile.TemporaryDirectory(prefix="http-load-") as scratch:
        script = Path(scratch) / "ask.lua"
        script.write_text(lua_script(questions, args.k))
        for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
            for workers in [int(w) for w in args.workers.split(",")]:
                for cache in (False, True) if args.warm else (False,):
                    scenario = run_scenario(
                        args, script, questions, backend=backend, workers=workers, cache=cache
                    )
                    report["scenarios"].append(scenario)
    save_report(report, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
