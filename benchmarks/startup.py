"""Measure `alliance-qa serve` start-up: process start to the first `/readyz` 200, per embedding backend.

Starts the real command on 127.0.0.1 (a free port) over a built index, polls `/readyz` every 10 ms,
and stops it; one untimed start first (it warms the page cache and, for ONNX, makes sure the export
is cached), then the median of `--runs` timed ones. One more ONNX start and one more torch start
under `-X importtime` say where the time goes: the slowest imports, and the rest (model, index,
freshness check).

    .venv/bin/python benchmarks/startup.py --out benchmarks/results/startup.json

`http_load.py` starts its servers with `Server` from here.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from _results import machine_at_start, save_report

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / ".venv/bin/alliance-qa"
HOST = "127.0.0.1"  # benchmarks never listen on, or send to, anything else
POLL_SECONDS = 0.01
IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)")


def free_port() -> int:
    """A TCP port nothing on 127.0.0.1 listens on right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def get_status(url: str, *, timeout: float = 1.0) -> int | None:
    """The HTTP status of GET `url`, or None if nothing answered."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, ValueError):
        return None


class Server:
    """`alliance-qa serve` in its own process group on a free port; a context manager that stops it."""

    def __init__(
        self,
        *,
        index: Path,
        backend: str,
        workers: int = 1,
        env: dict[str, str] | None = None,
        log: Path | None = None,
    ) -> None:
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log = log or Path(tempfile.mkstemp(prefix="serve-", suffix=".log")[1])
        command = [str(CLI), "serve", "--host", HOST, "--port", str(self.port), "--index", str(index)]
        command += ["--workers", str(workers)]
        environment = {**os.environ, "ALLIANCE_QA_BACKEND": backend, **(env or {})}
        self.started = time.perf_counter()
        with self.log.open("wb") as out:
            # a session of its own: stopping it stops uvicorn's worker processes too, and nothing else
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=environment,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, *, timeout: float = 120.0, workers: int = 1) -> float:
        """Seconds from process start to the first `/readyz` 200 (and `workers` started apps)."""
        deadline = self.started + timeout
        ready_after: float | None = None
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the server exited ({self.process.returncode}): {self.log.read_text()[-2000:]}"
                )
            if ready_after is None and get_status(f"{self.url}/readyz") == 200:
                ready_after = time.perf_counter() - self.started
            if (
                ready_after is not None
                and self.log.read_text().count("Application startup complete") >= workers
            ):
                return ready_after
            time.sleep(POLL_SECONDS)
        raise TimeoutError(f"{self.url} not ready after {timeout} s: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def __enter__(self) -> Server:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def time_start(index: Path, backend: str, *, env: dict[str, str] | None = None) -> tuple[float, Path]:
    """One start: seconds to ready, and the server's log."""
    with Server(index=index, backend=backend, env=env) as server:
        return server.wait_ready(), server.log


def import_profile(index: Path, backend: str) -> dict[str, Any]:
    """Start once under `-X importtime`: total import seconds and the slowest top-level imports."""
    seconds, log = time_start(index, backend, env={"PYTHONPROFILEIMPORTTIME": "1"})
    top: dict[str, float] = {}  # what the program imported itself
    packages: dict[str, float] = {}  # every top-level package, wherever it was first imported
    for line in log.read_text().splitlines():
        match = IMPORT_LINE.match(line)
        if not match:
            continue
        name, cumulative = match.group(4), int(match.group(2)) / 1e6
        if not match.group(3):  # no indent: imported by the program, not by another module
            top[name] = top.get(name, 0.0) + cumulative
        if "." not in name:
            packages[name] = cumulative  # includes what it imported first (nested packages overlap)
    log.unlink(missing_ok=True)

    def slowest(times: dict[str, float]) -> dict[str, float]:
        return {name: round(s, 3) for name, s in sorted(times.items(), key=lambda item: -item[1])[:12]}

    return {
        "ready_s_with_importtime": round(seconds, 3),
        "imports_s": round(sum(top.values()), 3),
        "slowest_top_level_imports_s": slowest(top),
        "slowest_packages_s": slowest(packages),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=Path("var/index"))
    parser.add_argument("--backends", default="onnx,onnx-int8,torch")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--target", type=float, default=5.0, help="seconds")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/startup.json"))
    args = parser.parse_args(argv)
    index = args.index.resolve()
    report: dict[str, Any] = {
        "machine": machine_at_start(),
        "what": "process start of `alliance-qa serve` (1 worker) → first GET /readyz 200; median of runs",
        "index": str(index),
        "target_s": args.target,
        "backends": {},
    }
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        warm, log = time_start(index, backend)  # untimed: page cache, ONNX export
        log.unlink(missing_ok=True)
        runs = []
        for _ in range(args.runs):
            seconds, log = time_start(index, backend)
            log.unlink(missing_ok=True)
            runs.append(round(seconds, 3))
        median = statistics.median(runs)
        report["backends"][backend] = {"runs_s": runs, "median_s": median, "first_start_s": round(warm, 3)}
        print(f"{backend:<10} ready in {median:.2f} s (median of {runs}; untimed first start {warm:.2f} s)")
    report["import_profiles"] = {}
    for backend in [b for b in ("onnx", "torch") if b in report["backends"]]:
        profile = import_profile(index, backend)
        report["import_profiles"][backend] = profile
        print(
            f"{backend} under -X importtime: ready in {profile['ready_s_with_importtime']} s, "
            f"imports {profile['imports_s']} s; slowest packages (nested ones overlap):"
        )
        for name, seconds in list(profile["slowest_packages_s"].items())[:8]:
            print(f"  {name:<24} {seconds:.3f} s")
    save_report(report, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
