"""The languages a text is written in, and what to tell a reader who asks in another.

all-MiniLM-L6-v2 reads English, and BM25 matches a question's words: a question in one language
finds nothing of a document in another. Session 21, over `evals/shapes4` and `evals/shapes5`: 16
English questions about their German, French and Japanese documents were answered from another
document (6, wrongly) or refused with a reason that did not say why ("nothing in the chosen
documents is about it"), while 13 of the same 16 asked in the document's language were answered
from it. So an index records each document's languages (`text_languages`, in its manifest), and a
question's language (`question_language`) is compared with theirs: `note` says what to ask in.

A language is named only when it is sure. Kana, hangul and Chinese characters name it by their
script; other letters are read by py3langid (naive Bayes over byte n-grams, its model inside the
package: 4.6 MB, 0.5 s to load once per process, ~0.04 ms a question), and named only when it is
confident. Short questions are hard ("force multiplier", "VFA"): over the 1,270 English questions
of `evals/` none is named another language at these settings (at 0.7 instead of 0.8, "brambel hat
gauge" was German and "best lasagne recipe" French), and 9 in 100, mostly keywords, are named none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from index.inputs import some_of
from ingest.scripts import HAN, HANGUL, KANA

IDEOGRAPHIC = re.compile(f"[{KANA}{HANGUL}{HAN}]")  # the letters whose script names their language
NOT_A_LETTER = re.compile(r"[\W\d_]")
# the languages most questions in Latin letters are written in: a short question is read among
# these, as py3langid's 142 languages spread a short English question thin ("How do I reset my wifi
# password?" was Nigerian Pidgin at 0.56, "Where did Priya do her masters?" Kurdish at 0.45)
COMMON = ("en", "de", "fr", "es", "it", "pt", "nl")
CONFIDENT = 0.8  # a language among `COMMON` (or ja/zh for Chinese characters alone) at this share
ELSEWHERE = 0.9  # a language outside `COMMON`, among all 142 ("Czy jest parking?")
NO_LANGUAGE = "zxx"  # py3langid's label for text of no language
# a document is read in slices (py3langid reads ~1 µs a character): a short one whole, a longer one
# in `SLICES` spread over it, so that a manual in English, then German, then French is in all three
SLICE_CHARS = 500
SLICES = 8
# a document is also in a language that a fifth of its letters are in ("Check-out / チェックアウト")
SHARE = 0.2
# a refusal names the documents in other languages when they are at least this share of those
# searched: one German manual among 300 English files is no reason to doubt a refusal in English
MEANINGFUL = 0.1
LEADING = 3  # an answer's note: none of the first passages is in the question's language
ADVICE = "the model matches words and meanings within one language only"


@cache
def _identifier() -> Any:
    """py3langid's model, loaded on first use (0.5 s), with probabilities that sum to 1."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def prepare() -> None:
    """Load py3langid's model now (0.5 s), not on the first question: a server starting up."""
    _identifier()


def _weight(text: str) -> int:
    """How much of `text` is letters, in UTF-8 bytes, as py3langid reads it (a kanji is 3)."""
    return len(NOT_A_LETTER.sub("", text).encode("utf-8"))


def _among(probabilities: Mapping[str, float], languages: Sequence[str]) -> str | None:
    """The likeliest of `languages` when it has `CONFIDENT` of their probability, else None."""
    shares = {lang: probabilities.get(lang, 0.0) for lang in languages}
    total = sum(shares.values())
    best = max(shares, key=shares.__getitem__)
    return best if total > 0 and shares[best] >= CONFIDENT * total else None


def _ideographic_language(text: str) -> str | None:
    """Japanese when a tenth of the ideographic letters are kana, Korean when most are hangul,
    else (Chinese characters alone: "駐車場") Japanese or Chinese as py3langid is confident."""
    kana = len(re.findall(f"[{KANA}]", text))
    hangul = len(re.findall(f"[{HANGUL}]", text))
    han = len(re.findall(f"[{HAN}]", text))
    if hangul > kana + han:
        return "ko"
    if kana * 10 >= kana + han:
        return "ja"
    return _among(dict(_identifier().rank(text)), ("ja", "zh"))


def _letters_language(text: str) -> str | None:
    """The language of text in Latin (or Cyrillic, Greek, Arabic…) letters, when py3langid is sure."""
    ranked = _identifier().rank(text)
    top, probability = ranked[0]
    if top not in COMMON and top != NO_LANGUAGE and probability >= ELSEWHERE:
        return str(top)
    return _among(dict(ranked), COMMON)


def question_language(question: str) -> str | None:
    """The ISO 639-1 code of the language `question` is written in ("en"), or None when not sure.

    The script decides where most of its letters (by bytes) are kana, hangul or Chinese characters:
    "Wi-Fiは使えますか" is Japanese. A question with no letters is in none.
    """
    ideographic = "".join(IDEOGRAPHIC.findall(question))
    letters = _weight(IDEOGRAPHIC.sub(" ", question))
    if not ideographic and not letters:
        return None
    if _weight(ideographic) > letters:
        return _ideographic_language(ideographic)
    return _letters_language(question)


