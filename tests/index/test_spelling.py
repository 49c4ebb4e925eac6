from __future__ import annotations

from index.spelling import is_english


def test_english_words_are_known_and_typos_are_not() -> None:
    assert is_english("president") and is_english("minimum") and is_english("calories")
    assert not is_english("bycicle") and not is_english("tradishonal") and not is_english("domanes")
