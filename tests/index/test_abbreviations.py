from __future__ import annotations

from pathlib import Path

from index.abbreviations import abbreviations_for, expand_abbreviations
from index.retriever import Index
from tests.conftest import FakeEmbedder


def test_an_abbreviation_the_corpus_never_writes_is_read_as_its_word() -> None:
    words = {"maximum", "hours", "max"}
    found = abbreviations_for(lambda word: word in words)
    # "max" is a word of this corpus, so it is read as written; "hours" is written out
    assert found == {"hrs": "hours"}
    assert expand_abbreviations("meeting room HRS a month", found) == "meeting room hours a month"
    assert expand_abbreviations("how many people max", {"max": "maximum"}) == "how many people maximum"
    # a whole word only, and nothing without abbreviations to read
    assert (
        expand_abbreviations("the maxim of Hrsk", {"max": "maximum", "hrs": "hours"}) == "the maxim of Hrsk"
    )
    assert expand_abbreviations("max", {}) == "max"


def test_a_number_question_with_an_abbreviation_finds_the_sentence_writing_it_out(tmp_path: Path) -> None:
    """Session 24: "how many people max on the bike maintenance course" held .50 of what it asks of
    "**Group size:** a maximum of 8 participants" and was refused for want of a number."""
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "course.md").write_text(
        "# Bike maintenance course\n\n**Group size:** a maximum of 8 participants, so everyone gets a stand.\n\n"
        "**Price:** £120 for the six evenings.\n",
        encoding="utf-8",
    )
    index = Index.build(tmp_path / "corpus", tmp_path / "index", embedder=FakeEmbedder())
    ranker = index._ranker
    # (read with the case the texts write their words in: "Bike")
    assert ranker.read("how many people max on the bike maintenance course").lower() == (
        "how many people maximum on the bike maintenance course"
    )

    def share(question: str) -> float:
        signals = index.ask(question, k=2).signals
        assert signals is not None and signals.number_share is not None
        return signals.number_share

    abbreviated = share("how many people max on the bike maintenance course")
    assert abbreviated == share("how many people maximum on the bike maintenance course")
    ranker._abbreviations = {}  # read as typed, "max" weighs as a word the texts never use
    assert share("how many people max on the bike maintenance course") < abbreviated
