"""The ONNX backend gives the torch backend's vectors, exports once, and starts without torch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from alliance_qa.errors import InputError, ModelError
from index.embedder import SentenceTransformerEmbedder, default_model_path, load_embedder
from index.late import TokenTable, content_rows
from index.onnx_embedder import OnnxEmbedder, _check_supported, export_onnx
from ingest.tokens import WordPieceCounter

SHORT = "Which exercise do Japan and India hold?"
MEDIUM = (
    "The Reciprocal Access Agreement between Japan and Australia, signed in 2022, sets the legal "
    "status of each country's forces while they train or operate in the other."
)
# ~400 word pieces: past the model's 256-piece window, so both backends must cut it at the same place
LONG = " ".join(f"Clause {i} binds both parties to consult before any deployment." for i in range(40))
BATCH = [SHORT, MEDIUM, LONG, "Alliance.", MEDIUM + " " + SHORT]


@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One export per test session: tracing the model takes a few seconds."""
    cache = tmp_path_factory.mktemp("onnx-cache")
    export_onnx(default_model_path(), cache)
    return cache


@pytest.fixture(scope="session")
def onnx_embedder(onnx_cache: Path) -> OnnxEmbedder:
    return OnnxEmbedder(cache_dir=onnx_cache)


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray((a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)))


@pytest.mark.model
def test_onnx_vectors_match_torch(onnx_embedder: OnnxEmbedder, real_embedder) -> None:  # type: ignore[no-untyped-def]
    assert onnx_embedder.count_tokens(LONG) > onnx_embedder.window  # the long text really is truncated
    onnx = onnx_embedder.encode(BATCH)
    torch = real_embedder.encode(BATCH)
    assert onnx.dtype == np.float32
    assert onnx.shape == (len(BATCH), real_embedder.dimension)
    assert _cosines(onnx, torch).min() >= 0.999
    np.testing.assert_allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)


@pytest.mark.model
def test_onnx_token_vectors_match_torch(onnx_cache: Path, onnx_embedder: OnnxEmbedder, real_embedder) -> None:  # type: ignore[no-untyped-def]
    # late interaction (index/late.py): the same content pieces, the same vectors, in either backend
    onnx = onnx_embedder.encode_tokens(BATCH, batch_size=2)  # padded batches
    torch = real_embedder.encode_tokens(BATCH)
    for mine, theirs in zip(onnx, torch, strict=True):
        assert mine.shape == theirs.shape and len(mine) > 0
        assert _cosines(mine, theirs).min() >= 0.999
    # "Which exercise do Japan and India hold?": exercise, japan, india, hold (the model is uncased)
    assert len(onnx[0]) == 4
    # a question's pooled vector and pieces come from one run; int8 moves the pieces a little only
    int8 = load_embedder("onnx-int8", cache_dir=onnx_cache)
    assert isinstance(int8, OnnxEmbedder)
    pooled, pieces = int8.encode_query_tokens(SHORT)
    np.testing.assert_allclose(pooled, int8.encode_queries([SHORT]), atol=1e-6)
    assert pieces.shape == onnx[0].shape
    assert _cosines(pieces, onnx[0]).min() >= 0.95


@pytest.mark.model
def test_onnx_embedder_describes_the_same_model_as_torch(onnx_embedder: OnnxEmbedder, real_embedder) -> None:  # type: ignore[no-untyped-def]
    # an index built with one backend must open with the other: the manifest records these
    assert onnx_embedder.name == real_embedder.name == "sentence-transformers/all-MiniLM-L6-v2"
    assert (onnx_embedder.dimension, onnx_embedder.window) == (real_embedder.dimension, real_embedder.window)
    assert onnx_embedder.path == real_embedder.path


@pytest.mark.model
def test_padding_and_batching_do_not_change_vectors(onnx_embedder: OnnxEmbedder) -> None:
    one_by_one = np.vstack([onnx_embedder.encode([text]) for text in BATCH])
    np.testing.assert_allclose(onnx_embedder.encode(BATCH), one_by_one, atol=1e-5)
    # small batches are sorted by length inside encode: rows must come back in the caller's order
    np.testing.assert_allclose(onnx_embedder.encode(BATCH, batch_size=2), one_by_one, atol=1e-5)


@pytest.mark.model
def test_one_run_gives_what_the_two_calls_give(onnx_embedder: OnnxEmbedder) -> None:
    """`encode_with_tokens` (an index's chunks) equals `encode` and `encode_tokens`, row by row in
    the caller's order, whatever the batch size."""
    for batch_size in (2, 32):
        vectors, pieces = onnx_embedder.encode_with_tokens(BATCH, batch_size=batch_size)
        np.testing.assert_allclose(vectors, onnx_embedder.encode(BATCH), atol=1e-6)
        for got, want in zip(pieces, onnx_embedder.encode_tokens(BATCH), strict=True):
            assert got.shape == want.shape
            np.testing.assert_allclose(got, want, atol=1e-6)
    vectors, pieces = onnx_embedder.encode_with_tokens([])
    assert vectors.shape == (0, onnx_embedder.dimension) and pieces == []