def _slices(text: str) -> list[str]:
    """`text` in slices of `SLICE_CHARS`: all of a short one, `SLICES` spread over a longer one."""
    count = min(SLICES, max(1, -(-len(text) // SLICE_CHARS)))
    step = len(text) / count
    return [text[int(i * step) : int(i * step) + SLICE_CHARS] for i in range(count)]


def text_languages(text: str) -> tuple[str, ...]:
    """The languages a document is written in, the one most of its letters are in first.

    Each slice of it is read twice: its kana, hangul and Chinese characters, and its other letters.
    A language is the document's when at least a fifth of the letters (by bytes) read as some
    language are in it; () when none is sure (a table of figures).
    """
    weights: dict[str, int] = {}
    for piece in _slices(text):
        ideographic = "".join(IDEOGRAPHIC.findall(piece))
        rest = IDEOGRAPHIC.sub(" ", piece)
        for part, read in ((ideographic, _ideographic_language), (rest, _letters_language)):
            if (weight := _weight(part)) and (language := read(part)) is not None:
                weights[language] = weights.get(language, 0) + weight
    total = sum(weights.values())
    ranked = sorted(weights, key=lambda language: -weights[language])
    return tuple(language for language in ranked if weights[language] >= SHARE * total)


@cache
def language_name(code: str) -> str:
    """The English name of an ISO 639 code ("de" → "German"), or the code when it has none."""
    from iso639 import Language, LanguageNotFoundError

    try:
        name = Language.match(code).name
    except LanguageNotFoundError:
        return code
    return str(name).split(" (")[0]  # "Modern Greek (1453-)"


def _joined(items: Sequence[str], word: str) -> str:
    """The items for a sentence: with `word` "or", "German or Japanese", "German, Japanese or French"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"


def _by_language(doc_ids: Sequence[str], languages: Mapping[str, tuple[str, ...]]) -> dict[str, list[str]]:
    """The documents by the name of the language most of each is in: the most documents first,
    then by name."""
    grouped: dict[str, list[str]] = {}
    for doc_id in doc_ids:
        grouped.setdefault(language_name(languages[doc_id][0]), []).append(doc_id)
    return dict(sorted(grouped.items(), key=lambda item: (-len(item[1]), item[0])))


def _listed(grouped: Mapping[str, Sequence[str]]) -> str:
    """Where documents are, by language: "in German (kaffee…)", "in other languages, English (a, b)
    and Japanese (c)"."""
    named = [f"{name} ({some_of(sorted(ids), shown=3)})" for name, ids in grouped.items()]
    return f"in {named[0]}" if len(named) == 1 else f"in other languages, {_joined(named, 'and')}"


def note(
    question: str,
    searched: Mapping[str, tuple[str, ...]],
    found: Sequence[str],
    *,
    answered: bool,
    chosen: bool,
    closest: Sequence[str] = (),
) -> str | None:
    """What to tell a reader who asked in another language than the documents are in, or None.

    `searched`: doc id => its languages (`text_languages`), for every document searched (those
    `doc_ids` chose, `chosen`, or all); `found`: the doc id of each passage returned, best first.
    A refused question is told when documents in other languages are a `MEANINGFUL` share of those
    searched, or hold the first passages; an answered one only in the latter case, as its answer
    came from a passage matched across languages (by a number or a name) or by chance. A refusal
    naming the `closest` documents, those it found about the question and read (what they never
    mention), is told only when one of them is in another language: when all are in the question's,
    it found where the answer would be (session 22: "Does my contents cover include storm
    damage?", refused as its policy never mentions storms, was told to ask in Japanese or Spanish).
    """
    language = question_language(question)
    if language is None:
        return None
    other = [d for d, languages in searched.items() if languages and language not in languages]
    if not other or (closest and not set(closest) & set(other)):
        return None
    leading = found[:LEADING]
    elsewhere = bool(leading) and set(leading) <= set(other)
    asked = language_name(language)
    if answered:
        if not elsewhere:
            return None
        grouped = _by_language(list(dict.fromkeys(leading)), searched)
        return (
            f"the question is in {asked} and the passages found are {_listed(grouped)}; {ADVICE}, "
            f"so asking in {_joined(list(grouped), 'or')} may find a better answer"
        )
    if not elsewhere and len(other) < MEANINGFUL * len(searched):
        return None
    grouped = _by_language(other, searched)
    what = " chosen" if chosen else ""
    if len(other) == len(searched):
        counted = f"the document{what} is" if len(other) == 1 else f"the {len(other)} documents{what} are"
    else:
        counted = f"{len(other)} of the {len(searched)} documents{what} {'is' if len(other) == 1 else 'are'}"
    return (
        f"the question is in {asked} and {counted} {_listed(grouped)}; {ADVICE}, "
        f"so ask in {_joined(list(grouped), 'or')} to search {'it' if len(other) == 1 else 'them'}"
    )
