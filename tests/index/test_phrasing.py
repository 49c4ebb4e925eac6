"""The encoded question: its interrogative frame dropped, everything that names the subject kept."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from index.phrasing import encoding_text
from index.retriever import Index
from ingest.chunking import ChunkerConfig
from tests.conftest import FIXTURE_CORPUS, FakeEmbedder


@pytest.mark.parametrize(
    ("question", "encoded"),
    [
        ("What is the purpose of the VFA?", "purpose of the VFA"),
        ("When was the Japan-US security treaty signed?", "Japan-US security treaty signed"),
        ("How many players are on a rugby union team?", "players are on a rugby union team"),
        ("which countries joined", "countries joined"),
        ("  Who signed it ??  ", "signed it"),
        ("Why Japan?", "Japan"),
    ],
)
def test_the_frame_goes(question: str, encoded: str) -> None:
    assert encoding_text(question) == encoded


@pytest.mark.parametrize(
    "question",
    [
        "ACSA",
        "wen was the japan us securty treaty signd",  # misspelled: no frame to recognise
        "Whatever happened to the 1951 treaty",  # a word that only starts like one
        "Japan-India Defense Cooperation Agreement",
        "List the compliance mechanisms of the alliance",
    ],
)
def test_questions_without_a_frame_are_encoded_as_asked(question: str) -> None:
    assert encoding_text(question) == question


@pytest.mark.parametrize(("question", "encoded"), [("What?", "What"), ("What is the", "the"), ("?", "?")])
def test_a_question_that_is_all_frame_is_kept(question: str, encoded: str) -> None:
    assert encoding_text(question) == encoded


class RecordingEmbedder(FakeEmbedder):
    """The fake embedder, keeping the question texts it was asked to encode."""

    def __init__(self) -> None:
        self.questions: list[str] = []

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.questions.extend(texts)
        return super().encode_queries(texts)


def test_the_index_encodes_the_question_without_its_frame_and_reports_it_as_asked(tmp_path: Path) -> None:
    embedder = RecordingEmbedder()
    index = Index.build(
        FIXTURE_CORPUS, tmp_path / "index", embedder=embedder, chunker=ChunkerConfig(max_tokens=40)
    )
    result = index.ask("What does the harbour pact require?", k=2)
    assert embedder.questions == ["harbour pact require"]
    assert result.question == "What does the harbour pact require?"
    assert result.hits  # BM25 still read the question as asked: it ranks on its words
