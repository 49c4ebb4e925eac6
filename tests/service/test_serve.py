"""`alliance-qa serve`: builds a missing or stale index, then hands uvicorn the app factory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from alliance_qa.errors import InputError
from index.retriever import Index
from service import cli
from service.settings import load_settings
from tests.conftest import FIXTURE_CORPUS, FakeEmbedder


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    """Run `serve` with the fake embedder and uvicorn (one worker or several) replaced by a recorder."""
    calls: dict[str, Any] = {}

    def run(app: str, **kwargs: Any) -> None:
        shared = os.environ.get("ALLIANCE_QA_BALANCE_DIR")
        calls.update(app=app, shared=shared, shared_existed=shared is not None and Path(shared).is_dir())
        calls.update(workers_env=os.environ.get("ALLIANCE_QA_WORKERS"), **kwargs)
        calls.update(metrics_env=os.environ.get("ALLIANCE_QA_METRICS_DIR"))
        calls.update(prometheus_env=os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
        # what each worker's app reads from the environment as it starts (`create_app_from_env`)
        try:
            calls.update(worker_port=load_settings().port)
        except InputError as exc:
            calls.update(worker_port=str(exc))

    def serve_workers(config: Any) -> None:  # `--workers N` (N > 1): one listening socket each
        run(config.app, factory=config.factory, host=config.host, port=config.port, workers=config.workers)

    monkeypatch.setattr("uvicorn.run", run)
    monkeypatch.setattr("service.listen.serve_workers", serve_workers)
    # and no real port is looked at: these tests must not depend on 8000 being free
    monkeypatch.setattr("service.listen.check_free", lambda host, port: None)
    _isolate(monkeypatch, tmp_path)
    return calls


def _refuse_to_start(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, why: str) -> None:
    """`_isolate`, and any uvicorn server, one worker or several, failing the test with `why`."""

    def started(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(why)

    monkeypatch.setattr("uvicorn.run", started)
    monkeypatch.setattr("uvicorn.supervisors.Multiprocess", started)
    _isolate(monkeypatch, tmp_path)


def _isolate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The fake embedder and the fixture corpus; the variables `serve` writes restored afterwards."""
    monkeypatch.setattr(cli, "_embedder", lambda model: FakeEmbedder())
    monkeypatch.setenv("ALLIANCE_QA_CORPUS_DIR", str(FIXTURE_CORPUS))
    # serve hands the index folder to the workers through the environment; restore it afterwards
    monkeypatch.setenv("ALLIANCE_QA_INDEX_DIR", str(tmp_path / "unused"))
    # serve writes ALLIANCE_QA_THREADS too: set then delete it, so the original is put back afterwards
    for name in (
        "ALLIANCE_QA_HOST",
        "ALLIANCE_QA_PORT",
        "ALLIANCE_QA_THREADS",
        "ALLIANCE_QA_WORKERS",
        "ALLIANCE_QA_BALANCE_DIR",
        "ALLIANCE_QA_METRICS_DIR",
        "PROMETHEUS_MULTIPROC_DIR",
        "MALLOC_ARENA_MAX",
    ):
        monkeypatch.setenv(name, "1")
        monkeypatch.delenv(name)


