"""Names in a question the corpus never uses, capitals standing for countries aside."""

from __future__ import annotations

from index.names import capital_words, unknown_names

CORPUS = {"japan", "united", "states", "south", "korea", "navy", "exercise", "treaty", "acsa"}


def knows(word: str) -> bool:
    return word in CORPUS or word in {"the", "of", "and", "what", "which", "do"}


def test_capitals_of_countries_the_corpus_names_are_allowed() -> None:
    words = capital_words(lambda w: w in CORPUS)

    assert {"tokyo", "washington", "seoul"} <= words
    assert "canberra" not in words  # the corpus never names Australia
    assert "beijing" not in words


def test_a_name_the_corpus_never_uses_is_found() -> None:
    capitals = {"tokyo", "washington"}

    assert unknown_names("Which navies join the Malabar exercise?", knows, capitals) == ["Malabar"]
    assert unknown_names("Does the Quad matter to Tokyo and Washington?", knows, capitals) == ["Quad"]
    assert unknown_names("What is NATO? Does Japan join?", knows, capitals) == ["NATO"]


def test_openings_known_words_and_capitals_are_not_names() -> None:
    capitals = {"tokyo", "washington"}

    # the question's first word, and a sentence's, are capitalised anyway
    assert unknown_names("Explain the treaty. Summarise it.", knows, capitals) == []
    # Title Case and words the corpus uses are no unknown names
    assert unknown_names("What Do The Japan And United States Navy Do?", knows, capitals) == []
    assert unknown_names("What do Tokyo and Washington sign with the ACSA?", knows, capitals) == []
