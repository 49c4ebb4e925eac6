"""Names in a question the corpus never uses, capitals and demonyms standing for countries aside."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from index.names import (
    Wording,
    country_words,
    name_around,
    unknown_names,
    unknown_offices,
    unknown_things,
    unknown_titles,
)

CORPUS = {"japan", "united", "states", "south", "korea", "navy", "exercise", "treaty", "acsa"}


def knows(word: str) -> bool:
    return word in CORPUS or word in {"the", "of", "and", "what", "which", "do"}


def test_capitals_and_demonyms_of_countries_the_corpus_names_are_allowed() -> None:
    words = country_words(lambda w: w in CORPUS)

    assert {"tokyo", "washington", "seoul"} <= words
    assert {"japanese", "american", "korean"} <= words  # "South Korean" gives both words
    assert "canberra" not in words and "australian" not in words  # the corpus never names Australia
    assert "beijing" not in words and "chinese" not in words
    # other names of a country (session 17: "Britain" was refused over texts naming the UK), but
    # not the countries inside a long official name ("…of Great Britain and Northern Ireland")
    uk = country_words(lambda w: w in {"united", "kingdom"})
    assert {"britain", "british", "london"} <= uk and "ireland" not in uk and "gb" not in uk


def test_a_name_the_corpus_never_uses_is_found() -> None:
    capitals = {"tokyo", "washington"}

    assert unknown_names("Which navies join the Malabar exercise?", knows, capitals) == ["Malabar"]
    assert unknown_names("Does the Quad matter to Tokyo and Washington?", knows, capitals) == ["Quad"]
    assert unknown_names("What is NATO? Does Japan join?", knows, capitals) == ["NATO"]


@pytest.mark.parametrize(
    ("question", "unknown"),
    [
        ("Does the treaty (ACT) bind Japan?", []),  # an acronym the question itself spells out
        ("Does the ACT (treaty) bind Japan?", []),
        ("Which navy (JMSDF2) joins the exercise?", []),  # its digits aside
        ("Does the Malabar (MLB) exercise bind Japan?", ["Malabar", "MLB"]),  # it glosses an unknown word
        ("Does the exercise (Malabar) bind Japan?", ["Malabar"]),  # a name, not an acronym
        ("Does the MLB (Malabar exercise) bind Japan?", ["MLB", "Malabar"]),  # glossed by an unknown word
        ("Does the treaty bind the ACT?", ["ACT"]),
    ],
)
def test_an_acronym_the_question_glosses_with_corpus_words_is_no_unknown_name(
    question: str, unknown: list[str]
) -> None:
    assert unknown_names(question, knows, set()) == unknown


@pytest.mark.parametrize(
    ("question", "word", "name"),
    [
        (
            "When was the General Security of Military Information Agreement signed?",
            "General",
            "General Security of Military Information Agreement",
        ),
        (
            "When was the General Security of Military Information Agreement signed?",
            "Military",
            "General Security of Military Information Agreement",
        ),
        ("What is the exercise between Japan and India?", "India", "India"),  # "and" joins two names
        ("Which navies join the Malabar naval exercise?", "Malabar", "Malabar"),
        ("Which Malabar ships sail?", "Malabar", "Malabar"),  # the opening word is no part of it
        (
            "Is the Japan-UK Reciprocal Access Agreement signed?",
            "Reciprocal",
            "Japan-UK Reciprocal Access Agreement",
        ),
        ("Nothing here?", "Quad", "Quad"),
        # a word with a hyphenated rest: the name goes on past the hyphen
        ("Who commands the Japan Self-Defense Forces?", "Self", "Japan Self-Defense Forces"),
        ("Is the Japan-Philippines pact signed?", "Philippines", "Philippines"),
    ],
)
def test_a_name_is_said_whole(question: str, word: str, name: str) -> None:
    assert name_around(question, word) == name


def test_openings_known_words_and_capitals_are_not_names() -> None:
    capitals = {"tokyo", "washington"}

    # the question's first word, and a sentence's, are capitalised anyway
    assert unknown_names("Explain the treaty. Summarise it.", knows, capitals) == []
    # Title Case and words the corpus uses are no unknown names
    assert unknown_names("What Do The Japan And United States Navy Do?", knows, capitals) == []
    assert unknown_names("What do Tokyo and Washington sign with the ACSA?", knows, capitals) == []


ESSAY = Wording.of(
    [
        "The Japan-US Mutual Cooperation and Security Treaty was signed in 1960. It covers reciprocal "
        "provisions such as fuel, and access to ports. The Japan-South Korea General Security of "
        "Military Information Agreement supports intelligence sharing, and the status of the alliance "
        "is secure. Weapons of mass destruction are a concern."
    ]
)


@pytest.mark.parametrize(
    ("question", "name"),
    [
        # every word is one the essay uses, but only in lower case, and never as this name
        ("What does the Reciprocal Access Agreement allow?", "Reciprocal Access Agreement"),
        ("Is the Status of Forces Agreement fair?", "Status of Forces Agreement"),
        (
            "When did the Japan-Australia Reciprocal Access Agreement start?",
            "Japan-Australia Reciprocal Access Agreement",
        ),
    ],
)
def test_a_title_in_words_the_corpus_never_writes_as_a_name_is_unknown(question: str, name: str) -> None:
    assert unknown_titles(question, ESSAY) == [name]


@pytest.mark.parametrize(
    "question",
    [
        "When was the Japan-US Security Treaty signed?",  # reworded, but every word is a capitalised one
        "What does the Intelligence Sharing Agreement cover?",  # the essay writes "intelligence sharing"
        "What does the Japan-South Korea Intelligence Sharing Agreement cover?",
        "Are Weapons of Mass Destruction a concern?",  # no agreement, treaty or strategy: not a title
        "What reciprocal access does the agreement give?",  # not capitalised: not a name
    ],
)
def test_titles_the_corpus_covers_and_runs_that_are_no_titles_pass(question: str) -> None:
    assert unknown_titles(question, ESSAY) == []


def test_wording_records_case_and_order() -> None:
    assert "reciprocal" in ESSAY.lower and "reciprocal" not in ESSAY.capitalised
    assert "security" in ESSAY.capitalised
    assert ESSAY.writes(["intelligence", "sharing"])
    assert not ESSAY.writes(["sharing", "intelligence"])
    assert not ESSAY.writes(["intelligence", "shar"])  # whole words only


@pytest.mark.parametrize(
    ("question", "office"),
    [
        ("Who was Japan's prime minister when the 1960 treaty was signed?", "minister"),
        ("Which US president signed the treaty?", "president"),
        ("What Japanese defense minister met the navy?", "minister"),
        ("Who is the secretary-general of NATO?", "secretary"),
        ("which ambassadors attended?", "ambassador"),
        # asked for by name (session 25)
        ("For my essay I need the name of the Japanese prime minister who signed the treaty.", "minister"),
        ("What was the name of the US ambassador at the time?", "ambassador"),
    ],
)
def test_a_question_asking_who_held_an_office_the_corpus_never_mentions(question: str, office: str) -> None:
    assert unknown_offices(question, lambda w: w in CORPUS) == [office]


@pytest.mark.parametrize(
    "question",
    [
        "Who takes part in the exercise?",  # a "who" question with no office: a country can answer it
        "What general principles guide the treaty?",  # "general" is no office here
        "What is the role of the secretary in the treaty?",  # not asking who
        "Which presidential decree created the navy?",
        "What is the name of the agreement the minister praised?",  # the name of an agreement
    ],
)
def test_questions_not_asking_for_an_office_holder_pass(question: str) -> None:
    assert unknown_offices(question, lambda w: w in CORPUS) == []


def test_an_office_the_corpus_mentions_passes() -> None:
    uses = (CORPUS | {"presidents"}).__contains__
    assert unknown_offices("Which US president signed the treaty?", uses) == []


def test_who_does_what_a_role_does_asks_for_the_role() -> None:
    # session 25: "who chairs the aldermoor foundation selection committee" was answered
    # "- references (10%)" from a guide that names no chair
    def knows(words: set[str]) -> Callable[[str], bool]:
        return lambda word: word in words

    assert unknown_things("who chairs the selection committee", knows({"selection"})) == ["chair"]
    assert unknown_things("Who is leading the walk?", knows({"walk", "led"})) == []  # "led by Sam"
    assert unknown_things("who is hosting the next meeting", knows({"meeting"})) == ["host"]
    assert unknown_things("who runs the chess club", knows(set())) == []  # "run" is no role's verb
