"""What the searched texts use: the words, numbers and names a question is checked against.

The checks that refuse a question naming what the texts never do (a number, a name, the name of an
agreement, an office: `index/names.py`, `index/abstention.py`) read the texts' words. With no
filter those are the corpus's (`Scope.corpus`: the lexical index's vocabulary, typo correction
included). A question restricted to some documents (`doc_ids`) is answerable only if those documents
speak of what it names: "What is the name of the joint exercise between Japan and India?", asked of
the essay on the Japan-US alliance alone, which never mentions India, was answered with a sentence
about that alliance. `Scope.within` reads the allowed documents' own words instead, and a refusal
says "the chosen documents never mention “India”".

A question written in a script the texts never use ("日米同盟とは何ですか？" of English essays) has
no word they could hold: it is refused as such, "it is written in Japanese script, which the texts
never use", where the cosine check alone said "nothing in the texts is about it" of a question
about exactly what they are about. Scripts are read off Unicode character names
(`unicodedata`): the first word of a letter's name ("LATIN", "CYRILLIC", "HIRAGANA", "CJK").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from index.abstention import numbers_in, with_series
from index.lexical import LexicalIndex
from index.names import (
    Wording,
    calendar_words,
    code_key,
    codes_in,
    country_words,
    name_around,
    unknown_names,
    unknown_offices,
    unknown_things,
    unknown_titles,
)

# how a refusal names a script, by the first word of its letters' Unicode names (others: "Greek script")
SCRIPT_NAMES = {
    "CJK": "Chinese characters",
    "HIRAGANA": "Japanese script",
    "KATAKANA": "Japanese script",
    "HANGUL": "Korean script",
    "LATIN": "the Latin alphabet",
}


def stems_of(text: str, lexical: LexicalIndex) -> frozenset[str]:
    """The stems of the words `text` uses, as the lexical index reads them."""
    return frozenset(lexical.stems(list(dict.fromkeys(lexical.words_of(text)))))


def within_words(
    stems: frozenset[str], lexical: LexicalIndex
) -> tuple[Callable[[str], bool], Callable[[str], str | None], Callable[[str], bool]]:
    """For texts whose words have `stems`: whether they use a lower-case word (or another with its
    stem), its typo correction among the words they use, and whether they know it (a stopword, a
    word they use, or a typo of one)."""

    def uses(word: str) -> bool:
        return lexical.stems([word])[0] in stems

    def correct(word: str) -> str | None:
        fixed = lexical.correct(word)
        return fixed if fixed is not None and uses(fixed) else None

    def knows(word: str) -> bool:
        return lexical.is_stopword(word) or uses(word) or correct(word) is not None

    return uses, correct, knows


def scripts_of(text: str) -> frozenset[str]:
    """The scripts of the letters `text` uses, by the first word of their Unicode names."""
    return frozenset(unicodedata.name(ch, "UNKNOWN").split()[0] for ch in set(text) if ch.isalpha())


def script_name(scripts: Iterable[str]) -> str:
    """How a refusal names what a question is written in: Japanese kana (with or without kanji)
    is "Japanese script", else the first script in Unicode's order of names."""
    found = sorted(scripts)
    japanese = [s for s in found if s in ("HIRAGANA", "KATAKANA")]
    first = japanese[0] if japanese else found[0]
    return SCRIPT_NAMES.get(first, f"{first.title()} script")


