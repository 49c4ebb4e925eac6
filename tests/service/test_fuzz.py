"""Property-based fuzzing of the OpenAPI schema: no 5xx anywhere, and every response as documented.

Schemathesis draws valid and invalid requests for every operation of `/openapi.json` and sends them
through the ASGI app (no network). Each response must be a documented status with a documented
content type and body, and a schema-violating request must be refused with a 4xx.
`FUZZ_EXAMPLES=300 pytest tests/service/test_fuzz.py` digs deeper (about 45 s).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from index.retriever import Index
from service.app import create_app
from service.settings import Settings
from tests.conftest import FIXTURE_CORPUS, FakeEmbedder

KEY = "fuzz-test-key"
# "schema-valid input is accepted" cannot hold here: whether a doc_ids filter, an upload's file type
# or a deletion is acceptable depends on what is stored, which a schema cannot say (test_hostile.py
# pins those refusals); every other check stays on
CONFIG = schemathesis.Config.from_dict({"checks": {"positive_data_acceptance": {"enabled": False}}})
# the schema does not depend on the index: read it from an app that is never started
schema = schemathesis.openapi.from_dict(
    create_app(Settings(index_dir=Path("unused"))).openapi(), config=CONFIG
)
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "30")),  # per operation
    deadline=None,
    database=None,  # no .hypothesis/ folder in the tree
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """A writable app over the fixture corpus, started (its lifespan ran) for the whole module."""
    home = tmp_path_factory.mktemp("fuzz") / "index"
    index = Index.build(FIXTURE_CORPUS, home, embedder=FakeEmbedder())
    config = Settings(index_dir=home, corpus_dir=FIXTURE_CORPUS, api_key=KEY, max_upload_bytes=4_000)
    app = create_app(config, index=index)
    with TestClient(app):
        yield app


@schema.parametrize()
@FUZZ
def test_every_response_is_documented_with_the_key(case: Any, app: FastAPI) -> None:
    # the schema declares the key, so a check also sends the request without it and with a wrong
    # one, expecting a refusal: through this app, not over the network
    case.operation.app = case.operation.schema.app = app
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {KEY}"})


@schema.parametrize()
@FUZZ
def test_every_response_is_documented_without_a_key(case: Any, app: FastAPI) -> None:
    case.call_and_validate(app=app)
