"""Late interaction: a chunk scored by how well each word of the question finds its match in it.

A pooled vector squeezes a chunk into one point, so a question worded differently from its answer
("fresh dangers" against "emerging threats") can land far from it. The model's token outputs keep
each word piece in its context; MaxSim (ColBERT's scoring, here on the off-the-shelf
all-MiniLM-L6-v2) takes, for every content word piece of the question, its best cosine with any
word piece of the chunk, and averages those:

    maxsim(q, c) = mean over question pieces i of  max over chunk pieces j of  q_i · c_j

Only content pieces take part: special tokens, punctuation and stopwords say nothing about which
chunk answers. The chunk's pieces come from the same text its pooled vector is embedded from (the
heading path, then the chunk), one row per piece, stored in float16: `TokenTable`. A table up to
`HOLD_LIMIT` (256 MiB in float32, some 2,000 chunks) is held in float32, 1.5 KB a piece (~80 pieces,
~120 KB a chunk): numpy casts float16 at ~1.7 ns a value here, ~50 µs a chunk, more than its product
costs. A larger one is read from its file, memory-mapped in float16: half the memory, in the page
cache that every worker process shares, and only the pages questions touch; each question then casts
its candidates' rows (16 chunks: ~0.8 ms, measured in `benchmarks/tokens_memory.py`), with the
same scores. An index can also be built without it (`alliance-qa ingest --no-late-interaction`).
Hybrid ranking adds
`maxsim` with a weight tuned on the dev questions (`index/ranking.py: SearchConfig`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast, runtime_checkable

import numpy as np
import numpy.typing as npt
from bm25s.stopwords import STOPWORDS_EN

from alliance_qa.errors import IndexCorruptError

TOKEN_VECTORS_FILE = "tokens.npy"
TOKEN_POINTERS_FILE = "token_pointers.npy"
# Lucene's English stopwords, plus the question words and auxiliaries every question is made of
STOPWORDS = frozenset(STOPWORDS_EN) | frozenset(
    [
        "what",
        "which",
        "who",
        "whom",
        "how",
        "why",
        "when",
        "where",
        "does",
        "do",
        "did",
        "can",
        "could",
        "has",
        "have",
        "had",
        "were",
        "been",
        "its",
        "those",
        "from",
        "over",
        "about",
        "between",
        "each",
        "than",
    ]
)


Vectors = npt.NDArray[np.float32]
Floats = npt.NDArray[np.float64]
Stored = npt.NDArray[np.float32] | npt.NDArray[np.float16]  # a table's rows: held, or mapped

# bytes of a table in float32 up to which it is held in memory; a larger one is memory-mapped float16
HOLD_LIMIT = 256 * 2**20


def is_content(piece: str) -> bool:
    """Does the word piece `piece` carry content: a word (not a stopword), a number, or a word's tail?"""
    if piece.startswith("##"):
        return len(piece) > 2
    return piece.isdigit() or (piece.isalpha() and piece.lower() not in STOPWORDS)


def content_rows(pieces: Sequence[str], vectors: Vectors) -> Vectors:
    """The unit rows of `vectors` whose pieces are content; all non-special rows when none is.

    `pieces[i]` is the word piece of row i, special tokens ("[CLS]", "[SEP]", "[PAD]") included.
    """
    keep = [i for i, piece in enumerate(pieces) if is_content(piece)]
    if not keep:  # "?!" or "the of": compare what there is rather than nothing
        keep = [i for i, piece in enumerate(pieces) if not (piece.startswith("[") and piece.endswith("]"))]
    rows = np.asarray(vectors[keep], dtype=np.float32).reshape(len(keep), vectors.shape[1])
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return (rows / np.where(norms == 0, 1, norms)).astype(np.float32)


@runtime_checkable
class TokenEmbedder(Protocol):
    """An embedder that also gives each text's content word pieces as unit vectors."""

    def encode_tokens(self, texts: Sequence[str], *, batch_size: int = 32) -> list[Stored]:
        """Per document text, its content pieces' unit vectors (float32, or float16 as a table stores them)."""
        ...

    def encode_query_tokens(self, text: str) -> tuple[Vectors, Vectors]:
        """One question's pooled vector (1, d) and its content pieces' vectors, from one model run."""
        ...


