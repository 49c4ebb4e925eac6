"""What the searched texts use: a question restricted to some documents is checked against theirs."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.lexical import LexicalConfig, LexicalIndex
from index.retriever import Index
from index.scope import Scope
from tests.conftest import FIXTURE_CORPUS, FakeEmbedder

HARBOUR = "The Harbour Pact was signed in 1999 by Arvel and Brenn. Both navies patrol the harbour."
LIGHTHOUSE = "The lighthouse on Calder Point was built in 1872. The keepers cleaned the lens every morning."


@pytest.fixture(scope="module")
def lexical() -> LexicalIndex:
    return LexicalIndex.build([HARBOUR, LIGHTHOUSE], config=LexicalConfig())


def test_a_scope_knows_only_its_own_documents_words(lexical: LexicalIndex) -> None:
    corpus = Scope.corpus([HARBOUR, LIGHTHOUSE], lexical)
    lighthouse = Scope.within([LIGHTHOUSE], lexical)
    assert corpus.knows("arvel") and not lighthouse.knows("arvel")
    assert lighthouse.knows("keepers") and lighthouse.knows("keeprs")  # a typo of its own word
    assert lighthouse.uses("keeper") and not lighthouse.uses("navies")  # stems count
    assert lighthouse.knows("the")  # a stopword is used by any text
    assert lighthouse.numbers == {"1872"} and corpus.numbers == {"1999", "1872"}
    assert (corpus.label, lighthouse.label) == ("the texts", "the chosen documents")


def test_what_a_question_names_and_a_scope_never_does(lexical: LexicalIndex) -> None:
    lighthouse = Scope.within([LIGHTHOUSE], lexical)
    assert lighthouse.unknown("When did Arvel and Brenn sign the Harbour Pact in 1999?") == (
        ["“1999”"],
        ["“Arvel”", "“Brenn”", "“Harbour Pact”"],
    )
    assert lighthouse.unknown("When was the lighthouse on Calder Point built?") == ([], [])
    assert Scope.corpus([HARBOUR, LIGHTHOUSE], lexical).unknown("Which president built it?") == (
        [],
        ["a president"],
    )


def test_a_question_restricted_to_documents_that_never_name_its_subject_is_refused(tmp_path: Path) -> None:
    index = Index.build(FIXTURE_CORPUS, tmp_path / "index", embedder=FakeEmbedder())
    question = "When did Arvel and Brenn sign the Harbour Pact?"
    refused = index.ask(question, doc_ids=["lighthouse-notes"])
    assert not refused.answerable and refused.confidence == 0.0
    assert refused.refusal == "the chosen documents never mention “Arvel” or “Brenn” or “Harbour Pact”"
    assert refused.hits and {h.citation.doc_id for h in refused.hits} == {"lighthouse-notes"}
    for doc_ids in (None, ["harbour-pact"], ["harbour-pact", "lighthouse-notes"]):
        result = index.ask(question, doc_ids=doc_ids)
        assert result.refusal is None or "never mention" not in result.refusal, doc_ids
