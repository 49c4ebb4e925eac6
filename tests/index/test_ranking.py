"""`SearchConfig`: a setting a question would fail on, or pass over, is refused when it is made."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from alliance_qa.errors import InputError
from index.abstention import DEFAULT_RULE
from index.ranking import SearchConfig, opening
from index.retriever import Index
from tests.conftest import FIXTURE_CORPUS, FakeEmbedder


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"fusion": "borda"}, r"unknown fusion 'borda': choose one of rrf, weighted"),
        ({"weights": {"dense": 1.0, "lexcial": 0.02}}, r"weights names unknown runs \('lexcial'\)"),
        ({"scaling": {"dense": "zscore"}}, r"unknown scaling 'zscore': choose one of minmax, max, none"),
        ({"scaling": {"bm25": "max"}}, r"scaling names unknown runs \('bm25'\): the fused runs are dense"),
        ({"weights": [1.0, 0.02]}, r"weights must be a mapping of run names, got list"),
        ({"signal_passages": 0}, r"signal_passages must be a whole number of at least 1, got 0"),
        ({"pool": -5}, r"pool must be a whole number of at least 1"),
        ({"late_head": 2.5}, r"late_head must be a whole number of at least 0, got 2.5"),
        ({"answer_passages": True}, r"answer_passages must be a whole number"),
        ({"abstention": 0.9}, r"abstention must be an index.AbstentionRule"),
    ],
)
def test_a_setting_no_question_could_use_is_refused_when_made(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        SearchConfig(**settings)


def test_the_refusal_also_comes_from_replace() -> None:
    # `replace` is how the README tells library users to change one setting
    with pytest.raises(InputError, match="signal_passages"):
        replace(SearchConfig(), signal_passages=0)


def test_settings_at_their_bounds_answer(tmp_path: Any) -> None:
    Index.build(FIXTURE_CORPUS, tmp_path / "index", embedder=FakeEmbedder())
    config = SearchConfig(
        fusion="rrf", weights={"dense": 1.0}, pool=1, signal_passages=1, late_head=0, answer_passages=0
    )
    index = Index.open(tmp_path / "index", embedder=FakeEmbedder(), config=config)
    result = index.ask("Who keeps the lighthouse?", k=2)
    assert len(result.hits) == 2 and result.signals is not None
    assert (
        replace(config, abstention=replace(DEFAULT_RULE, min_confidence=0.9)).abstention.min_confidence == 0.9
    )


@pytest.mark.parametrize(
    ("text", "chars", "expected"),
    [
        ("Lease for Flat 4, Quay Street", 12, "Lease for"),  # "Flat" would be cut to "Fl"
        ("Lease for Flat 4, Quay Street", 14, "Lease for Flat"),  # a word ends at the cut
        ("Lease for Flat 4, Quay Street", 15, "Lease for Flat "),  # a space follows the cut
        ("Lease", 200, "Lease"),
        ("Supercalifragilistic", 5, "Super"),  # one word longer than the opening: cut
    ],
)
def test_a_documents_opening_keeps_whole_words(text: str, chars: int, expected: str) -> None:
    assert opening(text, chars) == expected
