"""Questions take turns: one at a time per worker, off the event loop, so other requests still answer."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient

from index.retriever import Index
from service.app import create_app
from service.settings import Settings
from tests.conftest import FakeEmbedder


class GatedEmbedder(FakeEmbedder):
    """Counts the questions being encoded at once; each waits until `release` is set."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.entered = threading.Event()
        self.active = 0
        self.most = 0
        self._lock = threading.Lock()

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            self.active += 1
            self.most = max(self.most, self.active)
        self.entered.set()
        try:
            assert self.release.wait(10), "the test never released the question"
            time.sleep(0.01)  # long enough for a second question to overlap, were it let in
            return super().encode_queries(texts)
        finally:
            with self._lock:
                self.active -= 1


def _client(settings: Settings, index: Index, embedder: GatedEmbedder) -> TestClient:
    gated = Index.open(index.folder, embedder=embedder)
    return TestClient(create_app(settings, index=gated))


def test_other_requests_answer_while_a_question_is_worked_on(
    settings: Settings, fixture_index: Index, tmp_path: Path
) -> None:
    embedder = GatedEmbedder()
    with _client(settings, fixture_index, embedder) as client, ThreadPoolExecutor(2) as pool:
        try:
            asked = pool.submit(
                client.post, "/v1/ask", json={"question": "What does the harbour pact require?"}
            )
            assert embedder.entered.wait(10)
            # the question holds its thread; the event loop is free for the health check
            health = pool.submit(client.get, "/healthz")
            assert health.result(timeout=5).status_code == 200
            assert not asked.done()
        finally:
            embedder.release.set()
        assert asked.result(timeout=10).status_code == 200


def test_questions_in_flight_are_encoded_one_at_a_time(settings: Settings, fixture_index: Index) -> None:
    embedder = GatedEmbedder()
    embedder.release.set()
    questions = [f"What does clause {i} of the harbour pact require?" for i in range(6)]
    with _client(settings, fixture_index, embedder) as client, ThreadPoolExecutor(6) as pool:
        statuses = list(
            pool.map(lambda q: client.post("/v1/ask", json={"question": q}).status_code, questions)
        )
    assert statuses == [200] * 6
    assert embedder.most == 1
