"""Abbreviations people type in questions, read as the words texts write out.

"how many people max on the bike maintenance course" held half of what it asks of "**Group size:** a
maximum of 8 participants", "max" being a word the course outline never uses, and was refused for
want of a number (session 24); "how many meeting room hrs do flex members get" likewise. A question
word the corpus never uses, that abbreviates a word it does, is read as that word, as an acronym
the corpus spells out is (`index/acronyms.py`) and another name of a country it names
(`index/countries.py`). Only abbreviations with one reading: not "min" (minimum or minutes), "no."
or "sec" (second or section), nor "temp" (temperature or temporary).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from types import MappingProxyType

ABBREVIATIONS: Mapping[str, str] = MappingProxyType(
    {
        "max": "maximum",
        "approx": "approximately",
        "hr": "hour",
        "hrs": "hours",
        "mins": "minutes",
        "secs": "seconds",
        "wk": "week",
        "wks": "weeks",
        "mth": "month",
        "mths": "months",
        "yr": "year",
        "yrs": "years",
        "qty": "quantity",
        "amt": "amount",
        "dept": "department",
        "appt": "appointment",
        "appts": "appointments",
        "info": "information",
        "reqs": "requirements",
    }
)
WORD = re.compile(r"\b[A-Za-z]+\b")


def abbreviations_for(uses: Callable[[str], bool]) -> dict[str, str]:
    """Abbreviation → its word, for the abbreviations the corpus never uses and whose word it does
    (`uses` a lower-case word)."""
    return {short: word for short, word in ABBREVIATIONS.items() if not uses(short) and uses(word)}


def expand_abbreviations(question: str, abbreviations: Mapping[str, str]) -> str:
    """`question` with each abbreviation of `abbreviations` (a whole word, in any case) read as its
    word: "how many people max on the course" → "how many people maximum on the course"."""
    if not abbreviations:
        return question
    return WORD.sub(lambda match: abbreviations.get(match.group(0).lower(), match.group(0)), question)
