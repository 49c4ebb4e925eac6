"""Soak the real service: mixed reads at high concurrency while documents are written and removed.

Starts `alliance-qa serve` on 127.0.0.1 over a fresh index of corpus/ (built in a temporary folder),
then for --seconds runs --concurrency readers (POST /v1/ask, POST /v1/search with the eval questions,
GET /v1/documents/{id}) while a writer PUTs a synthetic document, replaces it, and DELETEs it, one
write every --write-every seconds. It checks that

- every response is a 2xx, except a 404 for the synthetic document while it is absent;
- every cited passage (and answer) quotes a text its document has had, exactly: for the citation's
  doc_sha256 the text with that hash is known (the corpus never changes; the writer records each
  text it sends before sending it), and text[start:end] == the quoted text;

and reports throughput, latency, writes, and the server's resident memory at the start and the end.
Traffic goes to 127.0.0.1 only; the run is bounded by --seconds and --max-requests.

    .venv/bin/python benchmarks/soak.py --seconds 60 --workers 1,2 --out benchmarks/results/soak.json
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "evals" / "questions" / "alliance.jsonl"
SYNTHETIC_ID = "soak-note"
MODES = ("hybrid", "hybrid", "dense", "lexical")  # the default, mostly


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def rss_kib(pid: int) -> int:
    """VmRSS of one process, in KiB (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants (uvicorn's workers are children of the serving process)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return sorted(tree)


def memory(pid: int) -> dict[str, Any]:
    """Resident memory of the server and its workers, in MiB."""
    per = {p: rss_kib(p) for p in process_tree(pid)}
    return {
        "total_mib": round(sum(per.values()) / 1024, 1),
        "per_process_mib": {str(p): round(k / 1024, 1) for p, k in per.items()},
    }


async def sample_memory(
    pid: int, *, timeline: list[tuple[float, float]], deadline: float, every: float
) -> None:
    """Record the server's total RSS every `every` seconds: growth that levels off is warm-up, not a leak."""
    started = time.monotonic()
    while time.monotonic() < deadline:
        timeline.append((round(time.monotonic() - started, 1), memory(pid)["total_mib"]))
        await asyncio.sleep(every)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Tally:
    """What the readers and the writer saw."""

    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)  # first few, for the report
    error_count: int = 0
    expected_404: int = 0
    citations_ok: int = 0
    citations_failed: int = 0
    citation_failures: list[str] = field(default_factory=list)
    synthetic_cited: int = 0
    writes: Counter[str] = field(default_factory=Counter)
    write_latencies_ms: list[float] = field(default_factory=list)
    requests: int = 0

    def error(self, what: str) -> None:
        self.error_count += 1
        if len(self.errors) < 20:
            self.errors.append(what)


class Known:
    """Every text each document has had, by hash: what a citation may quote."""

    def __init__(self) -> None:
        self.texts: dict[str, dict[str, str]] = {}

    def add(self, doc_id: str, text: str) -> None:
        self.texts.setdefault(doc_id, {})[sha256(text)] = text

    def check(self, cited: dict[str, Any], quoted: str) -> str | None:
        """None if `quoted` is exactly the cited span of a known text, else what is wrong."""
        versions = self.texts.get(cited["doc_id"])
        if versions is None:
            return f"unknown document {cited['doc_id']!r}"
        text = versions.get(cited["doc_sha256"])
        if text is None:
            return f"{cited['doc_id']}: no known text has sha256 {cited['doc_sha256'][:12]}"
        if text[cited["start"] : cited["end"]] != quoted:
            return f"{cited['doc_id']}[{cited['start']}:{cited['end']}] does not match the quoted text"
        return None


def synthetic_text(serial: int, quotes: list[str], rng: random.Random) -> str:
    """A document close to the eval questions (so answers cite it), different every time."""
    body = " ".join(rng.sample(quotes, 3))
    return f"Soak note {serial}\n\nRevision {serial} of a synthetic note. {body}\n\nIt ends here ({rng.random():.6f}).\n"


async def reader(
    client: httpx.AsyncClient,
    *,
    questions: list[str],
    corpus_ids: list[str],
    known: Known,
    tally: Tally,
    deadline: float,
    budget: list[int],
    rng: random.Random,
) -> None:
    while time.monotonic() < deadline and budget[0] > 0:
        budget[0] -= 1
        roll = rng.random()
        if roll < 0.45:
            op, method, url = "ask", "POST", "/v1/ask"
        elif roll < 0.80:
            op, method, url = "search", "POST", "/v1/search"
        else:
            doc_id = SYNTHETIC_ID if rng.random() < 0.25 else rng.choice(corpus_ids)
            op, method, url = "document", "GET", f"/v1/documents/{doc_id}"
        body = None
        if op != "document":
            question = rng.choice(questions)
            if rng.random() < 0.5:  # a question never asked before: no query-cache hit
                question = f"{question} ({rng.randrange(10**9)})"
            body = {"question": question, "k": 5, "mode": rng.choice(MODES)}
        started = time.perf_counter()
        try:
            response = await client.request(method, url, json=body)
        except httpx.HTTPError as exc:
            tally.requests += 1
            tally.error(f"{method} {url}: {type(exc).__name__}: {exc}")
            continue
        tally.requests += 1
        tally.latencies_ms.setdefault(op, []).append((time.perf_counter() - started) * 1000)
        tally.statuses[f"{op} {response.status_code}"] += 1
        if op == "document" and response.status_code == 404 and url.endswith(SYNTHETIC_ID):
            tally.expected_404 += 1
            continue
        if not 200 <= response.status_code < 300:
            tally.error(f"{method} {url}: {response.status_code} {response.text[:200]}")
            continue
        payload = response.json()
        if op == "document":
            problem = known.check(
                {
                    "doc_id": payload["doc_id"],
                    "doc_sha256": payload["sha256"],
                    "start": 0,
                    "end": len(payload["text"]),
                },
                payload["text"],
            )
            pairs = [(problem, payload["doc_id"])]
        else:
            cited = [(p["citation"], p["text"]) for p in payload["passages"]]
            if payload.get("answer"):
                cited.append((payload["answer"]["citation"], payload["answer"]["text"]))
            pairs = [(known.check(c, quoted), c["doc_id"]) for c, quoted in cited]
        for problem, doc_id in pairs:
            if problem is None:
                tally.citations_ok += 1
                tally.synthetic_cited += doc_id == SYNTHETIC_ID
            else:
                tally.citations_failed += 1
                if len(tally.citation_failures) < 20:
                    tally.citation_failures.append(f"{op}: {problem}")


async def writer(
    client: httpx.AsyncClient,
    *,
    key: str,
    quotes: list[str],
    known: Known,
    tally: Tally,
    deadline: float,
    every: float,
    rng: random.Random,
) -> None:
    """Add, replace, remove the synthetic document: a write starts every `every` seconds.

    A write that takes longer than `every` delays the next one (writes never overlap).
    """
    auth = {"Authorization": f"Bearer {key}"}
    serial = 0
    cycle = ("add", "replace", "delete")
    next_at = time.monotonic() + every
    while next_at < deadline and time.monotonic() < deadline:
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        next_at += every
        step = cycle[tally.writes.total() % len(cycle)]
        started = time.perf_counter()
        if step == "delete":
            response = await client.delete(f"/v1/documents/{SYNTHETIC_ID}", headers=auth)
            ok = response.status_code == 204
        else:
            serial += 1
            text = synthetic_text(serial, quotes, rng)
            known.add(SYNTHETIC_ID, text)  # before it can be served
            response = await client.put(
                f"/v1/documents/{SYNTHETIC_ID}", json={"text": text}, headers=auth, timeout=120
            )
            ok = response.status_code == 200 and response.json()["sha256"] == sha256(text)
        tally.write_latencies_ms.append((time.perf_counter() - started) * 1000)
        tally.writes[step] += 1
        if not ok:
            tally.error(f"write {step}: {response.status_code} {response.text[:200]}")


def start_server(*, workers: int, port: int, home: Path, key: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ALLIANCE_QA_API_KEY": key,
        "ALLIANCE_QA_CORPUS_DIR": str(ROOT / "corpus"),
        "ALLIANCE_QA_CACHE_DIR": str(ROOT / "var" / "cache"),  # reuse the ONNX export
        # the configured index, not --index: serve builds only that one when it is missing
        "ALLIANCE_QA_INDEX_DIR": str(home),
    }
    command = [
        str(Path(sys.executable).parent / "alliance-qa"),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    with log.open("wb") as out:
        # its own session, so stopping it stops its workers too
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


async def wait_ready(base: str, server: subprocess.Popen[bytes], log: Path, *, timeout: float) -> float:
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=base, timeout=5) as client:
        while time.monotonic() - started < timeout:
            if server.poll() is not None:
                raise SystemExit(f"the server exited ({server.returncode}):\n{log.read_text()[-3000:]}")
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
    raise SystemExit(f"the server was not ready after {timeout:.0f} s:\n{log.read_text()[-3000:]}")


async def soak(args: argparse.Namespace, workers: int) -> dict[str, Any]:
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = [r["question"] for r in rows]
    quotes = [g["quote"] for r in rows for g in r.get("gold", [])]
    rng = random.Random(args.seed)
    key = secrets.token_urlsafe(24)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    scratch = Path(tempfile.mkdtemp(prefix="alliance-qa-soak-"))
    log = scratch / "server.log"
    server = start_server(workers=workers, port=port, home=scratch / "index", key=key, log=log)
    try:
        ready_s = await wait_ready(base, server, log, timeout=args.ready_timeout)
        # idle connections expire before uvicorn's 5 s keep-alive closes them: with both at 5 s, a
        # request can go out on a connection the server is closing, and fail with a ReadError
        limits = httpx.Limits(
            max_connections=args.concurrency + 2,
            max_keepalive_connections=args.concurrency + 2,
            keepalive_expiry=2.0,
        )
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
            known = Known()
            corpus_ids = [d["doc_id"] for d in (await client.get("/v1/documents")).json()]
            for doc_id in corpus_ids:
                known.add(doc_id, (await client.get(f"/v1/documents/{doc_id}")).json()["text"])
            for question in questions[:20]:  # warm-up: first calls load lazily, they are not the soak
                await client.post("/v1/ask", json={"question": question})
            memory_start = memory(server.pid)
            load_start = os.getloadavg()
            tally = Tally()
            budget = [args.max_requests]
            started = time.monotonic()
            deadline = started + args.seconds
            readers = [
                reader(
                    client,
                    questions=questions,
                    corpus_ids=corpus_ids,
                    known=known,
                    tally=tally,
                    deadline=deadline,
                    budget=budget,
                    rng=random.Random(rng.random()),
                )
                for _ in range(args.concurrency)
            ]
            writing = writer(
                client,
                key=key,
                quotes=quotes,
                known=known,
                tally=tally,
                deadline=deadline,
                every=args.write_every,
                rng=rng,
            )
            timeline: list[tuple[float, float]] = []
            sampling = sample_memory(
                server.pid, timeline=timeline, deadline=deadline, every=args.seconds / 12
            )
            await asyncio.gather(*readers, writing, sampling)
            elapsed = time.monotonic() - started
            memory_end = memory(server.pid)
            load_end = os.getloadavg()
            versions = len(list((scratch / "index" / "versions").glob("[!.]*")))
    finally:
        stop_server(server)
    log_text = log.read_text(errors="replace")
    all_ms = [ms for values in tally.latencies_ms.values() for ms in values]
    result = {
        "workers": workers,
        "seconds": round(elapsed, 1),
        "concurrency": args.concurrency,
        "ready_after_s": round(ready_s, 1),
        "requests": tally.requests,
        "errors": tally.error_count,
        "expected_404": tally.expected_404,
        "requests_per_s": round(tally.requests / elapsed, 1),
        "latency_ms": {
            "all": {"p50": round(percentile(all_ms, 0.5), 1), "p99": round(percentile(all_ms, 0.99), 1)},
            **{
                op: {
                    "n": len(ms),
                    "p50": round(percentile(ms, 0.5), 1),
                    "p99": round(percentile(ms, 0.99), 1),
                }
                for op, ms in sorted(tally.latencies_ms.items())
            },
        },
        "statuses": dict(sorted(tally.statuses.items())),
        "writes": dict(tally.writes),
        "writes_done": tally.writes.total(),
        "write_latency_ms": {
            "p50": round(percentile(tally.write_latencies_ms, 0.5), 1),
            "max": round(max(tally.write_latencies_ms, default=0), 1),
        },
        "synthetic_texts": len(known.texts.get(SYNTHETIC_ID, {})),
        "citations": {
            "passed": tally.citations_ok,
            "failed": tally.citations_failed,
            "of_synthetic_document": tally.synthetic_cited,
        },
        "memory_start": memory_start,
        "memory_end": memory_end,
        "memory_growth_mib": round(memory_end["total_mib"] - memory_start["total_mib"], 1),
        "memory_timeline_mib": [*timeline, (round(elapsed, 1), memory_end["total_mib"])],
        "index_versions_on_disk_at_end": versions,
        "server_log_tracebacks": log_text.count("Traceback"),
        "load_average": {"start": [round(x, 2) for x in load_start], "end": [round(x, 2) for x in load_end]},
        "first_errors": tally.errors,
        "first_citation_failures": tally.citation_failures,
    }
    if tally.error_count or tally.citations_failed:
        result["server_log"] = str(log)  # kept for a look at what went wrong
    else:
        shutil.rmtree(scratch, ignore_errors=True)
    return result


def summary(run: dict[str, Any]) -> str:
    lat = run["latency_ms"]["all"]
    mem0, mem1 = run["memory_start"]["total_mib"], run["memory_end"]["total_mib"]
    return (
        f"workers {run['workers']}: {run['requests']} requests in {run['seconds']} s "
        f"({run['requests_per_s']} req/s), errors {run['errors']} (+{run['expected_404']} expected 404), "
        f"p50 {lat['p50']} ms, p99 {lat['p99']} ms; writes {run['writes_done']} {run['writes']}; "
        f"citations passed {run['citations']['passed']} failed {run['citations']['failed']} "
        f"({run['citations']['of_synthetic_document']} of the synthetic document); "
        f"RSS {mem0} -> {mem1} MiB ({run['memory_growth_mib']:+} MiB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long each soak runs")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent readers")
    parser.add_argument("--workers", default="1", help="uvicorn workers; a comma list runs one soak each")
    parser.add_argument("--write-every", type=float, default=2.0, help="seconds between writes")
    parser.add_argument("--max-requests", type=int, default=200_000, help="stop reading after this many")
    parser.add_argument("--ready-timeout", type=float, default=600.0, help="seconds to wait for /readyz")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None, help="write the results JSON here")
    args = parser.parse_args()
    runs = []
    for workers in [int(w) for w in args.workers.split(",")]:
        run = asyncio.run(soak(args, workers))
        print(summary(run), flush=True)
        runs.append(run)
    report = {
        "command": "benchmarks/soak.py " + " ".join(sys.argv[1:]),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "httpx": httpx.__version__},
        "runs": runs,
    }
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    failed = any(r["errors"] or r["citations"]["failed"] for r in runs)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
