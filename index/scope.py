"""What the searched texts use: the words, numbers and names a question is checked against.

The checks that refuse a question naming what the texts never do (a number, a name, the name of an
agreement, an office: `index/names.py`, `index/abstention.py`) read the texts' words. With no
filter those are the corpus's (`Scope.corpus`: the lexical index's vocabulary, typo correction
included). A question restricted to some documents (`doc_ids`) is answerable only if those documents
speak of what it names: "What is the name of the joint exercise between Japan and India?", asked of
the essay on the Japan-US alliance alone, which never mentions India, was answered with a sentence
about that alliance. `Scope.within` reads the allowed documents' own words instead, and a refusal
says "the chosen documents never mention “India”".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from index.abstention import numbers_in
from index.lexical import LexicalIndex
from index.names import Wording, country_words, name_around, unknown_names, unknown_offices, unknown_titles


@dataclass(frozen=True)
class Scope:
    """The texts a question is asked of, as its checks see them."""

    label: str  # how a refusal names them: "the texts", "the chosen documents"
    knows: Callable[[str], bool]  # a lower-case word they use, or one edit from one (a typo)
    uses: Callable[[str], bool]  # a lower-case word they use (or another with its stem)
    numbers: frozenset[str]  # the numbers of two or more digits they write
    countries: frozenset[
        str
    ]  # capitals' and demonyms' words of countries they name ("washington", "american")
    wording: Wording

    @classmethod
    def corpus(cls, texts: Iterable[str], lexical: LexicalIndex) -> Scope:
        """Every document: words as the lexical index knows them."""
        return cls._of("the texts", list(texts), lexical.knows, lexical.uses)

    @classmethod
    def within(cls, texts: Iterable[str], lexical: LexicalIndex) -> Scope:
        """Only these documents: a word counts when they use it, or its typo correction, themselves."""
        texts = list(texts)
        words = list(dict.fromkeys(w for text in texts for w in lexical.words_of(text)))
        stems = frozenset(lexical.stems(words))

        def uses(word: str) -> bool:
            return lexical.stems([word])[0] in stems

        def knows(word: str) -> bool:
            if lexical.is_stopword(word) or uses(word):
                return True
            fixed = lexical.correct(word)
            return fixed is not None and uses(fixed)

        return cls._of("the chosen documents", texts, knows, uses)

    @classmethod
    def _of(
        cls, label: str, texts: list[str], knows: Callable[[str], bool], uses: Callable[[str], bool]
    ) -> Scope:
        """The scope of `texts`, whose words `knows` and `uses` tell: their numbers, countries, wording."""
        numbers = frozenset(n for text in texts for n in numbers_in(text))
        return cls(label, knows, uses, numbers, country_words(uses), Wording.of(texts))

    def unknown(self, question: str) -> tuple[list[str], list[str]]:
        """What `question` names that these texts never do, as a refusal words it: (numbers, names).

        Numbers and names are quoted ("“1978”", "“Malabar”"); an office is not ("a president").
        """
        numbers = [f"“{n}”" for n in numbers_in(question) if n not in self.numbers]
        # each name whole, once: "General" stands in "General Security of Military Information Agreement"
        found = [name_around(question, n) for n in unknown_names(question, self.knows, self.countries)]
        names = [f"“{name}”" for name in dict.fromkeys(found or unknown_titles(question, self.wording))] or [
            f"{'an' if o[0] in 'aeiou' else 'a'} {o}" for o in unknown_offices(question, self.uses)
        ]
        return numbers, names
