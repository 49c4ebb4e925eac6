"""Holidays named in a question, read with the dates texts write instead.

"is crossways open on boxing day?" was answered "Lunch closure: none - we stay open all day" (session
25): the pharmacy's notice writes "26 December (Friday): CLOSED". A holiday on a fixed date, named in
a question, is read with its date ("boxing day 26 December") when the texts never write its name, as
an abbreviation is read as its word (`index/abbreviations.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

# a holiday on a fixed date: how a question names it, its name's words as the texts would write
# them (lower case, "New Year's Day" as "new year s day"), and its date
Holiday = tuple[re.Pattern[str], tuple[str, ...], str]
HOLIDAYS: tuple[Holiday, ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), tuple(name.split()), date)
    for pattern, name, date in (
        (r"\bboxing\s+day\b", "boxing day", "26 December"),
        (r"\bchristmas\s+day\b", "christmas day", "25 December"),
        (r"\bchristmas\s+eve\b", "christmas eve", "24 December"),
        (r"\bnew\s+year['’]?s?\s+day\b", "new year s day", "1 January"),
        (r"\bnew\s+year['’]?s?\s+eve\b", "new year s eve", "31 December"),
        (r"\bhalloween\b", "halloween", "31 October"),
        (r"\bvalentine['’]?s\s+day\b", "valentine s day", "14 February"),
        (r"\bbonfire\s+night\b", "bonfire night", "5 November"),
    )
)


def unnamed_holidays(writes: Callable[[Sequence[str]], bool]) -> tuple[Holiday, ...]:
    """The holidays whose names the texts never `writes` (its words in order, lower case): found
    once per index, as each look-up reads the whole corpus."""
    return tuple(holiday for holiday in HOLIDAYS if not writes(holiday[1]))


def read_holidays(question: str, holidays: Sequence[Holiday]) -> str:
    """`question` with each of `holidays` it names followed by its date: "open on boxing day?" →
    "open on boxing day 26 December?"."""
    for named, _, date in holidays:
        question = named.sub(rf"\g<0> {date}", question)
    return question