def test_serve_builds_a_missing_index_then_runs_the_factory(
    served: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = tmp_path / "index"
    monkeypatch.setenv("ALLIANCE_QA_INDEX_DIR", str(index_dir))  # the configured index, as make run has it

    result = CliRunner().invoke(cli.main, ["serve", "--port", "8765", "--workers", "2"])

    assert result.exit_code == 0, result.output
    # it is building the index: no advice to run the command that does so
    assert f"building {index_dir} from {FIXTURE_CORPUS}: there is no index there yet" in result.output
    assert "build one with" not in result.output
    assert Index.open(index_dir, embedder=FakeEmbedder()).manifest.chunk_count == 6
    assert served["app"] == "service.app:create_app_from_env"
    assert served["factory"] is True
    assert (served["port"], served["workers"], served["host"]) == (8765, 2, "127.0.0.1")
    assert os.environ["ALLIANCE_QA_INDEX_DIR"] == str(index_dir)
    # the workers shared a folder for their connection counts while they ran; it is gone after
    assert served["workers_env"] == "2"
    assert served["shared_existed"] is True
    assert not Path(served["shared"]).exists()
    # and keep their metrics together, so /metrics answers for the server (prometheus_client's
    # multiprocess mode, switched on by its variable as each worker starts)
    assert served["metrics_env"] == served["prometheus_env"] == str(Path(served["shared"]) / "metrics")


def test_serve_does_not_rebuild_a_fresh_index(
    served: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = tmp_path / "index"
    built = Index.build(FIXTURE_CORPUS, index_dir, embedder=FakeEmbedder())
    monkeypatch.setattr("index.freshness.stale_reasons", lambda *args, **kwargs: [])

    result = CliRunner().invoke(cli.main, ["serve", "--index", str(index_dir)])

    assert result.exit_code == 0, result.output
    assert (index_dir / "current").resolve() == built.folder
    assert served["port"] == 8000
    assert served["shared"] is None  # one worker: nothing to balance


def test_serve_without_corpus_or_index_says_what_to_do(served: dict[str, Any], tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli.main,
        ["serve"],
        env={
            "ALLIANCE_QA_CORPUS_DIR": str(tmp_path / "no-corpus"),
            "ALLIANCE_QA_INDEX_DIR": str(tmp_path / "i"),
        },
    )

    assert result.exit_code == 1
    assert "no-corpus" in result.output
    assert "no such folder" in result.output
    assert served == {}


def test_serve_does_not_build_the_essays_at_a_missing_index_it_is_given(
    served: dict[str, Any], tmp_path: Path
) -> None:
    typo = tmp_path / "idx-mnie"  # `serve --index idx-mnie` for idx-mine: the essays were built there

    result = CliRunner().invoke(cli.main, ["serve", "--index", str(typo)])

    assert result.exit_code == 1 and served == {}
    assert result.output.strip() == (
        f"error: no index at {typo}: build one with `alliance-qa ingest FOLDER --index {typo}` (serve "
        f"builds only {tmp_path / 'unused'}, from {FIXTURE_CORPUS}, when it is missing)"
    )
    assert not typo.exists()


def test_app_factory_reads_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from service.app import create_app_from_env

    monkeypatch.setenv("ALLIANCE_QA_INDEX_DIR", str(tmp_path / "somewhere"))
    monkeypatch.setenv("ALLIANCE_QA_MAX_K", "7")

    settings = create_app_from_env().state.settings

    assert settings.index_dir == tmp_path / "somewhere"
    assert settings.max_k == 7


@pytest.mark.parametrize(
    ("cores", "workers", "threads"), [(2, 1, "2"), (2, 2, "1"), (2, 3, "1"), (8, 2, "4")]
)
def test_serve_shares_the_cores_among_the_workers(
    served: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cores: int,
    workers: int,
    threads: str,
) -> None:
    monkeypatch.setattr("service.settings.available_cores", lambda: cores)
    index_dir = tmp_path / "index"
    Index.build(FIXTURE_CORPUS, index_dir, embedder=FakeEmbedder())

    result = CliRunner().invoke(cli.main, ["serve", "--index", str(index_dir), "--workers", str(workers)])

    assert result.exit_code == 0, result.output
    assert os.environ["ALLIANCE_QA_THREADS"] == threads


def test_serve_keeps_a_configured_thread_count(
    served: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALLIANCE_QA_THREADS", "3")
    index_dir = tmp_path / "index"
    Index.build(FIXTURE_CORPUS, index_dir, embedder=FakeEmbedder())

    result = CliRunner().invoke(cli.main, ["serve", "--index", str(index_dir), "--workers", "2"])

    assert result.exit_code == 0, result.output
    assert os.environ["ALLIANCE_QA_THREADS"] == "3"


@pytest.mark.parametrize(
    ("variables", "arenas", "capped"),
    [
        ({}, "2", [2]),
        ({"ALLIANCE_QA_MALLOC_ARENAS": "4"}, "4", [4]),
        ({"ALLIANCE_QA_MALLOC_ARENAS": "0"}, None, []),  # glibc's default left alone
        ({"MALLOC_ARENA_MAX": "8"}, "8", []),  # a variable already set wins
    ],
)
def test_serve_caps_malloc_arenas_for_itself_and_its_workers(
    served: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    variables: dict[str, str],
    arenas: str | None,
    capped: list[int],
) -> None:
    calls: list[int] = []
    monkeypatch.setattr("service.memory.limit_malloc_arenas", lambda count: calls.append(count) or True)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    index_dir = tmp_path / "index"
    Index.build(FIXTURE_CORPUS, index_dir, embedder=FakeEmbedder())

    result = CliRunner().invoke(cli.main, ["serve", "--index", str(index_dir), "--workers", "2"])

    assert result.exit_code == 0, result.output
    assert os.environ.get("MALLOC_ARENA_MAX") == arenas  # what the worker processes start with
    assert calls == capped  # and this process, one worker


@pytest.mark.parametrize(
    ("workers", "by_variable", "advice"),
    [
        ("1", False, "pass another --port"),
        ("2", False, "pass another --port"),
        # `make run` passes the port in ALLIANCE_QA_PORT: no --port to change there
        ("1", True, "set another ALLIANCE_QA_PORT"),
        ("2", True, "set another ALLIANCE_QA_PORT"),
    ],
)
def test_serve_on_a_port_in_use_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: str, by_variable: bool, advice: str
) -> None:
    import socket

    _refuse_to_start(monkeypatch, tmp_path, "a server started on a port in use")
    index_dir = tmp_path / "index"
    Index.build(FIXTURE_CORPUS, index_dir, embedder=FakeEmbedder())
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = str(taken.getsockname()[1])
        if by_variable:
            monkeypatch.setenv("ALLIANCE_QA_PORT", port)
        result = CliRunner().invoke(
            cli.main,
            ["serve", "--index", str(index_dir), "--workers", workers]
            + ([] if by_variable else ["--port", port]),
        )

    assert result.exit_code == 1
    assert f"127.0.0.1:{port} is in use: stop the server listening there, or {advice}" in result.output
    assert ("--port" in result.output) is not by_variable


@pytest.mark.parametrize(
    ("args", "variables", "named", "why", "advice"),
    [
        (
            [],
            {"ALLIANCE_QA_HOST": "10.99.99.99"},
            "ALLIANCE_QA_HOST=10.99.99.99",
            "is not an address of this machine",
            "set another ALLIANCE_QA_HOST",
        ),
        (
            ["--workers", "2"],
            {"ALLIANCE_QA_HOST": "10.99.99.99"},
            "ALLIANCE_QA_HOST=10.99.99.99",
            "is not an address of this machine",
            "set another ALLIANCE_QA_HOST",
        ),
        (
            [],
            {"ALLIANCE_QA_HOST": "not-a-host.invalid"},
            "ALLIANCE_QA_HOST=not-a-host.invalid",
            "is not a host name this machine resolves",
            "set another ALLIANCE_QA_HOST",
        ),
        (
            ["--host", "10.99.99.99", "--workers", "2"],
            {},
            "--host 10.99.99.99",
            "is not an address of this machine",
            "pass another --host",
        ),
    ],
)
def test_serve_on_a_bad_host_names_the_setting_before_building_an_index(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    variables: dict[str, str],
    named: str,
    why: str,
    advice: str,
) -> None:
    """A traceback (one worker), or "one socket shared by the workers" and exit code 3 (two)."""
    _refuse_to_start(monkeypatch, tmp_path, "a server started on a bad host")
    index_dir = tmp_path / "index"
    monkeypatch.setenv("ALLIANCE_QA_INDEX_DIR", str(index_dir))  # the configured index, missing
    for name, value in variables.items():
        monkeypatch.setenv(name, value)

    result = CliRunner().invoke(cli.main, ["serve", "--port", "8039", *args])

    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"Error: {named} {why} (")
    assert f"{advice}, such as 127.0.0.1 (this machine only), 0.0.0.0 (every interface)" in line
    assert not index_dir.exists()  # said at once, not after building an index


@pytest.mark.parametrize(
    ("variables", "args", "workers", "port"),
    [
        ({"ALLIANCE_QA_WORKERS": "2"}, [], 2, 8000),  # was ignored: one worker
        ({"ALLIANCE_QA_WORKERS": "2"}, ["--workers", "1"], 1, 8000),  # the option wins
        # an option given wins over a bad variable, which used to stop serve
        ({"ALLIANCE_QA_WORKERS": "abc"}, ["--workers", "2"], 2, 8000),
        ({"ALLIANCE_QA_PORT": "abc"}, ["--port", "8031"], 1, 8031),
    ],
)
def test_serve_takes_workers_from_the_environment_and_options_win(
    served: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    variables: dict[str, str],
    args: list[str],
    workers: int,
    port: int,
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    index_dir = tmp_path / "index"
    Index.build(FIXTURE_CORPUS, index_dir, embedder=FakeEmbedder())

    result = CliRunner().invoke(cli.main, ["serve", "--index", str(index_dir), *args])

    assert result.exit_code == 0, result.output
    assert (served["workers"], served["port"]) == (workers, port)
    assert served["workers_env"] == str(workers)  # what each worker's settings read
    # the option stands in for its variable wherever settings are read after (a bad ALLIANCE_QA_PORT
    # stopped `serve --port 8031` when the embedder's settings were read, session 20)
    assert served["worker_port"] == port


def test_serve_with_a_bad_workers_variable_and_no_option_names_it(
    served: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALLIANCE_QA_WORKERS", "abc")

    result = CliRunner().invoke(cli.main, ["serve"])

    assert result.exit_code == 1 and served == {}
    assert result.output.startswith("error: bad setting: ALLIANCE_QA_WORKERS='abc'")