@dataclass(frozen=True)
class TokenTable:
    """Every chunk's content word-piece vectors: chunk i owns rows pointers[i]:pointers[i + 1]."""

    vectors: Stored  # float16 on disk; in memory float32 up to HOLD_LIMIT, else float16
    pointers: npt.NDArray[np.int64]

    @classmethod
    def of(cls, per_chunk: Sequence[Stored], dimension: int, *, hold_limit: int | None = None) -> TokenTable:
        sizes = [len(v) for v in per_chunk]
        pointers = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        # rounded to float16 now, so a table built here equals the same table saved and loaded;
        # chunk by chunk into the one array, where concatenating and casting the whole made three
        # more copies of it (a 6 MB corpus of 22,547 chunks peaked at 7 GB, session 11)
        vectors = np.empty((int(pointers[-1]), dimension), dtype=np.float16)
        for start, rows in zip(pointers[:-1].tolist(), per_chunk, strict=True):
            if len(rows):
                vectors[start : start + len(rows)] = rows
        return cls(vectors.astype(np.float32) if _held(vectors.shape, hold_limit) else vectors, pointers)

    @property
    def chunks(self) -> int:
        return len(self.pointers) - 1

    @property
    def held(self) -> bool:
        """Are the rows held in float32 (else float16, a large table's, cast per question)?"""
        return self.vectors.dtype == np.float32

    def rows_of(self, chunk: int) -> Stored:
        return self.vectors[self.pointers[chunk] : self.pointers[chunk + 1]]

    def maxsim(self, query: Vectors, rows: npt.NDArray[np.int64]) -> Floats:
        """`maxsim(query, chunk)` for each chunk row in `rows`; 0 for a chunk without pieces.

        `query` holds the question's content pieces, one unit vector per row.
        """
        if len(query) == 0:
            return np.zeros(len(rows), dtype=np.float64)
        starts, ends = self.pointers[rows], self.pointers[rows + 1]
        sizes = ends - starts
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        # every candidate's products written into one array, then one maximum per chunk over its
        # block (`reduceat`): 16 chunks 186 → 149 µs against a `max` per chunk. A product per
        # chunk over its own rows: gathering every candidate's pieces into one array first copied
        # megabytes and took longer (408 µs)
        products = np.empty((int(offsets[-1]), len(query)), dtype=np.float32)
        vectors, queries, held = self.vectors, query.T, self.held
        for start, end, at in zip(starts.tolist(), ends.tolist(), offsets[:-1].tolist(), strict=True):
            if end > start:
                block = vectors[start:end] if held else vectors[start:end].astype(np.float32)
                np.matmul(block, queries, out=products[at : at + end - start])
        # a chunk without pieces keeps 0; the others' blocks lie end to end, as reduceat reads them
        best = np.zeros((len(rows), len(query)), dtype=np.float32)
        filled = sizes > 0
        if filled.any():
            best[filled] = np.maximum.reduceat(products, offsets[:-1][filled], axis=0)
        scores: Floats = best.mean(axis=1, dtype=np.float64)
        return scores

    def save(self, folder: Path) -> None:
        np.save(folder / TOKEN_VECTORS_FILE, np.asarray(self.vectors, dtype=np.float16), allow_pickle=False)
        np.save(folder / TOKEN_POINTERS_FILE, self.pointers, allow_pickle=False)

    @classmethod
    def load(
        cls, folder: Path, *, chunks: int, dimension: int, count: int, hold_limit: int | None = None
    ) -> TokenTable:
        """Read the two arrays and check they fit `chunks` chunks, `dimension` and `count` pieces;
        the vectors held in float32 up to `hold_limit` bytes, else mapped from their file."""
        mapped = not _held((count, dimension), hold_limit)
        try:
            vectors = np.load(
                folder / TOKEN_VECTORS_FILE, allow_pickle=False, mmap_mode="r" if mapped else None
            )
            pointers = np.load(folder / TOKEN_POINTERS_FILE, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise IndexCorruptError(
                f"{folder}: the token files are missing or damaged ({exc}); rebuild with `alliance-qa ingest`"
            ) from None
        fits = (
            vectors.ndim == 2
            and vectors.shape == (count, dimension)
            and vectors.dtype == np.float16
            and pointers.shape == (chunks + 1,)
            and pointers[0] == 0
            and pointers[-1] == count
            and bool(np.all(np.diff(pointers) >= 0))
        )
        if not fits:
            raise IndexCorruptError(
                f"{folder}: {TOKEN_VECTORS_FILE} {vectors.shape} and {TOKEN_POINTERS_FILE} {pointers.shape} "
                f"do not fit {chunks} chunks, {count} pieces of dimension {dimension}; "
                "rebuild with `alliance-qa ingest`"
            )
        return cls(vectors if mapped else vectors.astype(np.float32), pointers.astype(np.int64))


def _held(shape: tuple[int, ...], hold_limit: int | None) -> bool:
    """Is a table of `shape` held in float32 (at most `hold_limit`, by default `HOLD_LIMIT`, bytes so)?"""
    return int(np.prod(shape)) * 4 <= (HOLD_LIMIT if hold_limit is None else hold_limit)


_TOKEN_CLASSES: dict[type, bool] = {}  # class → does it define TokenEmbedder's methods


def _has_token_methods(kind: type) -> bool:
    """Does the class `kind` define `TokenEmbedder`'s methods? Looked at once per class.

    `isinstance` against a runtime-checkable protocol inspects the object's attributes on every
    call (~6 µs), and every question asked it up to four times through the embedder wrappers.
    """
    known = _TOKEN_CLASSES.get(kind)
    if known is None:
        names = ("encode_tokens", "encode_query_tokens")
        known = _TOKEN_CLASSES[kind] = all(callable(getattr(kind, name, None)) for name in names)
    return known


def supports_tokens(embedder: object) -> bool:
    """Does `embedder` give token vectors? A wrapper says so for what it wraps (`gives_tokens`)."""
    return _has_token_methods(type(embedder)) and bool(getattr(embedder, "gives_tokens", True))


def token_embedder(embedder: object) -> TokenEmbedder:
    """`embedder` as a `TokenEmbedder`; TypeError naming it when it gives no token vectors."""
    if not supports_tokens(embedder):
        raise TypeError(f"{type(embedder).__name__} gives no token vectors")
    return cast(TokenEmbedder, embedder)  # supports_tokens checked its class


def encode_with_tokens(
    embedder: object, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False
) -> tuple[Vectors, list[Stored]]:
    """`embedder`'s pooled vectors and content pieces' vectors of `texts`: from one model run per
    batch when it offers that (`OnnxEmbedder.encode_with_tokens`), else from its two calls."""
    both = getattr(embedder, "encode_with_tokens", None)
    if both is not None:
        vectors, pieces = both(texts, batch_size=batch_size, progress=progress)
        return vectors, pieces
    encode = cast(Any, embedder).encode
    return encode(texts, batch_size=batch_size, progress=progress), token_embedder(embedder).encode_tokens(
        texts, batch_size=batch_size
    )
