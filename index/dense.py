"""FAISS inner-product indexes over L2-normalised vectors (so scores are cosines).

Three types, chosen at ingest and recorded in the manifest (figures: 384-d, 2 cores, single-threaded
queries, from benchmarks/README.md ## Scale):

- ``flat``: exact scan; the default, and the right choice up to ~100k chunks (9 ms a query there, 60 ms
  at 1M).
- ``hnsw``: a graph (HNSW, M=32) over the full vectors; 0.44 ms a query at 1M with recall@10 0.98, at
  1.18× flat's memory and a slow build (8 minutes at 1M).
- ``ivfpq``: an inverted file of product-quantised codes (d/8 bytes a vector) whose candidates are
  re-ranked: exactly (``refine="flat"``: scores stay exact cosines, memory ≈ flat's; 1.8 ms at 1M,
  recall 0.997), against 8-bit scalar-quantised copies (``refine="sq8"``: 0.29× flat's memory, scores
  within 2e-3, recall 0.986), or not at all (``refine="none"``: 0.04× flat's memory, recall 0.58, too
  low to ground answers).

Search parameters (efSearch, nprobe, k_factor) are stored on the index, so a loaded index searches as it
was built; `search_dense` can override them per call. Queries are single vectors and run on one thread:
on this 2-core machine a second OpenMP thread makes a single query several times slower.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any, Literal

import faiss as faiss_module
import numpy as np
import numpy.typing as npt

from alliance_qa.errors import IndexCorruptError, InputError

# faiss's bundled stubs miss the SWIG keyword constructors (SearchParameters*) and HNSW's methods
faiss: Any = faiss_module

IndexType = Literal["flat", "hnsw", "ivfpq"]
INDEX_TYPES: tuple[str, ...] = ("flat", "hnsw", "ivfpq")
REFINES: tuple[str, ...] = ("flat", "sq8", "none")
DENSE_FILE = "dense.faiss"

# k-means wants ≥ 39 points per centroid; below 39·16 even 4-bit PQ codebooks cannot be trained
POINTS_PER_CENTROID = 39
MIN_IVFPQ = POINTS_PER_CENTROID * 16
# a row filter this small is scored exactly from the stored vectors (cheaper than a filtered search)
EXACT_ROWS = 4096


def build_dense(
    vectors: npt.NDArray[np.float32],
    *,
    index_type: str = "flat",
    hnsw_m: int = 32,
    ef_construction: int = 40,
    ef_search: int = 128,
    nlist: int | None = None,
    nprobe: int | None = None,
    refine: str = "flat",
    k_factor: float = 16.0,
    threads: int | None = None,
    seed: int = 1234,
) -> Any:
    """Build a FAISS index of `index_type` over `vectors` (rows already normalised).

    `ef_search`, `nprobe` and `k_factor` are stored on the index as its search defaults. `ivfpq` over
    fewer than 624 vectors builds an exact flat index: too few to train a quantiser, and a scan of
    that many is cheaper than any approximate search anyway.
    """
    if index_type not in INDEX_TYPES:
        raise InputError(f"unknown index type {index_type!r}: choose one of {', '.join(INDEX_TYPES)}")
    if refine not in REFINES:
        raise InputError(f"unknown refine {refine!r}: choose one of {', '.join(REFINES)}")
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.ndim != 2:
        raise InputError(f"vectors must be a 2-d array (rows × dimension), got shape {vectors.shape}")
    n, dimension = vectors.shape
    faiss.omp_set_num_threads(threads or os.cpu_count() or 1)  # building is batch work: use every core
    index: Any
    if index_type == "flat" or (index_type == "ivfpq" and n < MIN_IVFPQ):
        index = faiss.IndexFlatIP(dimension)
    elif index_type == "hnsw":
        index = faiss.IndexHNSWFlat(dimension, hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = ef_construction
        index.hnsw.efSearch = ef_search
    else:
        index = _train_ivfpq(vectors, nlist=nlist, nprobe=nprobe, refine=refine, k_factor=k_factor, seed=seed)
    index.add(vectors)
    return index


def _train_ivfpq(
    vectors: npt.NDArray[np.float32],
    *,
    nlist: int | None,
    nprobe: int | None,
    refine: str,
    k_factor: float,
    seed: int,
) -> Any:
    n, dimension = vectors.shape
    # ~sqrt(n) lists keeps the coarse scan and the list scans both small for one query at a time
    nlist = nlist or max(1, min(round(math.sqrt(n)), n // POINTS_PER_CENTROID))
    # sub-vectors of ~8 dimensions: 48 bytes a vector at 384-d
    m = max(s for s in range(1, max(1, dimension // 8) + 1) if dimension % s == 0)
    nbits = min(8, int(math.log2(n / POINTS_PER_CENTROID)))
    quantizer = faiss.IndexFlatIP(dimension)
    ivf = faiss.IndexIVFPQ(quantizer, dimension, nlist, m, nbits, faiss.METRIC_INNER_PRODUCT)
    ivf.cp.seed = seed
    ivf.pq.cp.seed = seed
    # train the coarse lists on ≤ 64 points each (faiss's default is 256): seconds, not minutes, at 1M,
    # and recall@10 at 1M is still 0.997 (benchmarks/README.md)
    ivf.cp.max_points_per_centroid = 64
    ivf.nprobe = nprobe or min(nlist, max(16, nlist // 16))
    ivf.train(vectors)
    if refine == "none":
        return ivf
    if refine == "flat":
        index = faiss.IndexRefineFlat(ivf)
    else:
        sq8 = faiss.IndexScalarQuantizer(dimension, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
        sq8.train(vectors)  # alone: IndexRefine.train would train the IVF-PQ a second time
        index = faiss.IndexRefine(ivf, sq8)
    index.k_factor = k_factor
    return index


def search_dense(
    index: Any,
    query: npt.NDArray[np.float32],
    k: int,
    *,
    rows: npt.ArrayLike | None = None,
    ef_search: int | None = None,
    nprobe: int | None = None,
    k_factor: float | None = None,
    threads: int = 1,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """Top-`k` (scores, row ids) for one query vector; ids of -1 (no hit) are dropped.

    `rows` restricts the search to these row ids (a document filter): few rows are scored exactly,
    more are filtered inside FAISS. `ef_search` (hnsw), `nprobe` and `k_factor` (ivfpq) override the
    index's stored defaults for this call only. One thread by default: a second one makes a single
    query slower, not faster.
    """
    if np.size(query) != index.d:
        raise InputError(f"the query must be one vector of dimension {index.d}, got shape {np.shape(query)}")
    query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, index.d)
    subset = None if rows is None else np.unique(np.asarray(rows, dtype=np.int64))
    k = min(k, index.ntotal if subset is None else len(subset))
    if k <= 0:
        return np.empty(0, np.float32), np.empty(0, np.int64)
    faiss.omp_set_num_threads(threads)  # per calling thread, so each server worker sets its own
    if subset is not None and len(subset) <= EXACT_ROWS and _stores_vectors(index):
        # a graph or inverted-list search that must skip most points misses many: score them all
        if subset[0] < 0 or subset[-1] >= index.ntotal:
            raise InputError(f"rows must lie in 0..{index.ntotal - 1}")
        scores = index.reconstruct_batch(subset) @ query[0]
        top = np.argsort(-scores, kind="stable")[:k]
        return scores[top].astype(np.float32), subset[top]
    selector = None if subset is None else faiss.IDSelectorBatch(subset)
    params = _search_params(index, k, selector, ef_search=ef_search, nprobe=nprobe, k_factor=k_factor)
    found_scores, ids = index.search(query, k, params=params)
    keep = ids[0] >= 0
    return found_scores[0][keep], ids[0][keep]


def inner_products(
    matrix: npt.NDArray[np.float32], vector: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32]:
    """`matrix @ vector` by faiss's SIMD kernel (`fvec_inner_products_ny`), which releases the GIL.

    numpy's single-threaded sgemv (OpenBLAS) took 7.4 ms for 58,862 × 384 here, this 3.2 ms; the
    sums are the same to a few units in the last place (≤ 2e-7 for unit vectors), not bit for bit.
    """
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    vector = np.ascontiguousarray(vector, dtype=np.float32).reshape(-1)
    if matrix.ndim != 2 or matrix.shape[1] != len(vector):
        raise ValueError(f"cannot multiply a {matrix.shape} matrix by a vector of {len(vector)}")
    out = np.empty(len(matrix), dtype=np.float32)
    if len(matrix):
        faiss.fvec_inner_products_ny(
            faiss.swig_ptr(out), faiss.swig_ptr(vector), faiss.swig_ptr(matrix), len(vector), len(matrix)
        )
    return out


def _stores_vectors(index: Any) -> bool:
    """Whether `index` can hand back its vectors (all but a bare IVF-PQ, which keeps only codes)."""
    return isinstance(index, faiss.IndexFlat | faiss.IndexHNSW | faiss.IndexRefine)


def _search_params(
    index: Any,
    k: int,
    selector: Any,
    *,
    ef_search: int | None,
    nprobe: int | None,
    k_factor: float | None,
) -> Any:
    """Per-call search parameters, or None to search with the index's own."""
    if isinstance(index, faiss.IndexHNSW):
        if ef_search is None and selector is None:
            return None
        return faiss.SearchParametersHNSW(efSearch=ef_search or index.hnsw.efSearch, sel=selector)
    if isinstance(index, faiss.IndexIVF):
        if nprobe is None and selector is None:
            return None
        return faiss.SearchParametersIVF(nprobe=nprobe or index.nprobe, sel=selector)
    if isinstance(index, faiss.IndexRefine):
        base = faiss.downcast_index(index.base_index)
        factor = index.k_factor if k_factor is None else k_factor
        # never ask the base index for more candidates than it holds (a filtered search asks for all)
        factor = max(1.0, min(factor, index.ntotal / k))
        base_params = faiss.SearchParametersIVF(nprobe=nprobe or base.nprobe, sel=selector)
        params = faiss.IndexRefineSearchParameters(k_factor=factor, base_index_params=base_params)
        params.referenced_objects = [base_params]  # keep the nested parameters alive during the search
        return params
    return None if selector is None else faiss.SearchParameters(sel=selector)


