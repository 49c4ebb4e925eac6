"""FAISS inner-product indexes over L2-normalised vectors (so scores are cosines)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import faiss
import numpy as np
import numpy.typing as npt

from alliance_qa.errors import IndexCorruptError, InputError

IndexType = Literal["flat", "hnsw", "ivfpq"]
INDEX_TYPES: tuple[str, ...] = ("flat", "hnsw", "ivfpq")
DENSE_FILE = "dense.faiss"


def build_dense(vectors: npt.NDArray[np.float32], *, index_type: str = "flat") -> Any:
    """Build a FAISS index of `index_type` over `vectors` (rows already normalised)."""
    n, dimension = vectors.shape
    index: Any
    if index_type == "flat":
        index = faiss.IndexFlatIP(dimension)
    elif index_type == "hnsw":
        index = faiss.IndexHNSWFlat(dimension, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 64
    elif index_type == "ivfpq":
        # ~4·sqrt(n) lists, and enough points per list to train on
        nlist = max(1, min(int(4 * np.sqrt(n)), n // 39))
        m = 48 if dimension % 48 == 0 else 16 if dimension % 16 == 0 else 8
        quantizer = faiss.IndexFlatIP(dimension)
        index = faiss.IndexIVFPQ(quantizer, dimension, nlist, m, 8, faiss.METRIC_INNER_PRODUCT)
        if n < 256 * 39 // 8:
            raise InputError(
                f"ivfpq needs at least {256 * 39 // 8} vectors to train, the corpus has {n}: use flat or hnsw"
            )
        index.train(vectors)
        index.nprobe = min(nlist, 16)
    else:
        raise InputError(f"unknown index type {index_type!r}: choose one of {', '.join(INDEX_TYPES)}")
    index.add(vectors)
    return index


def search_dense(
    index: faiss.Index, query: npt.NDArray[np.float32], k: int
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """Top-`k` (scores, row ids) for one query vector; ids of -1 (no hit) are dropped."""
    k = min(k, index.ntotal)
    if k <= 0:
        return np.empty(0, np.float32), np.empty(0, np.int64)
    scores, ids = index.search(query.reshape(1, -1), k)
    keep = ids[0] >= 0
    return scores[0][keep], ids[0][keep]


def save_dense(index: faiss.Index, folder: Path) -> None:
    faiss.write_index(index, str(folder / DENSE_FILE))


def load_dense(folder: Path, *, expected: int, dimension: int) -> Any:
    """Read the FAISS file and check it holds `expected` vectors of `dimension`."""
    path = folder / DENSE_FILE
    try:
        index = faiss.read_index(str(path))
    except RuntimeError as exc:
        raise IndexCorruptError(
            f"{path} is missing or damaged ({str(exc).splitlines()[0]}); rebuild with `alliance-qa ingest`"
        ) from None
    if index.ntotal != expected or index.d != dimension:
        raise IndexCorruptError(
            f"{path} holds {index.ntotal} vectors of dimension {index.d}, the manifest says "
            f"{expected} of {dimension}; rebuild with `alliance-qa ingest`"
        )
    return index
