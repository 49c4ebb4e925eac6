"""Acronyms of names the texts spell out: found when an index opens, read in questions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.acronyms import acronyms_of, expand_acronyms, find_acronyms
from index.retriever import Index
from tests.conftest import FIXTURE_CORPUS, FakeEmbedder


def test_a_name_gives_the_acronyms_of_its_runs() -> None:
    found = acronyms_of("Japan-South Korea General Security of Military Information Agreement")

    # with and without the small words, hyphenated parts counted as words
    assert found["GSOMIA"] == found["GSMIA"] == "General Security of Military Information Agreement"
    assert found["JSKGSOMIA"].startswith("Japan-South Korea")
    assert found["MIA"] == "Military Information Agreement"
    assert "OMIA" not in found  # a run never starts (or ends) with a small word
    assert "IA" not in found  # two letters are too few to be told from ordinary words
    assert acronyms_of("Acquisitions and Cross-Servicing Agreement")["ACSA"] == (
        "Acquisitions and Cross-Servicing Agreement"
    )


def test_names_are_found_on_one_line_and_the_commonest_comes_first() -> None:
    texts = [
        "The Visiting Forces Agreement\nGoverns Troops. Each Visiting Forces Agreement is short.",
        "A Very Fine Apple.",
    ]
    table = find_acronyms(texts)

    assert table["VFA"] == ("Visiting Forces Agreement", "Very Fine Apple")
    assert "AGT" not in table  # "Agreement" and "Governs Troops" stand on different lines


def test_only_capitalised_acronyms_the_corpus_never_writes_are_expanded() -> None:
    table = {"VFA": ("Visiting Forces Agreement",), "ACSA": ("Acquisition and Cross-Servicing Agreement",)}
    known = {"acsa": 3, "agreement": 9}

    assert expand_acronyms("What does the VFA cover?", table, known) == (
        "What does the Visiting Forces Agreement cover?"
    )
    # the corpus writes "ACSA" itself; "vfa" in lower case is no acronym; NATO is in no name
    assert expand_acronyms("Is the ACSA a vfa like NATO?", table, known) == "Is the ACSA a vfa like NATO?"
    assert expand_acronyms("VFA or ABC?", {"VFA": ("One Name", "Other Name")}, {}) == (
        "One Name / Other Name or ABC?"
    )


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    corpus = tmp_path_factory.mktemp("corpus")
    for path in FIXTURE_CORPUS.iterdir():
        shutil.copy(path, corpus / path.name)
    (corpus / "patrols.txt").write_text(
        "Harbour Patrols\n\nThe Northern Harbour Patrol Agreement puts two cutters at the harbour mouth.\n",
        encoding="utf-8",
    )
    return Index.build(corpus, tmp_path_factory.mktemp("index"), embedder=FakeEmbedder())


def test_a_question_may_use_the_acronym_of_a_name_the_corpus_spells_out(index: Index) -> None:
    result = index.ask("What does the NHPA put at the harbour mouth?", k=2, mode="lexical")

    assert result.question == "What does the NHPA put at the harbour mouth?"  # as asked
    assert "Northern Harbour Patrol Agreement" in result.hits[0].chunk.text
    # BM25 alone knows no "nhpa": without the name it would rank on "harbour mouth" only
    assert index.ask("NHPA", k=1, mode="lexical").hits[0].chunk.doc_id == "patrols"


def test_acronyms_follow_the_documents(index: Index, tmp_path: Path) -> None:
    assert "NHPA" in index._ranker.acronyms
    assert (
        "NHPA"
        not in Index.build(FIXTURE_CORPUS, tmp_path / "index", embedder=FakeEmbedder())._ranker.acronyms
    )
