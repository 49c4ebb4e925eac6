"""Questions rewritten as people also type them: same ids and gold, another wording."""

from __future__ import annotations

import pytest

from alliance_qa.errors import InputError
from evals.questions import GoldSpan, Question
from evals.rewrites import CONTEXTS, LEAD_INS, REWRITES, rewrite_questions

GOLD = (GoldSpan("doc", 0, 4, "text"),)
QUESTIONS = [
    Question(f"q{i}", text, "factoid", "test", True, GOLD)
    for i, text in enumerate(
        [
            "When was the Japan-US treaty signed?",
            "What is GSOMIA?",
            "Which countries joined?",
            "How does Japan work with India?",
            "Why?",
            "Japan-India Defense Cooperation Agreement",
        ]
    )
]


def test_case_rewrites_keep_ids_and_gold() -> None:
    lower = rewrite_questions(QUESTIONS, "lower")
    upper = rewrite_questions(QUESTIONS, "upper")
    assert [q.question for q in lower][:2] == ["when was the japan-us treaty signed?", "what is gsomia?"]
    assert [q.question for q in upper][:2] == ["WHEN WAS THE JAPAN-US TREATY SIGNED?", "WHAT IS GSOMIA?"]
    for rewritten in (lower, upper):
        assert [(q.id, q.gold, q.answerable, q.kind) for q in rewritten] == [
            (q.id, q.gold, q.answerable, q.kind) for q in QUESTIONS
        ]


def test_requests_take_each_lead_in_by_turns_and_keep_names_capitalised() -> None:
    asked = [q.question for q in rewrite_questions(QUESTIONS, "request")]
    assert asked == [
        "Can you tell me: When was the Japan-US treaty signed?",
        "Please tell me what is GSOMIA?",
        "I'd like to know which countries joined?",
        "Do you know how does Japan work with India?",
        "Tell me, why?",
        "Can you tell me: Japan-India Defense Cooperation Agreement",  # a name keeps its capital
    ]
    assert len(LEAD_INS) == 5


def test_context_puts_a_sentence_about_the_asker_first_by_turns() -> None:
    asked = [q.question for q in rewrite_questions(QUESTIONS, "context")]
    assert asked[0] == f"{CONTEXTS[0]} When was the Japan-US treaty signed?"
    assert asked[5] == f"{CONTEXTS[0]} Japan-India Defense Cooperation Agreement"
    assert {a.removesuffix(" " + q.question) for a, q in zip(asked, QUESTIONS, strict=True)} == set(CONTEXTS)


def test_an_unknown_rewrite_names_the_ones_there_are() -> None:
    with pytest.raises(InputError, match="choose one of lower, upper, request, context"):
        rewrite_questions(QUESTIONS, "pirate")


def test_the_cli_offers_every_rewrite() -> None:
    from service import cli

    # the CLI lists them itself: importing evals at start-up would cost half a second
    [option] = [p for p in cli.eval_command.params if p.name == "rewrite"]
    assert list(option.type.choices) == list(REWRITES)  # type: ignore[attr-defined]