@dataclass(frozen=True)
class Scope:
    """The texts a question is asked of, as its checks see them."""

    label: str  # how a refusal names them: "the texts", "the chosen documents"
    knows: Callable[[str], bool]  # a lower-case word they use, or one edit from one (a typo)
    uses: Callable[[str], bool]  # a lower-case word they use (or another with its stem)
    numbers: frozenset[str]  # the numbers of two or more digits they write, with their series (4.2)
    codes: frozenset[str]  # the codes they write, as `code_key` reads them: "b12", "f35", "ip65"
    # capitals' and demonyms' words of countries they name ("washington", "american"), and weekdays
    # and months they abbreviate ("saturday" for "Sat")
    countries: frozenset[str]
    wording: Wording
    scripts: frozenset[str] = frozenset({"LATIN"})  # the scripts of their letters (`scripts_of`)
    # a lower-case word's typo correction among the words they use, or None
    correct: Callable[[str], str | None] = lambda word: None
    # a lower-case word no name is made of: "what", "from" (the lexical index's stopwords)
    stopword: Callable[[str], bool] = lambda word: False

    @classmethod
    def corpus(cls, texts: Iterable[str], lexical: LexicalIndex) -> Scope:
        """Every document: words as the lexical index knows them."""
        return cls._of(
            "the texts", list(texts), lexical.knows, lexical.uses, lexical.correct, lexical.is_stopword
        )

    @classmethod
    def within(
        cls, texts: Iterable[str], lexical: LexicalIndex, stems: frozenset[str] | None = None
    ) -> Scope:
        """Only these documents: a word counts when they use it, or its typo correction, themselves.
        `stems`, the stems of their words when the caller has read them already (a ranker reads each
        document's once, for this and for the closest-documents check), else read here."""
        texts = list(texts)
        if stems is None:
            stems = frozenset().union(*(stems_of(t, lexical) for t in texts))
        uses, correct, knows = within_words(stems, lexical)
        return cls._of("the chosen documents", texts, knows, uses, correct, lexical.is_stopword)

    @classmethod
    def _of(
        cls,
        label: str,
        texts: list[str],
        knows: Callable[[str], bool],
        uses: Callable[[str], bool],
        correct: Callable[[str], str | None],
        stopword: Callable[[str], bool],
    ) -> Scope:
        """The scope of `texts`, whose words `knows`, `uses` and `correct` tell: their numbers,
        countries, wording."""
        numbers = with_series(n for text in texts for n in numbers_in(text))
        scripts = frozenset().union(*(scripts_of(text) for text in texts))
        wording = Wording.of(texts)
        stand_ins = country_words(uses) | calendar_words(wording.capitalised)
        codes = frozenset(code_key(c) for text in texts for c in codes_in(text))
        return cls(label, knows, uses, numbers, codes, stand_ins, wording, scripts, correct, stopword)

    def knows_name(self, word: str) -> bool:
        """Do these texts use the lower-cased word of a name, or one edit from it that they write
        with a capital (a typo: "Austrlia")? A typo's correction to a word written only in lower
        case is no name's: "Zoom" is no "room", "Spanner" no "scanner" (session 16: both questions
        were answered, not refused as naming what the texts never do)."""
        if self.uses(word) or self.stopword(word):
            # a stopword is no name, though a question typed in lower case writes it as the texts
            # do, "What" (session 18: "cofee overflowing from the filter basket what do i do" was
            # refused, "the texts never mention “What”": "what" is one edit from "chat")
            return True
        fixed = self.correct(word)
        if fixed is None:
            return self.knows(word)  # a stopword
        return fixed in self.wording.capitalised

    def foreign_script(self, question: str) -> str | None:
        """The script `question` is written in when it has letters and none in a script these
        texts use ("Japanese script"); None otherwise (a Latin word among them is enough)."""
        scripts = scripts_of(question)
        return script_name(scripts) if scripts and not scripts & self.scripts else None

    def unknown(self, question: str) -> tuple[list[str], list[str]]:
        """What `question` names that these texts never do, as a refusal words it: (numbers, names).

        Numbers and names are quoted ("“1978”", "“Malabar”"); an office is not ("a president").
        """
        # a code the texts never write ("What is the patient's vitamin B12 level?" was answered
        # from a lab report without it; session 18), and the numbers not inside one
        codes = [c for c in codes_in(question) if code_key(c) not in self.codes]
        numbers = [
            f"“{n}”"
            for n in numbers_in(question, parts=False)
            if n not in self.numbers and not any(n in c for c in codes)
        ]
        numbers = [*(f"“{c}”" for c in codes), *numbers]
        # each name whole, once: "General" stands in "General Security of Military Information Agreement"
        found = [
            name_around(question, n)
            for n in unknown_names(question, self.knows_name, self.countries)
            if not any(n in c for c in codes)
        ]
        found = found or unknown_titles(question, self.wording) or unknown_things(question, self.knows)
        names = [f"“{name}”" for name in dict.fromkeys(found)] or [
            f"{'an' if o[0] in 'aeiou' else 'a'} {o}" for o in unknown_offices(question, self.uses)
        ]
        return numbers, names
