"""The service keeps recent questions' vectors, as many as `query_cache_size` says."""

from __future__ import annotations

from pathlib import Path

from index.query_cache import QueryCache
from index.retriever import Index
from service.app import load_index
from service.settings import Settings
from tests.conftest import FIXTURE_CORPUS, FakeEmbedder


def test_the_loaded_index_encodes_questions_through_a_cache_of_the_configured_size(tmp_path: Path) -> None:
    Index.build(FIXTURE_CORPUS, tmp_path / "index", embedder=FakeEmbedder())
    settings = Settings(index_dir=tmp_path / "index", query_cache_size=3)
    index = load_index(settings, embedder=FakeEmbedder())
    index.ask("What does the harbour pact require?")
    index.ask("What does the harbour pact require?")
    assert isinstance(index.embedder, QueryCache)
    assert index.embedder.stats() == (1, 1, 1, 3)
