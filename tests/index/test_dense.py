"""Dense index types against an exact brute-force numpy reference on seeded clustered data."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import pytest

from alliance_qa.errors import InputError
from index.dense import (
    INDEX_TYPES,
    build_dense,
    describe_dense,
    inner_products,
    load_dense,
    save_dense,
    search_dense,
)

DIMENSION = 32  # PQ splits it into 4 sub-vectors of 8
K = 10
# approximate types must find at least this share of the exact top 10, on average over the queries
RECALL_FLOOR = {"hnsw": 0.95, "ivfpq": 0.9}
# one thread: the HNSW graph comes out the same every run, and no OpenMP spinning on a busy machine
build = partial(build_dense, threads=1)


def clustered(n: int, *, seed: int, centres: int = 64) -> np.ndarray:
    """`n` unit vectors scattered around fixed random centres (uniform data would make recall meaningless)."""
    mixture = np.random.default_rng(0)
    middle = mixture.standard_normal((centres, DIMENSION))
    rng = np.random.default_rng(seed)
    points = middle[rng.integers(0, centres, n)] + 0.6 * rng.standard_normal((n, DIMENSION))
    return (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)


def exact_top(vectors: np.ndarray, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    scores = vectors @ query
    order = np.argsort(-scores, kind="stable")[:k]
    return scores[order], order


def recall(index: object, vectors: np.ndarray, queries: np.ndarray, **params: object) -> float:
    found = 0
    for query in queries:
        _, ids = search_dense(index, query, K, **params)  # type: ignore[arg-type]
        found += len(set(ids.tolist()) & set(exact_top(vectors, query, K)[1].tolist()))
    return found / (K * len(queries))


@pytest.fixture(scope="module")
def corpus() -> np.ndarray:
    return clustered(5000, seed=1)


@pytest.fixture(scope="module")
def queries() -> np.ndarray:
    return clustered(100, seed=2)  # another stream: not corpus points


@pytest.fixture(scope="module")
def built(corpus: np.ndarray) -> dict[str, object]:
    return {index_type: build(corpus, index_type=index_type) for index_type in INDEX_TYPES}


def test_flat_matches_brute_force_exactly(built, corpus, queries) -> None:
    for query in queries:
        scores, ids = search_dense(built["flat"], query, K)
        want_scores, want_ids = exact_top(corpus, query, K)
        assert ids.tolist() == want_ids.tolist()
        np.testing.assert_allclose(scores, want_scores, rtol=1e-5)


@pytest.mark.parametrize("index_type", ["hnsw", "ivfpq"])
def test_approximate_types_recall_the_exact_neighbours(built, corpus, queries, index_type) -> None:
    assert recall(built[index_type], corpus, queries) >= RECALL_FLOOR[index_type]


@pytest.mark.parametrize("index_type", ["hnsw", "ivfpq"])
def test_approximate_scores_are_exact_cosines(built, corpus, queries, index_type) -> None:
    # hnsw stores full vectors and ivfpq re-ranks with them: scores are the true cosines of the ids
    query = queries[0]
    scores, ids = search_dense(built[index_type], query, K)
    np.testing.assert_allclose(scores, corpus[ids] @ query, rtol=1e-5)
    assert list(scores) == sorted(scores, reverse=True)


def test_search_parameters_trade_recall_for_speed(built, corpus, queries) -> None:
    hnsw, ivfpq = built["hnsw"], built["ivfpq"]
    assert recall(hnsw, corpus, queries[:30], ef_search=1) < recall(hnsw, corpus, queries[:30], ef_search=256)
    nlist = describe_dense(ivfpq)["nlist"]
    assert recall(ivfpq, corpus, queries[:30], nprobe=1) < recall(ivfpq, corpus, queries[:30], nprobe=nlist)


@pytest.mark.parametrize("index_type", INDEX_TYPES)
def test_save_load_round_trip_searches_the_same(built, queries, tmp_path: Path, index_type) -> None:
    index = built[index_type]
    save_dense(index, tmp_path)
    loaded = load_dense(tmp_path, expected=5000, dimension=DIMENSION)
    assert describe_dense(loaded) == describe_dense(index)  # search defaults travel with the file
    for query in queries[:20]:
        scores, ids = search_dense(index, query, K)
        again_scores, again_ids = search_dense(loaded, query, K)
        assert again_ids.tolist() == ids.tolist()
        np.testing.assert_array_equal(again_scores, scores)


@pytest.mark.parametrize("index_type", INDEX_TYPES)
def test_small_corpus_works_for_every_type(index_type) -> None:
    vectors, query = clustered(300, seed=3), clustered(1, seed=4)[0]
    index = build(vectors, index_type=index_type)
    _, ids = search_dense(index, query, K)
    # 300 vectors: hnsw finds them all, ivfpq falls back to an exact scan
    assert ids.tolist() == exact_top(vectors, query, K)[1].tolist()


@pytest.mark.parametrize("index_type", INDEX_TYPES)
def test_k_zero_and_k_beyond_the_corpus(index_type) -> None:
    vectors, query = clustered(40, seed=5), clustered(1, seed=6)[0]
    index = build(vectors, index_type=index_type)
    scores, ids = search_dense(index, query, 0)
    assert (len(scores), len(ids)) == (0, 0)
    _, ids = search_dense(index, query, 100)
    assert sorted(ids.tolist()) == list(range(40))


def test_asking_for_every_vector_of_a_refined_ivfpq(built, corpus, queries) -> None:
    # a filtered search asks for the whole corpus; the refine step must not ask the IVF for k·k_factor
    _, ids = search_dense(built["ivfpq"], queries[0], len(corpus))
    assert len(ids) == len(set(ids.tolist())) and (ids >= 0).all()
    assert ids[0] == exact_top(corpus, queries[0], 1)[1][0]


def test_empty_index_returns_nothing() -> None:
    index = build(np.empty((0, DIMENSION), np.float32), index_type="flat")
    scores, ids = search_dense(index, np.ones(DIMENSION, np.float32), K)
    assert (len(scores), len(ids)) == (0, 0)


def test_query_of_the_wrong_size_is_refused(built) -> None:
    with pytest.raises(InputError, match="one vector of dimension 32"):
        search_dense(built["flat"], np.ones(DIMENSION + 1, np.float32), K)
    with pytest.raises(InputError, match="one vector of dimension 32"):
        search_dense(built["flat"], np.empty(0, np.float32), K)


def test_unknown_type_and_refine_are_refused(corpus) -> None:
    with pytest.raises(InputError, match="choose one of flat, hnsw, ivfpq"):
        build(corpus[:10], index_type="annoy")
    with pytest.raises(InputError, match="choose one of flat, sq8, none"):
        build(corpus[:10], index_type="ivfpq", refine="pq")


@pytest.mark.parametrize(("refine", "floor"), [("sq8", 0.85), ("none", 0.3)])
def test_ivfpq_refine_variants(corpus, queries, refine, floor) -> None:
    index = build(corpus, index_type="ivfpq", refine=refine)
    assert describe_dense(index)["refine"] == refine
    assert recall(index, corpus, queries) >= floor


@pytest.mark.parametrize("index_type", INDEX_TYPES)
def test_a_few_rows_are_searched_exactly(built, corpus, queries, index_type) -> None:
    rows = np.arange(1000, 1600)  # one document's chunks, say
    for query in queries[:10]:
        scores, ids = search_dense(built[index_type], query, K, rows=rows)
        want_scores, want_ids = exact_top(corpus[rows], query, K)
        assert ids.tolist() == (want_ids + 1000).tolist()
        np.testing.assert_allclose(scores, want_scores, rtol=1e-5)


@pytest.mark.parametrize("index_type", INDEX_TYPES)
def test_many_rows_are_filtered_inside_faiss(built, corpus, queries, index_type) -> None:
    rows = np.arange(500, 5000)  # more than EXACT_ROWS, so FAISS filters with a selector
    found = 0
    for query in queries[:30]:
        _, ids = search_dense(built[index_type], query, K, rows=rows)
        assert set(ids.tolist()) <= set(rows.tolist())
        found += len(set(ids.tolist()) & set(rows[exact_top(corpus[rows], query, K)[1]].tolist()))
    assert found / (K * 30) >= RECALL_FLOOR.get(index_type, 1.0)


def test_rows_outside_the_index_are_refused(built) -> None:
    with pytest.raises(InputError, match=r"rows must lie in 0\.\.4999"):
        search_dense(built["flat"], np.ones(DIMENSION, np.float32), K, rows=[3, 5000])
    scores, ids = search_dense(built["flat"], np.ones(DIMENSION, np.float32), K, rows=[])
    assert (len(scores), len(ids)) == (0, 0)


def test_inner_products_equal_numpy_to_the_last_few_places() -> None:
    rng = np.random.default_rng(5)
    matrix = rng.normal(size=(1001, 384)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    vector = matrix[7] * 0.5 + matrix[8] * 0.5
    expected = matrix.astype(np.float64) @ vector.astype(np.float64)
    np.testing.assert_allclose(inner_products(matrix, vector), expected, rtol=0, atol=1e-6)
    # rows picked out of order (a copy) and a strided view give the same products as their rows
    rows = np.array([900, 3, 3, 500])
    np.testing.assert_allclose(inner_products(matrix[rows], vector), expected[rows], rtol=0, atol=1e-6)
    np.testing.assert_allclose(inner_products(matrix[::2], vector), expected[::2], rtol=0, atol=1e-6)
    assert inner_products(matrix[:0], vector).shape == (0,)
    with pytest.raises(ValueError, match="cannot multiply"):
        inner_products(matrix, vector[:10])