def test_document_pieces_come_in_float16_as_the_table_stores_them(onnx_embedder: OnnxEmbedder) -> None:
    """An ingest holds every chunk's pieces until the table is built: in float16 that is half the
    memory, and the table is the same (it rounds to float16 anyway). A question's stay float32."""
    _, pieces = onnx_embedder.encode_with_tokens(BATCH)
    assert all(p.dtype == np.float16 for p in pieces)
    full = [content_rows(e.tokens, h) for e, h in _hidden(onnx_embedder, BATCH)]
    for got, want in zip(pieces, full, strict=True):
        np.testing.assert_allclose(got, want, atol=2e-3)  # float16's rounding of the same rows
    np.testing.assert_allclose(
        TokenTable.of(pieces, 384).vectors, TokenTable.of(full, 384).vectors, atol=1e-3
    )
    _, question = onnx_embedder.encode_query_tokens(BATCH[0])
    assert question.dtype == np.float32


def _hidden(embedder: OnnxEmbedder, texts: list[str]) -> list[tuple[Any, np.ndarray]]:
    """Each text's encoding and last hidden states, from the float32 graph."""
    encodings, feeds = embedder._feeds(texts)
    _, tokens = embedder._documents().run_both(feeds)
    return list(zip(encodings, tokens, strict=True))


@pytest.mark.model
def test_truncation_is_at_the_model_window_not_the_tokenizer_files_128(onnx_embedder: OnnxEmbedder) -> None:
    base = " ".join(["harbour"] * 200)  # 200 pieces: inside 256, past the shipped file's 128
    assert 128 < onnx_embedder.count_tokens(base) < onnx_embedder.window - 10
    inside = onnx_embedder.encode([base, base + " submarine cable"])
    assert _cosines(inside[:1], inside[1:])[0] < 0.99999  # words after 128 pieces are read
    past = " ".join(["harbour"] * 300)
    beyond = onnx_embedder.encode([past, past + " submarine cable"])
    np.testing.assert_allclose(beyond[0], beyond[1], atol=1e-6)  # words after 256 pieces are not


@pytest.mark.model
def test_empty_input_gives_no_rows(onnx_embedder: OnnxEmbedder) -> None:
    assert onnx_embedder.encode([]).shape == (0, onnx_embedder.dimension)


@pytest.mark.model
def test_count_tokens_equals_the_word_piece_counter(onnx_embedder: OnnxEmbedder) -> None:
    counter = WordPieceCounter(default_model_path())
    for text in [*BATCH, "", "日本とオーストラリア"]:
        assert onnx_embedder.count_tokens(text) == counter(text)


@pytest.mark.model
def test_the_export_is_reused_not_redone(onnx_cache: Path, onnx_embedder: OnnxEmbedder) -> None:
    before = onnx_embedder.onnx_path.stat().st_mtime_ns
    again = OnnxEmbedder(cache_dir=onnx_cache)
    assert again.onnx_path == onnx_embedder.onnx_path
    assert again.onnx_path.stat().st_mtime_ns == before
    # no temporary files are left next to the published models
    assert [p.name for p in onnx_cache.iterdir() if p.name.startswith(".") or p.suffix != ".onnx"] == []


@pytest.mark.model
def test_a_cached_export_loads_and_encodes_without_importing_torch(onnx_cache: Path) -> None:
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from index.onnx_embedder import OnnxEmbedder\n"
        f"OnnxEmbedder(cache_dir=Path({str(onnx_cache)!r})).encode(['alliance'])\n"
        "print('torch' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


@pytest.mark.model
def test_int8_backend_quantises_questions_only(
    onnx_cache: Path, onnx_embedder: OnnxEmbedder, real_embedder
) -> None:  # type: ignore[no-untyped-def]
    int8 = load_embedder("onnx-int8", cache_dir=onnx_cache)
    assert isinstance(int8, OnnxEmbedder)
    assert int8.onnx_path.name.endswith(".onnx") and "-int8" in int8.onnx_path.name
    assert int8.onnx_path.stat().st_size < onnx_embedder.onnx_path.stat().st_size / 2
    # documents: the float32 graph, so an index does not depend on the backend that built it
    np.testing.assert_allclose(int8.encode(BATCH), onnx_embedder.encode(BATCH), atol=1e-6)
    # questions: the int8 graph moves vectors a little (measured min 0.989 over the 114 evaluation
    # questions, 0.984 with every MatMul in int8), never wildly
    questions = int8.encode_queries(BATCH)
    assert not np.allclose(questions, onnx_embedder.encode_queries(BATCH), atol=1e-4)
    assert _cosines(questions, real_embedder.encode(BATCH)).min() >= 0.985
    assert int8.encode_queries([]).shape == (0, int8.dimension)


