"""The query cache: a repeated question skips the model, and answers exactly as an uncached one."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from alliance_qa.errors import InputError
from index.query_cache import QueryCache
from index.retriever import Index
from tests.conftest import FIXTURE_CORPUS, FakeEmbedder


class CountingEmbedder(FakeEmbedder):
    """The fake embedder, counting the texts it was asked to embed."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        self.calls.append(list(texts))
        return super().encode(texts, batch_size=batch_size, progress=progress)


def test_a_repeated_question_is_encoded_once_with_the_same_vector() -> None:
    inner = CountingEmbedder()
    cache = QueryCache(inner, size=8)
    first = cache.encode_queries(["Who signed the treaty?"])
    again = cache.encode_queries(["Who signed the treaty?"])
    assert inner.calls == [["Who signed the treaty?"]]
    np.testing.assert_array_equal(first, FakeEmbedder().encode(["Who signed the treaty?"]))
    np.testing.assert_array_equal(again, first)
    assert cache.stats() == (1, 1, 1, 8)


def test_the_key_is_the_exact_text() -> None:
    inner = CountingEmbedder()
    cache = QueryCache(inner, size=8)
    cache.encode_queries(["who signed the treaty?"])
    cache.encode_queries(["Who signed the treaty?"])
    assert len(inner.calls) == 2


def test_the_least_recently_used_question_is_evicted_first() -> None:
    inner = CountingEmbedder()
    cache = QueryCache(inner, size=2)
    for text in ("a", "b", "a", "c"):  # "b" is the least recently used when "c" arrives
        cache.encode_queries([text])
    cache.encode_queries(["a"])
    cache.encode_queries(["b"])
    assert [c[0] for c in inner.calls] == ["a", "b", "c", "b"]
    assert cache.stats().size == 2


def test_batches_documents_and_a_zero_size_go_straight_to_the_model() -> None:
    inner = CountingEmbedder()
    cache = QueryCache(inner, size=8)
    cache.encode_queries(["x", "y"])
    cache.encode(["x", "y"])
    cache.encode(["d"])  # a one-chunk document is not a question: never cached
    cache.encode(["d"])
    off = QueryCache(inner, size=0)
    off.encode_queries(["z"])
    off.encode_queries(["z"])
    assert inner.calls == [["x", "y"], ["x", "y"], ["d"], ["d"], ["z"], ["z"]]
    assert cache.stats().size == 0


def test_cached_vectors_cannot_be_changed_by_a_caller() -> None:
    cache = QueryCache(FakeEmbedder(), size=8)
    vectors = cache.encode_queries(["harbour"])
    with pytest.raises(ValueError):
        vectors[0, 0] = 5.0


def test_a_negative_size_is_refused() -> None:
    with pytest.raises(InputError, match="pass 0"):
        QueryCache(FakeEmbedder(), size=-1)


def test_an_index_answers_the_same_through_the_cache(tmp_path: Path) -> None:
    built = Index.build(FIXTURE_CORPUS, tmp_path / "index", embedder=FakeEmbedder())
    cached = Index.open(tmp_path / "index", embedder=QueryCache(FakeEmbedder(), size=4))
    question = "What does the harbour pact require?"
    for _ in range(2):  # cold, then from the cache
        got, want = cached.ask(question, k=3), built.ask(question, k=3)
        assert [h.chunk.chunk_id for h in got.hits] == [h.chunk.chunk_id for h in want.hits]
        assert [h.score for h in got.hits] == [h.score for h in want.hits]
        assert got.answer == want.answer
