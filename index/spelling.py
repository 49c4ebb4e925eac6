"""English words: which typed words are words of the language, not typos.

A query word the corpus never uses is corrected to a corpus word one edit from it
(`index.lexical.LexicalIndex.correct`). Two edits ("bycicle" → "bicycle", "tradishonal" →
"traditional") reach too many real words the corpus happens not to use ("president" →
"precedent", "minimum" → "maximum", "calories" → "colonies"), so a word is taken two edits only
when it is no English word at all: pyspellchecker's English word list (160,000 words with their
frequencies from the OpenSubtitles corpus) says which are. The list is read on first use (about
half a second, some 20 MB held), by a question with a long word the corpus does not know, or by a
server starting up (`prepare`).
"""

from __future__ import annotations

from functools import cache


@cache
def english_words() -> frozenset[str]:
    """Every lower-case word of pyspellchecker's English dictionary."""
    from spellchecker import SpellChecker  # read only when a question needs it

    return frozenset(SpellChecker(language="en", distance=1).word_frequency.keys())


def prepare() -> None:
    """Read the English list now (about 0.5 s), not on the first question that needs it: a server
    starting up."""
    english_words()


def is_english(word: str) -> bool:
    """Is the lower-case `word` an English word (so not a typo to correct two edits away)?"""
    return word in english_words()