@pytest.mark.model
def test_int8_graph_keeps_the_first_feed_forward_output_in_float32(onnx_cache: Path) -> None:
    import onnx

    int8 = load_embedder("onnx-int8", cache_dir=onnx_cache)
    assert isinstance(int8, OnnxEmbedder)
    kinds = {node.name: node.op_type for node in onnx.load(str(int8.onnx_path)).graph.node}
    kept = [name for name, kind in kinds.items() if kind == "MatMul" and "output/dense" in name]
    quantised = [name for name, kind in kinds.items() if kind == "MatMulInteger"]
    assert kept == ["/transformer/encoder/layer.0/output/dense/MatMul"]
    assert len(quantised) == 6 * 6 - 1  # q, k, v, attention out, intermediate, output per layer


@pytest.mark.model
def test_paths_given_as_str_load_the_same_model(onnx_cache: Path, onnx_embedder: OnnxEmbedder) -> None:
    # every other path the library takes may be a str; these met `.mkdir` and `/` on one
    loaded = load_embedder("onnx", str(default_model_path()), cache_dir=str(onnx_cache))
    assert loaded.name == onnx_embedder.name
    assert np.allclose(loaded.encode([SHORT]), onnx_embedder.encode([SHORT]))


def test_a_model_folder_given_as_a_str_is_checked_like_a_path(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not a sentence-transformers model folder"):
        SentenceTransformerEmbedder(str(tmp_path))
    with pytest.raises(ModelError, match="not a sentence-transformers model folder"):
        load_embedder("onnx", str(tmp_path), cache_dir=str(tmp_path / "cache"))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"cache_dir": 7}, r"cache_dir must be a path \(str or pathlib.Path\), got 7 \(int\)"),
        ({"model_path": 3.5}, r"model_path must be a path"),
        ({"threads": "2"}, r"threads must be a whole number \(an int\), got '2' \(str\)"),
        ({"threads": True}, r"threads must be a whole number"),
    ],
)
def test_wrong_types_of_options_are_input_errors(
    tmp_path: Path, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        load_embedder("onnx", **{"cache_dir": tmp_path, **options})


def test_unknown_backend_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="torch, onnx, onnx-int8"):
        load_embedder("tensorflow", cache_dir=tmp_path)


def test_models_the_graph_cannot_reproduce_are_refused(tmp_path: Path) -> None:
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"},
    ]
    (tmp_path / "modules.json").write_text(json.dumps(modules))
    with pytest.raises(ModelError, match="use the torch backend"):
        export_onnx(tmp_path, tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


def test_quantising_leaves_the_root_logger_unconfigured(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import logging

    from index.onnx_embedder import _no_root_handler_installed

    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])  # as in the CLI: nobody configured logging
    with _no_root_handler_installed():
        logging.warning("consider to run pre-processing before quantization")  # what onnxruntime says
    logging.getLogger("bm25s").debug("Building index from tokens")

    assert root.handlers == []
    assert "pre-processing" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("pooling", "supported"),
    [
        ({"pooling_mode": "mean", "embedding_dimension": 384, "include_prompt": True}, True),  # v6
        ({"pooling_mode": ["mean"]}, True),
        ({"pooling_mode_mean_tokens": True, "pooling_mode_cls_token": False}, True),  # before v6
        ({"pooling_mode": "cls"}, False),
        ({"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False}, False),
        ({"pooling_mode": ["mean", "max"]}, False),
    ],
)
def test_mean_pooling_is_read_in_the_config_of_every_sentence_transformers_version(
    tmp_path: Path, pooling: dict[str, object], supported: bool
) -> None:
    """A model saved by sentence-transformers 6 (a fine-tuned one, say) writes its pooling as
    `"pooling_mode": "mean"`; the ONNX backend refused it as pooling by "[]"."""
    modules = [
        {
            "idx": 0,
            "name": "0",
            "path": "",
            "type": "sentence_transformers.base.modules.transformer.Transformer",
        },
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ]
    (tmp_path / "modules.json").write_text(json.dumps(modules))
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    (tmp_path / "model.safetensors").write_bytes(b"")
    if supported:
        _check_supported(tmp_path)
    else:
        with pytest.raises(ModelError, match=r"mean pooling only \(this model uses \['"):
            _check_supported(tmp_path)


def test_embedding_progress_in_a_log_is_whole_lines(
    onnx_embedder: OnnxEmbedder, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from alliance_qa import progress

    monkeypatch.setattr(progress, "LOG_DELAY", 0.0)
    monkeypatch.setattr(progress, "LOG_EVERY", 0.0)
    texts = [f"sentence number {i}" for i in range(5)]
    quiet = onnx_embedder.encode(texts, batch_size=2)
    shown = onnx_embedder.encode(texts, batch_size=2, progress=True)
    np.testing.assert_array_equal(quiet, shown)
    err = capsys.readouterr().err
    assert "\r" not in err and "Embedding 5 texts:" in err and "3/3" in err.splitlines()[-1]
