"""Rewritten questions: the same question set as people also type it, to measure what wording costs.

The question files are written carefully: capitalised names, a question mark, no preamble. People
asking a search box write "what is gsomia", shout in capitals, or wrap the question in a request
("Can you tell me when the treaty was signed?"). `alliance-qa eval --rewrite NAME` asks every
question rewritten one way and keeps its id, so `alliance-qa eval-compare PLAIN REWRITTEN` pairs
each question with itself: a loss there is a question the product answers only when it is asked
one way.

- `lower`: all in lower case.
- `upper`: all in capitals.
- `request`: inside a request, a different lead-in by turns ("Can you tell me: …", "Please tell me
  …", "I'd like to know …", "Do you know …", "Tell me, …"), the question's own first letter lowered
  where it no longer opens the sentence.
- `context`: after a sentence about the asker, a different one by turns ("I'm preparing for an exam
  on Asian geopolitics.", "Our team is writing a policy brief on regional security.", …).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from alliance_qa.errors import InputError
from evals.questions import Question

# how people wrap a question in a request; "{}" is the question
LEAD_INS = (
    "Can you tell me: {}",
    "Please tell me {}",
    "I'd like to know {}",
    "Do you know {}",
    "Tell me, {}",
)


# what people say about themselves before asking
CONTEXTS = (
    "I'm preparing for an exam on Asian geopolitics.",
    "We are debating alliances in class tomorrow.",
    "I've been reading about defense policy lately.",
    "My editor asked me to check a few facts!",
    "Our team is writing a policy brief on regional security.",
)


def _request(question: str, turn: int) -> str:
    lead_in = LEAD_INS[turn % len(LEAD_INS)]
    if lead_in.endswith(": {}"):
        return lead_in.format(question)
    # "Please tell me what is…": the question's first word no longer opens the sentence; an acronym
    # or a name ("GSOMIA", "Japan") keeps its capital
    first, _, rest = question.partition(" ")
    if first[1:2].islower():
        first = first[0].lower() + first[1:]
    return lead_in.format(f"{first} {rest}" if rest else first)


REWRITES: dict[str, Callable[[str, int], str]] = {
    "lower": lambda question, _turn: question.lower(),
    "upper": lambda question, _turn: question.upper(),
    "request": _request,
    "context": lambda question, turn: f"{CONTEXTS[turn % len(CONTEXTS)]} {question}",
}


def rewrite_questions(questions: Sequence[Question], name: str) -> list[Question]:
    """`questions`, each rewritten by the rewrite called `name`, ids and gold unchanged."""
    rewrite = REWRITES.get(name)
    if rewrite is None:
        raise InputError(f"unknown rewrite {name!r}: choose one of {', '.join(REWRITES)}")
    return [replace(q, question=rewrite(q.question, turn)) for turn, q in enumerate(questions)]
