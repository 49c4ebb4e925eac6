"""Late interaction: content word pieces, MaxSim against brute force, the token table on disk and in updates."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from alliance_qa.errors import IndexCorruptError
from index.freshness import stale_reasons
from index.fusion import Run
from index.late import TokenTable, content_rows, is_content, supports_tokens
from index.query_cache import QueryCache
from index.retriever import Index
from index.updates import CachedEmbedder, apply_changes
from ingest.chunking import ChunkerConfig
from ingest.documents import make_document
from tests.conftest import FIXTURE_CORPUS, FakeEmbedder, FakeTokenEmbedder


def test_content_pieces_are_words_numbers_and_word_tails() -> None:
    assert [
        p
        for p in ["[CLS]", "dangers", "the", "##ing", "1960", ",", "what", "Tokyo", "[SEP]"]
        if is_content(p)
    ] == [
        "dangers",
        "##ing",
        "1960",
        "Tokyo",
    ]
    assert not is_content("##")


def test_content_rows_keeps_content_pieces_as_unit_vectors() -> None:
    vectors = np.arange(5 * 3, dtype=np.float32).reshape(5, 3) + 1
    rows = content_rows(["[CLS]", "treaty", "of", "##ies", "[SEP]"], vectors)
    assert rows.shape == (2, 3)
    np.testing.assert_allclose(rows[0], vectors[1] / np.linalg.norm(vectors[1]), rtol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, rtol=1e-6)
    # nothing but stopwords: compare what there is, never nothing (special tokens still go)
    assert content_rows(["[CLS]", "the", "of", "[SEP]"], vectors[:4]).shape == (2, 3)


def _brute_maxsim(query: np.ndarray, chunk: np.ndarray) -> float:
    if len(chunk) == 0:
        return 0.0
    return float(np.mean([max(float(q @ c) for c in chunk) for q in query]))


def test_maxsim_matches_brute_force() -> None:
    rng = np.random.default_rng(7)
    per_chunk = []
    for size in [3, 0, 8, 1, 5, 0, 12]:
        rows = rng.standard_normal((size, 16)).astype(np.float32)
        per_chunk.append(rows / np.linalg.norm(rows, axis=1, keepdims=True))
    table = TokenTable.of(per_chunk, 16)
    query = rng.standard_normal((4, 16)).astype(np.float32)
    query /= np.linalg.norm(query, axis=1, keepdims=True)
    rows = np.array([6, 0, 1, 4, 2, 5, 3])
    expected = [_brute_maxsim(query, table.rows_of(int(r))) for r in rows]
    np.testing.assert_allclose(table.maxsim(query, rows), expected, rtol=1e-5, atol=1e-6)
    # the stored rows are the float16 rounding of what was given, nothing coarser, each chunk's
    # in its own place
    np.testing.assert_allclose(table.rows_of(2), per_chunk[2], atol=1e-3)
    for i, given in enumerate(per_chunk):
        np.testing.assert_array_equal(table.rows_of(i), given.astype(np.float16).astype(np.float32))
    assert table.vectors.dtype == np.float32 and len(table.vectors) == sum(len(g) for g in per_chunk)
    assert table.maxsim(query, np.array([], dtype=np.int64)).shape == (0,)
    assert table.maxsim(np.zeros((0, 16), dtype=np.float32), rows).tolist() == [0.0] * len(rows)


def test_token_table_round_trip_and_damage(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    table = TokenTable.of([rng.standard_normal((n, 8)).astype(np.float32) for n in (2, 0, 3)], 8)
    table.save(tmp_path)
    loaded = TokenTable.load(tmp_path, chunks=3, dimension=8, count=5)
    np.testing.assert_array_equal(loaded.vectors, table.vectors)
    np.testing.assert_array_equal(loaded.pointers, table.pointers)
    with pytest.raises(IndexCorruptError, match="rebuild with `alliance-qa ingest`"):
        TokenTable.load(tmp_path, chunks=4, dimension=8, count=5)
    (tmp_path / "token_pointers.npy").unlink()
    with pytest.raises(IndexCorruptError, match="missing or damaged"):
        TokenTable.load(tmp_path, chunks=3, dimension=8, count=5)


def test_wrappers_say_whether_what_they_wrap_gives_tokens() -> None:
    assert supports_tokens(FakeTokenEmbedder()) and not supports_tokens(FakeEmbedder())
    assert supports_tokens(QueryCache(FakeTokenEmbedder())) and not supports_tokens(
        QueryCache(FakeEmbedder())
    )
    assert supports_tokens(CachedEmbedder(FakeTokenEmbedder(), {}))
    assert not supports_tokens(CachedEmbedder(FakeEmbedder(), {}))


def test_query_cache_serves_repeated_question_tokens() -> None:
    cache = QueryCache(FakeTokenEmbedder(), size=4)
    first = cache.encode_query_tokens("harbour patrols")
    again = cache.encode_query_tokens("harbour patrols")
    assert again[0] is first[0] and again[1] is first[1]
    assert cache.stats().hits == 1


def test_an_index_keeps_its_token_table(tmp_path: Path) -> None:
    built = Index.build(FIXTURE_CORPUS, tmp_path / "index", embedder=FakeTokenEmbedder())
    assert built.tokens is not None and built.tokens.chunks == len(built.chunks)
    manifest = json.loads((built.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tokens"] == manifest["counts"]["tokens"] == len(built.tokens.vectors) > 0
    opened = Index.open(tmp_path / "index", embedder=FakeTokenEmbedder())
    assert opened.tokens is not None
    np.testing.assert_array_equal(opened.tokens.vectors, built.tokens.vectors)
    # each chunk's pieces are those of the text its vector was embedded from
    texts = opened.embedded_texts()
    np.testing.assert_array_equal(opened.tokens.rows_of(1), FakeTokenEmbedder()._pieces(texts[1]))
    # an embedder without token vectors builds no table, and the index still answers
    plain = Index.build(FIXTURE_CORPUS, tmp_path / "plain", embedder=FakeEmbedder())
    assert plain.tokens is None and plain.manifest.tokens == 0
    assert plain.ask("harbour patrols").hits


def test_late_interaction_reranks_the_fused_head(tmp_path: Path) -> None:
    index = Index.build(FIXTURE_CORPUS, tmp_path / "index", embedder=FakeTokenEmbedder())
    ranker = index._ranker
    assert ranker.tokens is not None
    rows = np.arange(len(index.chunks))
    # a question made of one chunk's own pieces matches that chunk best, word for word
    target = int(rows[-1])
    pieces = ranker.tokens.rows_of(target)
    fused = Run.of(rows, np.linspace(1.0, 0.9, len(rows)))  # the target fused last
    reranked = ranker.rerank_late(fused, pieces, head=len(rows))
    assert int(reranked.rows[0]) == target
    # past the head nothing moves: the target outside it stays where it was
    kept = ranker.rerank_late(fused, pieces, head=2)
    assert kept.rows.tolist()[2:] == rows.tolist()[2:]
    assert sorted(kept.rows.tolist()) == rows.tolist()
    # through `ask`: with the weight off, hybrid ranks as without a table
    question = index.embedded_texts()[target]
    index.config = replace(index.config, late_weight=0.0)
    off = [h.chunk.chunk_id for h in index.ask(question, k=3).hits]
    plain = Index.build(FIXTURE_CORPUS, tmp_path / "plain", embedder=FakeEmbedder())
    assert off == [h.chunk.chunk_id for h in plain.ask(question, k=3).hits]


def test_updates_reuse_token_vectors_of_unchanged_chunks(tmp_path: Path) -> None:
    home = tmp_path / "index"
    Index.build(FIXTURE_CORPUS, home, embedder=FakeTokenEmbedder())
    river = make_document("river-accord", b"The River Accord\n\nThe River Accord shares the Tamsin river.\n")
    model = FakeTokenEmbedder()
    updated, _ = apply_changes(home, embedder=model, upserts=[river])
    new_chunks = [c for c in updated.chunks if c.doc_id == "river-accord"]
    assert model.token_texts == len(new_chunks)  # the old documents' pieces were reused
    fresh = Index.build_from_documents(
        updated.documents(), tmp_path / "fresh", embedder=FakeTokenEmbedder(), chunker=ChunkerConfig()
    )
    assert updated.tokens is not None and fresh.tokens is not None
    np.testing.assert_array_equal(updated.tokens.pointers, fresh.tokens.pointers)
    np.testing.assert_array_equal(updated.tokens.vectors, fresh.tokens.vectors)


def test_an_index_from_before_late_interaction_is_stale_but_answers(tmp_path: Path) -> None:
    class NamedLikeDefault(FakeTokenEmbedder):
        name = "sentence-transformers/all-MiniLM-L6-v2"

    home = tmp_path / "index"
    built = Index.build(FIXTURE_CORPUS, home, embedder=NamedLikeDefault())
    assert stale_reasons(home, FIXTURE_CORPUS, chunker=ChunkerConfig()) == []
    # as an older version wrote it: no token files, no "tokens" in the manifest
    manifest = json.loads((built.folder / "manifest.json").read_text(encoding="utf-8"))
    del manifest["tokens"], manifest["counts"]["tokens"]
    (built.folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (built.folder / "tokens.npy").unlink()
    (built.folder / "token_pointers.npy").unlink()
    assert stale_reasons(home, FIXTURE_CORPUS, chunker=ChunkerConfig()) == [
        "no token vectors for late interaction (an index from an older version)"
    ]
    old = Index.open(home, embedder=NamedLikeDefault())
    assert old.tokens is None and old.ask("harbour patrols").hits


def test_late_interaction_can_be_left_out_and_stays_out(tmp_path: Path) -> None:
    home = tmp_path / "index"
    built = Index.build(FIXTURE_CORPUS, home, embedder=FakeTokenEmbedder(), late_interaction=False)
    assert built.tokens is None and built.manifest.tokens == 0
    assert not (built.folder / "tokens.npy").exists()
    river = make_document("river-accord", b"The River Accord\n\nThe River Accord shares the Tamsin river.\n")
    model = FakeTokenEmbedder()
    updated, _ = apply_changes(home, embedder=model, upserts=[river])
    assert updated.tokens is None and model.token_texts == 0  # a change keeps the index's choice


def test_questions_run_numpy_blas_on_one_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from threadpoolctl import threadpool_info, threadpool_limits

    def blas_threads() -> list[int]:
        # numpy's own BLAS, which the ranker's products run on (`index.ranking.blas`): another one
        # loaded later by another library (as when the ONNX tests ran first) is not the ranker's
        return [
            lib["num_threads"]
            for lib in threadpool_info()
            if lib["user_api"] == "blas" and "numpy" in lib["filepath"]
        ]

    seen: list[int] = []
    maxsim = TokenTable.maxsim

    def recording(self: TokenTable, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        seen.extend(blas_threads())
        return maxsim(self, query, rows)

    monkeypatch.setattr(TokenTable, "maxsim", recording)
    index = Index.build(FIXTURE_CORPUS, tmp_path / "index", embedder=FakeTokenEmbedder())
    with threadpool_limits(2, user_api="blas"):  # as on this 2-core machine, whatever the host
        before = blas_threads()
        index.ask("harbour patrols", k=2)
        assert seen and set(seen) == {1}
        assert blas_threads() == before  # and as it was once the question is done


def test_a_large_table_is_mapped_float16_and_scores_the_same(tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    per_chunk = []
    for size in [4, 0, 9, 1, 6]:
        rows = rng.standard_normal((size, 16)).astype(np.float32)
        per_chunk.append(rows / np.linalg.norm(rows, axis=1, keepdims=True))
    held = TokenTable.of(per_chunk, 16)
    large = TokenTable.of(per_chunk, 16, hold_limit=0)  # every table is "large" past 0 bytes
    assert held.held and held.vectors.dtype == np.float32
    assert not large.held and large.vectors.dtype == np.float16
    np.testing.assert_array_equal(large.vectors.astype(np.float32), held.vectors)
    query = rng.standard_normal((5, 16)).astype(np.float32)
    query /= np.linalg.norm(query, axis=1, keepdims=True)
    rows = np.array([2, 0, 1, 4, 3])
    expected = held.maxsim(query, rows)
    np.testing.assert_array_equal(large.maxsim(query, rows), expected)  # the same, not merely close
    np.testing.assert_allclose(
        expected, [_brute_maxsim(query, held.rows_of(int(r))) for r in rows], rtol=1e-5, atol=1e-6
    )
    held.save(tmp_path)
    mapped = TokenTable.load(tmp_path, chunks=5, dimension=16, count=20, hold_limit=0)
    assert isinstance(mapped.vectors, np.memmap) and mapped.vectors.dtype == np.float16
    np.testing.assert_array_equal(mapped.maxsim(query, rows), expected)
    assert TokenTable.load(tmp_path, chunks=5, dimension=16, count=20).held
    # saved from the mapped table, the file is the same bytes
    again = tmp_path / "again"
    again.mkdir()
    mapped.save(again)
    assert (again / "tokens.npy").read_bytes() == (tmp_path / "tokens.npy").read_bytes()


def test_an_index_with_a_mapped_table_answers_and_takes_writes_as_a_held_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import index.late

    held_home, mapped_home = tmp_path / "held", tmp_path / "mapped"
    Index.build(FIXTURE_CORPUS, held_home, embedder=FakeTokenEmbedder())
    Index.build(FIXTURE_CORPUS, mapped_home, embedder=FakeTokenEmbedder())
    held = Index.open(held_home, embedder=FakeTokenEmbedder())
    monkeypatch.setattr(index.late, "HOLD_LIMIT", 0)
    mapped = Index.open(mapped_home, embedder=FakeTokenEmbedder())
    assert held.tokens is not None and held.tokens.held
    assert mapped.tokens is not None and not mapped.tokens.held
    for question in ["harbour patrols", "Who keeps the lighthouse?", "rescue exercise Grey Heron"]:
        a, b = held.ask(question, k=5), mapped.ask(question, k=5)
        assert [(h.chunk.chunk_id, h.score) for h in a.hits] == [(h.chunk.chunk_id, h.score) for h in b.hits]
    river = make_document("river-accord", b"The River Accord\n\nThe River Accord shares the Tamsin river.\n")
    model = FakeTokenEmbedder()
    updated, _ = apply_changes(mapped_home, embedder=model, upserts=[river])
    assert model.token_texts == len([c for c in updated.chunks if c.doc_id == "river-accord"])
    held_updated, _ = apply_changes(held_home, embedder=FakeTokenEmbedder(), upserts=[river])
    assert updated.tokens is not None and held_updated.tokens is not None
    np.testing.assert_array_equal(updated.tokens.vectors.astype(np.float32), held_updated.tokens.vectors)
