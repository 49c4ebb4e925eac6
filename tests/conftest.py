"""Shared fixtures: a tiny corpus, a deterministic fake embedder, and (marked) the real model."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

FIXTURE_CORPUS = Path(__file__).parent / "fixtures" / "corpus"
REAL_CORPUS = Path(__file__).parent.parent / "corpus"


def property_settings(examples: int) -> settings:
    """Hypothesis settings for a property test: `examples` unless `PROPERTY_EXAMPLES` asks for
    more, no deadline, and no `.hypothesis/` folder left in the tree."""
    return settings(
        max_examples=int(os.environ.get("PROPERTY_EXAMPLES", str(examples))),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


class FakeEmbedder:
    """Hashed bag of words: deterministic, instant, and similar texts get similar vectors."""

    name = "fake-hash-256"
    dimension = 256
    window = 256
    path = Path("fake")

    def encode(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        rows = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                bucket = int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension
                rows[i, bucket] += 1.0
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return rows / np.where(norms == 0, 1, norms)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode(texts)

    def count_tokens(self, text: str) -> int:
        return len(re.findall(r"\w+|[^\w\s]", text))


class FakeTokenEmbedder(FakeEmbedder):
    """`FakeEmbedder` that also gives token vectors: one hashed one-hot row per word (late interaction)."""

    name = "fake-hash-256-tokens"

    def __init__(self) -> None:
        self.token_texts = 0  # texts whose token vectors were computed: what a change cost

    def encode_tokens(self, texts: Sequence[str], *, batch_size: int = 32) -> list[np.ndarray]:
        self.token_texts += len(texts)
        return [self._pieces(text) for text in texts]

    def encode_query_tokens(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        return self.encode([text]), self._pieces(text)

    def _pieces(self, text: str) -> np.ndarray:
        words = [w for w in re.findall(r"\w+", text.lower()) if w not in {"the", "of", "a", "and"}]
        rows = np.zeros((len(words), self.dimension), dtype=np.float32)
        for i, word in enumerate(words):
            rows[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] = 1.0
        return rows


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(scope="session")
def real_embedder():  # type: ignore[no-untyped-def]
    """The bundled all-MiniLM-L6-v2, loaded once per session (offline)."""
    from index.embedder import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def real_index(tmp_path_factory: pytest.TempPathFactory, real_embedder):  # type: ignore[no-untyped-def]
    """The bundled corpus indexed with the real model, built once per session."""
    from index.retriever import Index

    return Index.build(REAL_CORPUS, tmp_path_factory.mktemp("real") / "index", embedder=real_embedder)
