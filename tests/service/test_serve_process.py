"""`alliance-qa serve` as operators run it: real server processes on a free port."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from index.retriever import Index
from tests.conftest import FIXTURE_CORPUS, FakeEmbedder

ROOT = Path(__file__).parents[2]
SERVE = "from service.cli import main; main()"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the fixture corpus; the workers cannot load its model, which /healthz does not need."""
    folder = tmp_path_factory.mktemp("served") / "index"
    Index.build(FIXTURE_CORPUS, folder, embedder=FakeEmbedder())
    return folder


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as sock:
        return int(sock.getsockname()[1])


def serve_env(home: Path, **variables: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALLIANCE_QA_")}
    env.update(
        PYTHONPATH=str(ROOT),
        ALLIANCE_QA_INDEX_DIR=str(home),
        ALLIANCE_QA_CORPUS_DIR=str(FIXTURE_CORPUS),
        ALLIANCE_QA_MODEL_PATH=str(home.parent / "no-model"),  # fails at once: no model is loaded
        ALLIANCE_QA_CACHE_DIR=str(home.parent / "cache"),
        **variables,
    )
    return env


def start(home: Path, *args: str, **variables: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", SERVE, "serve", *args],
        cwd=ROOT,
        env=serve_env(home, **variables),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_healthy(process: subprocess.Popen[str], port: int, *, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"serve exited with {process.returncode}:\n{output}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    pytest.fail("serve did not answer /healthz")


def stop(process: subprocess.Popen[str]) -> str:
    """Stop `serve` as an operator does (TERM) and return what it printed."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output


@pytest.fixture
def servers() -> Iterator[list[subprocess.Popen[str]]]:
    """Every `serve` a test starts, stopped after it whatever happens."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        stop(process)


def test_serve_with_two_workers_restarts_at_once_after_a_keep_alive_client(
    home: Path, servers: list[subprocess.Popen[str]]
) -> None:
    """The restart failed with "is in use" for about 60 s: the closed connections' TIME_WAIT."""
    port = free_port()
    servers.append(first := start(home, "--port", str(port), "--workers", "2"))
    wait_healthy(first, port)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        for _ in range(3):  # one keep-alive connection, held while the server stops
            assert client.get("/healthz").status_code == 200
        stop(first)
    assert first.returncode == 0

    servers.append(second := start(home, "--port", str(port), "--workers", "2"))
    wait_healthy(second, port)
    assert "in use" not in stop(second)


def workers_of(parent: int) -> list[int]:
    """The worker processes `serve` spawned (multiprocessing's `spawn_main` children)."""
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    return [int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def running(pid: int) -> bool:
    """Is `pid` a live process (a zombie, ended but not yet reaped, is not)?"""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads the process tree from /proc")
def test_workers_end_when_serve_is_killed(home: Path, servers: list[subprocess.Popen[str]]) -> None:
    """`kill -9` of serve left its workers serving the port, with no supervisor, for good."""
    port = free_port()
    servers.append(parent := start(home, "--port", str(port), "--workers", "2"))
    wait_healthy(parent, port)
    workers = workers_of(parent.pid)
    assert len(workers) == 2
    try:
        parent.kill()
        parent.wait(timeout=10)
        deadline = time.monotonic() + 30
        while any(running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(running(pid) for pid in workers)
        with pytest.raises(httpx.ConnectError):  # nothing serves the port any more
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
    finally:
        for pid in workers:
            if running(pid):
                os.kill(pid, signal.SIGKILL)


LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) \[\d+\] ")


@pytest.mark.parametrize("level", ["INFO", "error"])
def test_serve_logs_lines_with_time_level_and_worker_and_the_apps_own(
    home: Path, servers: list[subprocess.Popen[str]], level: str
) -> None:
    """Lines had no time or level, and the app's own (here: why it has no index) went unformatted."""
    port = free_port()
    servers.append(process := start(home, "--port", str(port), ALLIANCE_QA_LOG_LEVEL=level))
    wait_healthy(process, port)
    assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
    lines = stop(process).splitlines()

    logged = [line for line in lines if LINE.match(line)]
    assert logged and all(LINE.match(line) for line in lines if not line.startswith(("note:", " ")))
    assert any(" ERROR " in line and "service.app: no index: " in line for line in logged)
    info = [line for line in logged if " INFO " in line]
    if level == "INFO":
        assert any('"GET /healthz HTTP/1.1" 200' in line for line in info)  # uvicorn's access line
    else:
        assert info == []
