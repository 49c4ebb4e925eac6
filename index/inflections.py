"""Other forms of a question's words: "teach" read as the "taught" a text writes.

"how many years did margaret teach at the primary school" was refused for want of a number (session
25): the order of service writes "She taught at Wickham Primary School for thirty-one years", the
stemmer reads "teach" and "taught" as two words, and "teach", which no document uses, was corrected
one edit away, to "reach". The stemmer joins regular forms ("expires", "expired"); irregular ones
("taught", "paid", "held", "children") it cannot. A question word the corpus never uses is read as
another form of it the corpus does before any typo is looked for (`index.lexical.LexicalIndex.correct`):
its lemmas and their inflections, from lemminflect's English dictionary, whose tables (about 0.3 s
and 50 MB) are read on first use, or by a server starting up (`prepare`).
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=4096)  # questions name any words: a bounded memory of them
def forms_of(word: str) -> tuple[str, ...]:
    """The other forms of the lower-case `word`: its lemmas, then their inflections, in order
    ("taught" → "teach", "teaches", "teaching"…; "children" → "child")."""
    from lemminflect import getAllInflections, getAllLemmas  # its tables (about 50 MB) on first use

    lemmas = [lemma for found in getAllLemmas(word).values() for lemma in found]
    forms = dict.fromkeys(lemmas)
    for lemma in lemmas:
        for inflected in getAllInflections(lemma).values():
            forms.update(dict.fromkeys(inflected))
    forms.pop(word, None)
    return tuple(forms)


def prepare() -> None:
    """Read lemminflect's tables now, not on the first question with a word the corpus lacks."""
    forms_of("taught")
