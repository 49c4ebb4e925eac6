"""What `serve` logs: a line naming the document of each write, and the log level setting."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from alliance_qa.errors import InputError
from service.logs import log_config
from service.settings import load_settings
from tests.service.test_writes import AUTH, KEY, NEW_DOC, writable_client


def test_each_write_logs_its_document_and_never_the_key_or_the_text(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The access line said `POST /v1/documents 201`: no record of which document changed."""
    caplog.set_level(logging.INFO, logger="service.writes")
    for client in writable_client(tmp_path, api_key=KEY):
        assert client.post("/v1/documents", json=NEW_DOC, headers=AUTH).status_code == 201
        replaced = {**NEW_DOC, "text": "The River Accord\n\nIt was signed twice.\n"}
        assert client.put("/v1/documents/river-accord", json=replaced, headers=AUTH).status_code == 200
        assert client.delete("/v1/documents/river-accord", headers=AUTH).status_code == 204
        assert client.delete("/v1/documents/river-accord", headers=AUTH).status_code == 404
        assert client.post("/v1/documents", json=NEW_DOC).status_code == 401
        _check_written(client, caplog)


def _check_written(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    lines = [r.getMessage() for r in caplog.records if r.name == "service.writes"]
    assert lines == [
        "added document 'river-accord' (POST /v1/documents 201)",
        "replaced or added document 'river-accord' (PUT /v1/documents/river-accord 200)",
        "removed document 'river-accord' (DELETE /v1/documents/river-accord 204)",
    ]  # refused writes changed nothing, and are in the access log
    everything = caplog.text
    assert KEY not in everything and "Tamsin" not in everything and "signed twice" not in everything


@pytest.mark.parametrize(("value", "level"), [("WARNING", "warning"), ("debug", "debug"), (" Info ", "info")])
def test_the_log_level_setting_takes_either_case(
    monkeypatch: pytest.MonkeyPatch, value: str, level: str
) -> None:
    monkeypatch.setenv("ALLIANCE_QA_LOG_LEVEL", value)
    assert load_settings().log_level == level
    config = log_config(level)
    assert config["loggers"]["uvicorn"]["level"] == config["loggers"]["service"]["level"] == level.upper()


def test_a_bad_log_level_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLIANCE_QA_LOG_LEVEL", "loud")
    with pytest.raises(InputError, match="ALLIANCE_QA_LOG_LEVEL='loud'"):
        load_settings()


SERVER_PROCESS = """
import multiprocessing
import signal
import sys

from tqdm import tqdm

multiprocessing.set_start_method("spawn")  # as in a worker: its locks are named and tracked

if sys.argv[1] == "built-first":  # a bar in this process before the app: its lock is dropped
    list(tqdm(range(3), disable=True))
from service.app import create_app_from_env

create_app_from_env()
list(tqdm(range(3), disable=True))  # as bm25s does on every write
signal.raise_signal(signal.SIGTERM)  # as uvicorn ends a worker after a graceful shutdown
"""


@pytest.mark.parametrize("history", ["fresh", "built-first"])
def test_a_stopped_server_process_leaks_no_semaphore(tmp_path: Path, history: str) -> None:
    """Every stop of `serve --workers 2` printed "There appear to be 2 leaked semaphore objects"."""
    done = subprocess.run(
        [sys.executable, "-c", SERVER_PROCESS, history],
        env={**os.environ, "ALLIANCE_QA_INDEX_DIR": str(tmp_path / "index")},
        cwd=Path(__file__).parents[2],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == -signal.SIGTERM
    assert "leaked semaphore" not in done.stderr