def describe_dense(index: Any) -> dict[str, Any]:
    """The FAISS structure and search parameters of `index`, for the manifest, `info` and benchmarks."""
    index = faiss.downcast_index(index)
    described: dict[str, Any] = {"vectors": int(index.ntotal), "dimension": int(index.d)}
    if isinstance(index, faiss.IndexRefine):
        refine = faiss.downcast_index(index.refine_index)
        described["refine"] = "flat" if isinstance(refine, faiss.IndexFlat) else "sq8"
        described["k_factor"] = float(index.k_factor)
        index = faiss.downcast_index(index.base_index)
    if isinstance(index, faiss.IndexHNSW):
        hnsw = index.hnsw
        described.update(structure="hnsw", M=int(hnsw.nb_neighbors(1)), ef_search=int(hnsw.efSearch))
        described["ef_construction"] = int(hnsw.efConstruction)
    elif isinstance(index, faiss.IndexIVFPQ):
        described.update(structure="ivfpq", nlist=int(index.nlist), nprobe=int(index.nprobe))
        described.update(pq_m=int(index.pq.M), pq_nbits=int(index.pq.nbits))
        described.setdefault("refine", "none")
    else:
        described["structure"] = "flat"
    return described


def save_dense(index: Any, folder: Path) -> None:
    """Write `index` (with its search defaults) to `folder`/dense.faiss."""
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
