"""The forms a number is written in, so a question may write it another way ("2023/24", "10000").

People write a tax year "2023/24", "2023-24" or "24/25" where a page writes "2023 to 2024", and a
sum "10000" where it writes "£10,000". The two forms share no word for BM25, the model reads them
apart, and the abstention rule refused the question for naming a number the texts never write:
"dividend alowance 2023/24" and "CGT annual exempt amount 2024-25" were refused, "the texts never
mention “2023/24”", over the table answering them (session 19). So, when an index opens, every
range of two consecutive years ("2023 to 2024", "2023/24", "2023–2024") and every number of four or
more digits ("10,000", "10000") the texts write is keyed by its value; a question writing one in a
form the texts never use is read with the form they use most. A year written short ("was that
'45?") is read as the one year the texts write that ends so ("1945"; session 22: it was refused,
"the texts never mention “45”"). And a world war is read as the texts name it: "the Second World
War", "WW2", "World War Two" as "World War II" where they write that (session 23: "How do the two
essays place the origins of Japan's security arrangements relative to the Second World War?" was
refused, "the texts never mention “Second World War”", of essays writing "World War II" and "WWII").
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

# a range of two years, as texts and questions write it: "2023 to 2024", "2023/24", "2023-2024",
# "2023–24"; questions also "24/25" (the century is this one)
_YEAR = r"1[5-9]\d\d|20\d\d"
_SEPARATOR = r"\s*(?:/|-|–|—)\s*|\s+to\s+"
TEXT_RANGE = re.compile(rf"\b(?P<first>{_YEAR})(?:{_SEPARATOR})(?P<second>\d\d(?:\d\d)?)\b")
QUESTION_RANGE = re.compile(rf"\b(?P<first>{_YEAR}|\d\d)(?:{_SEPARATOR})(?P<second>\d\d(?:\d\d)?)\b")
# a year written short, "'45" or "’45" (not a decade, "the ’90s", nor a quote's end, "…'45'"), and
# a year written whole
SHORT_YEAR = re.compile(r"(?<![\w'’])['’](?P<digits>\d\d)(?![\w'’])")
YEAR = re.compile(_YEAR)
# a world war by any of its names: "the Second World War", "World War II", "World War Two", "WW2",
# "WWII" (and the first's)
WORLD_WAR = re.compile(
    r"\b(?:(?P<ordinal>First|Second|1st|2nd)\s+World\s+War|World\s+War\s+(?P<number>II|I|Two|One|2|1)"
    r"|WW\s?(?P<short>II|I|2|1))\b",
    re.IGNORECASE,
)
_WAR_NUMBERS = {
    "first": 1,
    "1st": 1,
    "one": 1,
    "i": 1,
    "1": 1,
    "second": 2,
    "2nd": 2,
    "two": 2,
    "ii": 2,
    "2": 2,
}
# a number of four or more digits, grouped by thousands or not ("10,000", "10000"); not a part of a
# decimal, a version or a date ("1.10000", "2025-06-01")
LARGE = re.compile(r"(?<![\d.,/:-])(?:\d{1,3}(?:,\d{3})+|\d{4,})(?![\d/:-]|[.,]\d)")


def _range_key(first: str, second: str) -> str | None:
    """ "2023-2024" for a range of two consecutive years written `first` and `second` ("2023", "24";
    "24", "25"); None when they are not consecutive years."""
    start = int(first) if len(first) == 4 else 2000 + int(first)
    end = int(second) if len(second) == 4 else start // 100 * 100 + int(second)
    if len(second) == 2 and end < start:  # "1999/00"
        end += 100
    return f"{start}-{end}" if end == start + 1 else None


def number_forms(texts: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Per year range ("2023-2024"), large number ("10000") and world war ("world war 2"), the forms
    `texts` write it in, the most used first."""
    counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        for match in TEXT_RANGE.finditer(text):
            if (key := _range_key(match["first"], match["second"])) is not None:
                counts[key][match.group(0)] += 1
        for match in LARGE.finditer(text):
            counts[match.group(0).replace(",", "")][match.group(0)] += 1
        for match in WORLD_WAR.finditer(text):
            counts[_war_key(match)][match.group(0)] += 1
    return {key: tuple(form for form, _ in forms.most_common()) for key, forms in counts.items()}


def read_numbers(question: str, forms: Mapping[str, tuple[str, ...]]) -> str:
    """`question` with each year range, large number and world war it writes in a form the texts
    never use written as the texts write it most ("2023/24" → "2023 to 2024", "10000" → "10,000",
    "the Second World War" → "World War II"); one the texts write in no form stays as it is."""
    if not forms:
        return question

    def instead(key: str | None, written: str) -> str:
        known = forms.get(key or "", ())
        return written if not known or written in known else known[0]

    question = QUESTION_RANGE.sub(
        lambda m: instead(_range_key(m["first"], m["second"]), m.group(0)), question
    )
    question = SHORT_YEAR.sub(lambda m: _whole_year(m, forms), question)
    question = WORLD_WAR.sub(lambda m: instead(_war_key(m), m.group(0)), question)
    return LARGE.sub(lambda m: instead(m.group(0).replace(",", ""), m.group(0)), question)


def _war_key(war: re.Match[str]) -> str:
    """ "world war 2" for any name of the Second World War `war` matched (`WORLD_WAR`)."""
    written = war["ordinal"] or war["number"] or war["short"]
    return f"world war {_WAR_NUMBERS[written.lower()]}"


def _whole_year(short: re.Match[str], forms: Mapping[str, tuple[str, ...]]) -> str:
    """The one year the texts write that `short` ("'45") ends, as they write it; `short` itself
    when they write none or several ("1945" and "2045")."""
    years = [key for key in forms if YEAR.fullmatch(key) and key.endswith(short["digits"])]
    return forms[years[0]][0] if len(years) == 1 else short.group(0)
