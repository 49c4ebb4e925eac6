"""Service fixtures: one fixture-corpus index (fake embedder) shared by the session, a client per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
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
