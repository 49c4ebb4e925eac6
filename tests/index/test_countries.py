"""Questions asking which countries, answered by a sentence that names them (`index/countries.py`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from index.countries import aliases_for, asks_countries, countries_named, expand_aliases, names_in
from index.retriever import Index
from tests.conftest import FakeEmbedder

ALLIES = "By forging partnerships with key allies like the United States, Australia, the United Kingdom, South Korea, and India, Japan strengthens its position."


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Which countries has Japan built defense partnerships with?", True),
        ("With which nations has Japan signed security agreements?", True),
        ("what other allies does Japan have", True),
        ("which countrys does japan have defence treaties with", True),  # a typo (session 17)
        ("Which country signed first?", False),  # one country: any sentence may name it
        ("Which agreements did Japan sign?", False),
        ("How do the countries cooperate?", False),
        # how many, and which (session 26: answered with the 2015 guidelines' year)
        ("How many countries does Japan have key defense partnerships with, and which ones are they?", True),
        ("How many countries signed the treaty?", False),  # a figure
    ],
)
def test_which_countries_questions(question: str, asks: bool) -> None:
    assert asks_countries(question) is asks


def test_countries_are_counted_by_name_not_by_the_word() -> None:
    assert countries_named(ALLIES) == 6  # Japan too
    assert countries_named(ALLIES, besides=names_in("Which countries has Japan built ties with?")) == 5
    assert countries_named("integration of defense systems between the two countries") == 0
    assert countries_named("Indiana and the Japanese coast") == 0  # whole names only
    assert names_in("Japan and India signed it.") == {"Japan", "India"}


def test_the_answer_comes_from_a_passage_naming_countries(tmp_path: Path) -> None:
    """ "Which countries does Japan have defense treaties with?" was answered by "The interconnected
    nature of Japan's defense treaties reinforces the country's diplomatic influence" while the next
    passage named five allies (session 16)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "treaties.md").write_text(
        "# Defense treaties\n\nJapan has defense treaties with many countries, and those countries share goals "
        "on defense with Japan.\n",
        encoding="utf-8",
    )
    (corpus / "allies.md").write_text(f"# Allies\n\n{ALLIES}\n", encoding="utf-8")
    index = Index.build(corpus, tmp_path / "index", embedder=FakeEmbedder())
    question = "Which countries does Japan have defense treaties with?"
    result = index.ask(question, k=3, mode="lexical")
    assert result.hits[0].citation.doc_id == "treaties"  # the first passage names no country
    assert result.answer is not None and result.answer.text == ALLIES
    assert result.answer.citation.doc_id == "allies"
    # without the preference the first passage answers, as before
    index.config = replace(index.config, countries_bonus=0.0)
    result = index.ask(question, k=3, mode="lexical")
    assert result.answer is not None and result.answer.citation.doc_id == "treaties"


def test_other_names_of_countries_the_corpus_names_are_read_as_theirs() -> None:
    uses = {"south", "korea", "australia", "united", "kingdom", "japan"}.__contains__
    aliases = aliases_for(uses)
    assert aliases["ROK"] == "South Korea" and aliases["Aussie"] == "Australian"
    assert "PRC" not in aliases  # the corpus never names China
    assert "ROK" not in aliases_for(lambda w: uses(w) or w == "rok")  # the corpus's own word stays
    assert expand_aliases("the ROK-Japan pact", aliases) == "the South Korea-Japan pact"
    assert expand_aliases("japan and england", aliases) == "japan and United Kingdom"
    assert expand_aliases("a Rok concert", aliases) == "a Rok concert"  # an acronym only in capitals


def test_a_country_by_another_name_is_not_refused(tmp_path: Path) -> None:
    """Session 18: "What does the ROK-Japan intelligence pact do?" was refused, "the texts never
    mention “ROK-Japan”", and "Japanese and Aussie forces", "Japan and England" likewise."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "allies.md").write_text(f"# Allies\n\n{ALLIES}\n", encoding="utf-8")
    index = Index.build(corpus, tmp_path / "index", embedder=FakeEmbedder())
    for question in ("What does the ROK-Japan pact do?", "Do Aussie forces train with Japan?"):
        assert "never mention" not in (index.ask(question, k=1).refusal or ""), question
    index._ranker._aliases = {}
    assert index.ask("What does the ROK-Japan pact do?", k=1).refusal == "the texts never mention “ROK-Japan”"
