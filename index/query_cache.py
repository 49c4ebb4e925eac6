"""`QueryCache`: an embedder that remembers the vectors of recent questions, so a repeat skips the model.

Encoding the question is most of a query's cost (benchmarks/README.md, ## In-process latency): a
repeated question (a shared link, a retry, the example on the page) is answered from a bounded LRU
keyed by its exact text. Only `encode_queries` of one text is cached; documents (`encode`: building
an index, re-embedding changed documents) pass straight through: they are not questions, and would
only evict them.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from alliance_qa.errors import InputError
from index.embedder import Embedder, Vectors
from index.late import Stored, encode_with_tokens, supports_tokens, token_embedder


class CacheStats(NamedTuple):
    """How the cache has fared: lookups answered, lookups that ran the model, texts held."""

    hits: int
    misses: int
    size: int
    capacity: int


class QueryCache:
    """Wraps `inner`; one-question `encode_queries` calls are served from an LRU of `size` texts (0: no cache)."""

    def __init__(self, inner: Embedder, *, size: int = 1024) -> None:
        if size < 0:
            raise InputError(f"a query cache of {size} entries is not allowed: pass 0 (off) or more")
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.window = inner.window
        self.path = getattr(inner, "path", "")  # recorded in manifests of indexes built through it
        self.capacity = size
        # lru_cache is thread-safe (the service encodes on several threads); two threads missing on
        # the same text at once both run the model, which is harmless
        self._lookup = lru_cache(maxsize=size)(self._encode_one)
        self._lookup_tokens = lru_cache(maxsize=size)(self._encode_one_with_tokens)
        self.gives_tokens = supports_tokens(inner)

    def encode(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> Vectors:
        return self.inner.encode(texts, batch_size=batch_size, progress=progress)

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        if len(texts) == 1 and self.capacity:
            return self._lookup(texts[0])
        return self.inner.encode_queries(texts)

    def encode_tokens(self, texts: Sequence[str], *, batch_size: int = 32) -> list[Stored]:
        return token_embedder(self.inner).encode_tokens(texts, batch_size=batch_size)

    def encode_with_tokens(
        self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False
    ) -> tuple[Vectors, list[Stored]]:
        return encode_with_tokens(self.inner, texts, batch_size=batch_size, progress=progress)

    def encode_query_tokens(self, text: str) -> tuple[Vectors, Vectors]:
        if self.capacity:
            return self._lookup_tokens(text)
        return token_embedder(self.inner).encode_query_tokens(text)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def stats(self) -> CacheStats:
        plain, tokens = self._lookup.cache_info(), self._lookup_tokens.cache_info()
        return CacheStats(
            plain.hits + tokens.hits,
            plain.misses + tokens.misses,
            plain.currsize + tokens.currsize,
            self.capacity,
        )

    def clear(self) -> None:
        """Forget every cached vector."""
        self._lookup.cache_clear()
        self._lookup_tokens.cache_clear()

    def _encode_one_with_tokens(self, text: str) -> tuple[Vectors, Vectors]:
        pooled, tokens = token_embedder(self.inner).encode_query_tokens(text)
        pooled, tokens = np.array(pooled, dtype=np.float32, copy=True), np.array(tokens, copy=True)
        pooled.setflags(write=False)  # every later caller shares these arrays
        tokens.setflags(write=False)
        return pooled, tokens

    def _encode_one(self, text: str) -> Vectors:
        vectors = np.array(self.inner.encode_queries([text]), dtype=np.float32, copy=True)
        vectors.setflags(write=False)  # every later caller shares this array
        return vectors
