"""Running a question set through an index: span-derived relevance, skipped modes, per-kind figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alliance_qa.errors import InputError
from evals.questions import load_questions
from evals.runner import evaluate_questions
from index.retriever import Index
from tests.conftest import FIXTURE_CORPUS

SIGNED = "The Harbour Pact was signed in 1999 by the coastal states of Arvel and Brenn."
LENS = "The keepers cleaned the lens every morning."


def write_questions(path: Path) -> Path:
    """Three questions about the fixture corpus: two answerable (exact spans), one not."""
    pact = (FIXTURE_CORPUS / "harbour-pact.txt").read_text(encoding="utf-8")
    notes = (FIXTURE_CORPUS / "lighthouse-notes.md").read_text(encoding="utf-8")
    rows = [
        {
            "id": "q1",
            "question": "When was the Harbour Pact signed by the coastal states Arvel and Brenn?",
            "kind": "factoid",
            "split": "test",
            "answerable": True,
            "gold": [
                {
                    "doc_id": "harbour-pact",
                    "start": pact.index(SIGNED),
                    "end": pact.index(SIGNED) + len(SIGNED),
                    "quote": SIGNED,
                }
            ],
        },
        {
            "id": "q2",
            "question": "How often did the keepers clean the lens?",
            "kind": "paraphrase",
            "split": "test",
            "answerable": True,
            "gold": [
                {
                    "doc_id": "lighthouse-notes",
                    "start": notes.index(LENS),
                    "end": notes.index(LENS) + len(LENS),
                    "quote": LENS,
                }
            ],
        },
        {
            "id": "q3",
            "question": "Who won the 1986 football world cup?",
            "kind": "unanswerable",
            "split": "test",
            "answerable": False,
            "gold": [],
        },
        {
            "id": "q4",
            "question": "Where did the ministers meet?",
            "kind": "factoid",
            "split": "dev",
            "answerable": True,
            "gold": [{"doc_id": "harbour-pact", "start": 0, "end": 3, "quote": "The"}],
        },
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def index(tmp_path, fake_embedder) -> Index:
    return Index.build(FIXTURE_CORPUS, tmp_path / "index", embedder=fake_embedder)


def test_every_question_is_scored_against_passages_that_hold_its_gold_span(tmp_path, index):
    questions = load_questions(write_questions(tmp_path / "q.jsonl"), split="test")
    evaluation = evaluate_questions(index, questions, modes=["dense"], k=5)
    dense = evaluation.results["dense"]
    for q in questions[:2]:
        gold = q.gold[0]
        # reference: the first hit (searched again) whose chunk holds the whole gold sentence
        expected = next(
            h.rank
            for h in index.search(q.question, k=5, mode="dense")
            if h.chunk.doc_id == gold.doc_id and h.chunk.start <= gold.start and gold.end <= h.chunk.end
        )
        assert dense.per_query[q.id]["rank"] == expected
        assert dense.per_query[q.id]["rr"] == 1 / expected
        assert dense.per_query[q.id]["mrr@10"] == 1 / expected
    assert dense.per_query["q1"]["rank"] == 1  # the question repeats the answer's words
    # the unanswerable question has no retrieval figures but is counted for abstention
    assert "rank" not in dense.per_query["q3"]
    assert dense.abstention is not None and dense.abstention["unanswerable"] == 1
    assert set(dense.per_kind) == {"factoid", "paraphrase", "unanswerable"}
    assert dense.per_kind["unanswerable"]["answerable"] == 0
    assert dense.latency_ms["p50"] is not None and dense.latency_ms["p50"] > 0
    assert dense.passage_chars_median is not None
    assert evaluation.setup["answerable"] == 2


def test_a_mode_the_index_refuses_is_skipped_with_its_reason(tmp_path, index):
    questions = load_questions(write_questions(tmp_path / "q.jsonl"), split="test")
    evaluation = evaluate_questions(index, questions, modes=["dense", "telepathy"], k=3)
    assert list(evaluation.results) == ["dense"]
    assert "telepathy" in evaluation.skipped["telepathy"]


@pytest.mark.parametrize("first", [True, False])
def test_a_question_the_index_cannot_ask_stops_the_run_naming_its_line(tmp_path, index, first):
    # first, it used to skip every mode as if the index lacked them (exit 0, an empty report);
    # later, to end the run with no file, line or id
    path = write_questions(tmp_path / "q.jsonl")
    long = json.dumps({"id": "long", "question": "Why? " * 300, "gold": [], "split": "test"})
    rows = path.read_text().splitlines()
    path.write_text("\n".join([long, *rows] if first else [*rows, long]) + "\n")
    line = 1 if first else len(rows) + 1
    with pytest.raises(InputError) as caught:
        evaluate_questions(index, load_questions(path, split="test"), modes=["dense", "lexical"])
    assert str(caught.value) == (
        f"{path}:{line}: question long: the question is 1499 characters long; keep it to 1000"
    )


def test_gold_spans_that_do_not_quote_the_index_stop_the_run(tmp_path, index):
    path = write_questions(tmp_path / "q.jsonl")
    path.write_text(path.read_text().replace('"quote": "The"', '"quote": "Thx"'))
    with pytest.raises(InputError, match="q4"):
        evaluate_questions(index, load_questions(path), modes=["dense"])


def test_each_answer_sentence_is_checked_against_the_gold_spans(tmp_path, index):
    questions = load_questions(write_questions(tmp_path / "q.jsonl"), split="test")
    hybrid = evaluate_questions(index, questions, modes=["hybrid"], k=5).results["hybrid"]
    expected = {}
    for q in questions:
        if not q.answerable:
            assert "answer_right" not in hybrid.per_query[q.id]
            continue
        result = index.ask(q.question, k=5, mode="hybrid")  # reference: the answer, checked by hand
        cited = None if result.answer is None else result.answer.citation
        expected[q.id] = cited is not None and any(
            cited.doc_id == g.doc_id and cited.start < g.end and g.start < cited.end for g in q.gold
        )
        assert hybrid.per_query[q.id]["answer_right"] is expected[q.id]
    assert expected["q1"]  # the question repeats the answer's words
    assert hybrid.answers is not None
    assert hybrid.answers["right"] == sum(expected.values()) / 2
    assert hybrid.answers["answerable"] == 2
    assert hybrid.per_kind["factoid"]["answer_right"] == 1.0
    assert "answer_right" not in hybrid.per_kind["unanswerable"]
