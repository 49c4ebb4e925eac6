"""Service fixtures: one fixture-corpus index (fake embedder) shared by the session, a client per test."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

from index.retriever import Index
from service.app import create_app
from service.settings import Settings
from tests.conftest import FIXTURE_CORPUS, FakeEmbedder


@pytest.fixture(scope="session")
def fixture_index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    """The fixture corpus indexed with the fake embedder (built once: the service only reads it)."""
    return Index.build(FIXTURE_CORPUS, tmp_path_factory.mktemp("service-index"), embedder=FakeEmbedder())


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(index_dir=tmp_path / "index", corpus_dir=FIXTURE_CORPUS, cors_origins=[])


@pytest.fixture
def client(settings: Settings, fixture_index: Index) -> Iterator[TestClient]:
    """A client whose lifespan has run, over the injected fixture index."""
    with TestClient(create_app(settings, index=fixture_index)) as client:
        yield client


class ThreadServer:
    """A real uvicorn server for `app` on a thread of its own, started; `stop()` ends it.

    `sockets`: listening sockets to serve (as a worker serves the one it inherits) instead of a port.
    """

    def __init__(self, app: Any, *, port: int = 0, sockets: list[socket.socket] | None = None) -> None:
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": sockets}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                pytest.fail("the test server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
