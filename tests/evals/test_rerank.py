"""Late interaction on BEIR runs: the head re-scored exactly, the rest kept below, the weight tuned on train."""

from __future__ import annotations

from math import isclose
from pathlib import Path

import numpy as np
import pytest

from evals.rerank import WEIGHTS, encode_corpus_tokens, rerank, tune_late
from evals.runner import evaluate_beir
from index.late import TokenTable
from tests.conftest import FakeEmbedder, FakeTokenEmbedder

BEIR = Path(__file__).parents[1] / "fixtures" / "beir"


def _table() -> tuple[TokenTable, dict[str, int], dict[str, np.ndarray]]:
    eye = np.eye(4, dtype=np.float32)
    # d0 holds pieces 0 and 1, d1 piece 2, d2 piece 3, d3 nothing
    table = TokenTable.of([eye[[0, 1]], eye[[2]], eye[[3]], eye[:0]], 4)
    return table, {"d0": 0, "d1": 1, "d2": 2, "d3": 3}, {"q": eye[[2]]}  # the question is piece 2


def test_the_head_is_rescored_and_the_rest_keeps_its_order_below() -> None:
    table, rows, pieces = _table()
    run = {"q": {"d0": 0.9, "d1": 0.5, "d2": 0.4, "d3": 0.3}}
    out = rerank(run, pieces, table, rows, weight=1.0, head=2)["q"]
    # d1 matches the question's one piece exactly: 0.5 + 1.0 · 1 beats d0's 0.9 + 0
    assert isclose(out["d1"], 0.5 + 1.0) and isclose(out["d0"], 0.9)
    assert list(out) == ["d1", "d0", "d2", "d3"]
    assert max(out["d2"], out["d3"]) < out["d0"]  # below every head score, in their old order
    assert list(rerank(run, pieces, table, rows, weight=0.0, head=2)["q"]) == list(run["q"])


def test_the_weight_is_chosen_on_training_qrels() -> None:
    table, rows, pieces = _table()
    run = {"q": {"d0": 0.9, "d1": 0.5}}
    assert tune_late({"q": {"d1": 1}}, run, pieces, table, rows, split="train").weight > 0
    # when the fused order is already right, no weight beats 0 and the smallest is kept
    choice = tune_late({"q": {"d0": 1}}, run, pieces, table, rows, split="train")
    assert (choice.weight, choice.tuned_on, choice.train_score) == (WEIGHTS[0], "train", 1.0)


def test_document_pieces_are_cached_by_model_and_content(tmp_path: Path) -> None:
    model = FakeTokenEmbedder()
    texts = ["harbour patrols", "lighthouse keepers log the weather"]
    first = encode_corpus_tokens(texts, model, name=model.name, cache_dir=tmp_path)
    again = encode_corpus_tokens(texts, model, name=model.name, cache_dir=tmp_path)
    assert model.token_texts == 2  # the second call read the cache
    np.testing.assert_array_equal(first.vectors, again.vectors)
    encode_corpus_tokens([*texts, "new"], model, name=model.name, cache_dir=tmp_path)
    assert model.token_texts == 5  # other texts, another cache entry


def test_beir_hybrid_is_reranked_with_a_weight_from_train(tmp_path: Path) -> None:
    evaluation = evaluate_beir(
        BEIR, split="test", embedder=FakeTokenEmbedder(), cache_dir=tmp_path, k=10, tune_split="train"
    )
    late = evaluation.results["hybrid"].notes["late"]
    assert late["tuned_on"] == "train" and late["weight"] in WEIGHTS
    # an embedder without token vectors: hybrid is the fusion alone
    plain = evaluate_beir(BEIR, split="test", embedder=FakeEmbedder(), cache_dir=tmp_path, k=10)
    assert "late" not in plain.results["hybrid"].notes


def test_every_step_after_the_token_vectors_reports_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # session 17: a first SciFact run printed nothing for ~6 minutes after its token vectors
    from alliance_qa import progress as module

    monkeypatch.setattr(module, "LOG_DELAY", 0.0)
    monkeypatch.setattr(module, "LOG_EVERY", 0.0)
    evaluate_beir(
        BEIR,
        split="test",
        embedder=FakeTokenEmbedder(),
        cache_dir=tmp_path,
        k=10,
        tune_split="train",
        progress=True,
    )
    labels = {line.split(":")[0] for line in capsys.readouterr().err.splitlines()}
    assert {"tuning fusion", "query word pieces", "tuning late interaction"} <= labels
