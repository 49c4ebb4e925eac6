"""Acronyms of the names the corpus spells out, so a question may use them ("What is GSOMIA?").

Texts often name an agreement in full and never abbreviate it ("the General Security of Military
Information Agreement"), while readers ask with the acronym everyone uses. Neither BM25 nor the
embedding model can match "GSOMIA" to the full name, and the abstention rule sees a question about
a word the corpus never uses.

So, when an index opens, every run of two or more capitalised words on one line (small words such
as "of" and "and" may sit between them; hyphenated parts count as words) yields the acronyms of its
sub-runs: the initials of the capitalised words, and of every word ("Acquisitions and
Cross-Servicing Agreement" → ACSA, ACASA; "General Security of Military Information Agreement" →
GSMIA, GSOMIA). A question word the corpus never uses that is one of those acronyms (of three or more
letters, written in capitals) is read as the name (or names) it stands for by the search.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

SMALL_WORDS = ("of", "and", "for", "the", "on", "in", "to")
CAPITALISED = r"[A-Z][A-Za-z]*(?:-[A-Z][A-Za-z]*)*"
SMALL = "|".join(SMALL_WORDS)
# two or more capitalised words, small words allowed between them, on one line
NAME = re.compile(rf"\b{CAPITALISED}(?:[ \t]+(?:(?:{SMALL})[ \t]+)*{CAPITALISED})+\b")
ACRONYM = re.compile(r"\b[A-Z]{3,10}\b")  # in the question: written in capitals
MIN_LETTERS = 3
MAX_EXPANSIONS = 3  # an acronym several names share is read as each of them, up to this many


def _parts(name: str) -> list[tuple[str, bool]]:
    """The words of `name`, hyphenated ones split, each with whether it is a small word."""
    return [(part, word in SMALL_WORDS) for word in name.split() for part in word.split("-")]


def acronyms_of(name: str) -> dict[str, str]:
    """Acronym → the sub-run of `name` it abbreviates, for every sub-run that starts and ends capitalised."""
    words = name.split()
    found: dict[str, str] = {}
    for start in range(len(words)):
        if words[start] in SMALL_WORDS:
            continue
        for end in range(start + 2, len(words) + 1):
            if words[end - 1] in SMALL_WORDS:
                continue
            run = " ".join(words[start:end])
            parts = _parts(run)
            for acronym in (
                "".join(p[0] for p, small in parts if not small),
                "".join(p[0] for p, _ in parts),
            ):
                acronym = acronym.upper()
                if len(acronym) >= MIN_LETTERS:
                    found.setdefault(acronym, run)
    return found


def find_acronyms(texts: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Acronym → the names in `texts` it may stand for, most frequent first."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for text in texts:
        for match in NAME.finditer(text):
            for acronym, name in acronyms_of(match.group(0)).items():
                counts[acronym][name] += 1
    return {
        acronym: tuple(sorted(names, key=lambda n: (-names[n], n))[:MAX_EXPANSIONS])
        for acronym, names in sorted(counts.items())
    }


def expand_acronyms(question: str, table: Mapping[str, tuple[str, ...]], known: Mapping[str, int]) -> str:
    """`question` with each acronym the corpus never writes replaced by the names it stands for.

    `known` holds the corpus's own (lower-case) words: an acronym the corpus uses is left alone.
    """

    def expand(match: re.Match[str]) -> str:
        word = match.group(0)
        names = table.get(word)
        if names is None or word.lower() in known:
            return word
        # the acronym itself goes: as a word the corpus never uses it would only count against the question
        return " / ".join(names)

    return ACRONYM.sub(expand, question)
