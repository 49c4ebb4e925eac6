"""BM25 over chunks with `bm25s`: stemmed content words, typo-tolerant queries, saved as plain files.

    versions/<v>/lexical/
      params.index.json          k1, b, method, num_docs, bm25s version (written by bm25s)
      vocab.index.json           stem → column
      data|indices|indptr.csc.index.npy   the precomputed BM25 score matrix (no pickle)
      words.index.json           surface word → count, for correcting misspelled query words

Query words the corpus never uses are corrected to the most frequent corpus word one edit away
(a symmetric-delete lookup, so no per-query scan of the vocabulary): "aliance" → "alliance"; a
long one that is no English word (`index.spelling`), to one two edits away with its first letter,
for BM25 only: "bycicle" → "bicycle".
"""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import numpy.typing as npt
from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_EN_PLUS
from rapidfuzz.distance import OSA
from rapidfuzz.process import extract

from alliance_qa.errors import IndexCorruptError, InputError
from index.inflections import forms_of
from index.spelling import is_english
from ingest.scripts import (
    HANGUL_SYLLABLES,
    HIRAGANA,
    IDEOGRAPHS,
    ITERATION_MARK,
    KATAKANA,
    KATAKANA_PHONETIC_EXTENSIONS,
)

LEXICAL_DIR = "lexical"
WORDS_FILE = "words.index.json"
BM25_FILES = (
    "params.index.json",
    "vocab.index.json",
    "data.csc.index.npy",
    "indices.csc.index.npy",
    "indptr.csc.index.npy",
)
STOPWORD_LISTS: dict[str, frozenset[str]] = {
    "en": frozenset(STOPWORDS_EN),
    "en_plus": frozenset(STOPWORDS_EN_PLUS),
    "none": frozenset(),
}
WORD = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default: two or more word characters
# ... and, with `LexicalConfig.numbers`, a run of numbers joined by dots, dashes, slashes or colons
# (a version, a date, a time: "4.1.3", "v2.0", "2025-06-01", "10:30") whole, and a lone digit
# ("Lab 4", "Article 9")
NUMBER_RUN = r"(?:\b[vV]|\b)(?P<run>\d+(?:[.\-/:]\d+)+)\b"
TOKEN = re.compile(rf"(?u){NUMBER_RUN}|\b\w\w+\b|\b\d\b")
# the scripts written without spaces between words: kana, CJK ideographs (and the iteration mark 々),
# Hangul syllables (`ingest.scripts`); not halfwidth katakana nor Hangul's letters (jamo), which
# `index.languages` reads: every index built holds the tokens read with these, so they stay as built
# (a text read with `numbers`, in NFKC, has its halfwidth katakana as the full ones anyway)
CJK_RUN = re.compile(
    f"[{ITERATION_MARK}{HIRAGANA}{KATAKANA}{KATAKANA_PHONETIC_EXTENSIONS}{IDEOGRAPHS}{HANGUL_SYLLABLES}]+"
)
# ... of which an ideograph or a Hangul syllable alone may be a word ("犬", "駅", "개"); a kana alone is a
# particle or a piece of a word ("は", "ご")
CJK_UNIGRAM = re.compile(f"[{IDEOGRAPHS}{HANGUL_SYLLABLES}]")
# ... found standing alone, where `TOKEN` finds words of two characters or more
TOKEN_OR_UNIGRAM = re.compile(f"{TOKEN.pattern}|{CJK_UNIGRAM.pattern}")
WORD_OR_UNIGRAM = re.compile(f"{WORD.pattern}|{CJK_UNIGRAM.pattern}")
# a word hyphenated across a line break: its two halves ("Rec-" at a line's end, "reation" after)
HYPHEN_BREAK = re.compile(r"([^\W\d_]+)-[ \t]*\r?\n[ \t]*([^\W\d_]+)")
# ... and in text set in two columns (a PDF's page taken as text, "…food-waste collec-   the new play
# area at Orton Rec-" over "tions in October 2023…   reation Ground opened…"), a column's halves: the
# word a column's line breaks off, and the first word of the same column on the line under it
COLUMN_GAP = re.compile(r" {3,}")
COLUMN_BREAK = re.compile(r"([^\W\d_]+)-$")
COLUMN_OPENING = re.compile(r"[^\W\d_]+")
RUN_SEPARATOR = re.compile(r"[.\-/:]")
MIN_FUZZY_LENGTH = 4  # shorter words have too many neighbours one edit away
MIN_PLURAL_LENGTH = 8  # and a singular shorter than this, read for its plural (`_forms`)
# a word this long that is no English word may be two edits from its corpus word ("bycicle")
MIN_TWO_EDIT_LENGTH = 7

Scores = npt.NDArray[np.float32]


@dataclass(frozen=True)
class LexicalConfig:
    """How chunks are tokenised and scored; recorded in the manifest, so queries match the build."""

    k1: float = 1.2
    b: float = 0.75
    method: str = "lucene"
    stemmer: str = "english"  # a PyStemmer language, or "none"
    stopwords: str = "en_plus"  # a key of STOPWORD_LISTS
    fuzzy: bool = True  # correct query words the corpus does not use
    headings: bool = False  # index each chunk with its heading path too (as it is embedded)
    # lone digits and runs of numbers are words too ("Lab 4", "4.1.3", "2025-06-01"), and words are
    # read in NFKC form; an index from before this setting (its manifest lacks it) was built
    # without either
    numbers: bool = True
    # a run of Chinese, Japanese or Korean characters, written without spaces between words, is read
    # as its overlapping pairs of characters ("燃やすごみ" → "燃や", "やす", "すご", "ごみ"), as Lucene's
    # CJK analyser does; read whole, a question's run matched no passage (session 20); an index from
    # before this setting was built reading them whole
    cjk: bool = True
    # ... and each ideograph or Hangul syllable of a run alone too, as Lucene's CJK analyser does with
    # `outputUnigrams`: a question of one character, "犬", was read as no word at all (session 21);
    # an index from before this setting was built without them
    cjk_unigrams: bool = True
    # a word hyphenated across a line break, as text taken from a PDF wraps ("Orton Rec-\nreation
    # Ground"), is also read whole ("recreation"): its halves alone, "Orton Recreation Ground" was
    # refused as never mentioned (session 20); an index from before this setting was built without
    hyphens: bool = True

    def __post_init__(self) -> None:
        if self.stopwords not in STOPWORD_LISTS:
            raise InputError(
                f"unknown stopword list {self.stopwords!r}: choose one of {', '.join(STOPWORD_LISTS)}"
            )
        if self.method not in ("lucene", "robertson", "atire", "bm25l", "bm25+"):
            raise InputError(
                f"unknown BM25 method {self.method!r}: use lucene, robertson, atire, bm25l or bm25+"
            )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LexicalConfig:
        """The config an index was built with, from its manifest: a setting it lacks was built the
        way before that setting existed."""
        fields = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**{"numbers": False, "cjk": False, "cjk_unigrams": False, "hyphens": False, **fields})

    @classmethod
    def rebuilt(cls, data: dict[str, Any]) -> LexicalConfig:
        """The config an index built with `data` is rebuilt with on its next write: its own settings,
        and a setting newer than it at its default (as `ChunkerConfig.layout` brings it up to date)."""
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@cache
def _stemmer(language: str) -> Any:
    import Stemmer  # PyStemmer

    try:
        return Stemmer.Stemmer(language)
    except KeyError:
        raise InputError(f"PyStemmer has no {language!r} stemmer: use 'english' or 'none'") from None


def tokens(
    text: str, *, numbers: bool = True, cjk: bool = False, unigrams: bool = False, hyphens: bool = False
) -> list[str]:
    """The lower-cased words of `text`, in order: two or more word characters; with `numbers`,
    also lone digits, and runs of numbers whole ("10.2.1" gives "10.2.1" and "10"), the text read
    in Unicode's NFKC form; with `cjk`, a run of Chinese, Japanese or Korean characters as its
    overlapping pairs of characters (`cjk_words`), and with `unigrams` each of its ideographs and
    Hangul syllables alone too, one standing alone included ("犬"); with `hyphens`, a word hyphenated
    across a line break whole as well as its halves ("Rec-\nreation": "rec", "reation", "recreation")."""
    found = _tokens(text, numbers=numbers, unigrams=cjk and unigrams)
    if cjk:
        found = [part for word in found for part in cjk_words(word, unigrams=unigrams)]
    if hyphens and "-" in text:
        found += [(m[1] + m[2]).lower() for m in HYPHEN_BREAK.finditer(text)]
        found += [word.lower() for word in _column_words(text)]
    return found


def _column_words(text: str) -> list[str]:
    """The words hyphenated across a line break inside a column of text set in columns (`COLUMN_BREAK`),
    read whole: a line's part before a gap of three spaces or more ends "Rec-", and the line under it
    has a part opening at the same place, "reation Ground…"."""
    lines = text.splitlines()
    joined: list[str] = []
    for line, below in itertools.pairwise(lines):
        parts = _column_parts(line)
        if len(parts) < 2:
            continue  # no columns: `HYPHEN_BREAK` reads it
        opening = dict(_column_parts(below))
        for place, part in parts:
            broken = COLUMN_BREAK.search(part)
            rest = COLUMN_OPENING.match(opening.get(place, ""))
            if broken is not None and rest is not None:
                joined.append(broken[1] + rest.group())
    return joined


def _column_parts(line: str) -> list[tuple[int, str]]:
    """The parts of `line` between gaps of three spaces or more, each with the place it opens at."""
    parts: list[tuple[int, str]] = []
    start = len(line) - len(line.lstrip(" "))
    for gap in [*COLUMN_GAP.finditer(line, start), None]:
        end = gap.start() if gap else len(line.rstrip())
        if end > start:
            parts.append((start, line[start:end]))
        if gap:
            start = gap.end()
    return parts


def cjk_words(word: str, *, unigrams: bool = False) -> list[str]:
    """`word` with each run of Chinese, Japanese or Korean characters read as its overlapping pairs
    of characters (a run of one as itself), the rest as words: "3月の燃やすごみ" → "3", "月の",
    "の燃", "燃や", "やす", "すご", "ごみ"; with `unigrams`, each ideograph or Hangul syllable of a
    longer run after its pairs: … "ごみ", "月", "燃"."""
    if CJK_RUN.search(word) is None:
        return [word]
    parts: list[str] = []
    start = 0
    for run in [*CJK_RUN.finditer(word), None]:
        # the rest between runs is a word as `tokens` reads one: two or more characters, or a digit
        rest = word[start : run.start() if run else len(word)]
        if len(rest) > 1 or rest.isdigit():
            parts.append(rest)
        if run:
            text = run.group()
            parts += [text] if len(text) == 1 else [text[i : i + 2] for i in range(len(text) - 1)]
            start = run.end()
    if unigrams:
        parts += [
            c
            for run in CJK_RUN.finditer(word)
            if len(run.group()) > 1
            for c in CJK_UNIGRAM.findall(run.group())
        ]
    return parts


def _tokens(text: str, *, numbers: bool, unigrams: bool = False) -> list[str]:
    if not numbers:
        return (WORD_OR_UNIGRAM if unigrams else WORD).findall(text.lower())
    # and in Unicode's compatibility form, as questions are read (`index.reading.compatible`): a
    # file saved decomposed (macOS) writes "Zürich" as "Zu" and a combining mark, no word a
    # question typed "Zürich" could match (session 17)
    lowered = unicodedata.normalize("NFKC", text).lower()
    found: list[str] = []
    for match in (TOKEN_OR_UNIGRAM if unigrams else TOKEN).finditer(lowered):
        run = match.group("run")
        # a run's parts of two or more digits are words, as without `numbers`: "2025-06-01" is
        # also "2025"; a lone digit of it is not, or "2.1.0" would match most of "2.0.0"
        found += [run, *WORD.findall(run)] if run else [match.group(0)]
    return found


def is_number(word: str) -> bool:
    """Is the token `word` a number or a run of them ("2024", "4.1.3")? Those are never typos."""
    return word[:1].isdigit() and word[-1:].isdigit() and RUN_SEPARATOR.sub("", word).isdigit()


def content_words(
    text: str,
    stopwords: frozenset[str],
    *,
    numbers: bool = True,
    cjk: bool = False,
    unigrams: bool = False,
    hyphens: bool = False,
) -> list[str]:
    """Lower-cased words of `text` that are not in `stopwords`, in order (`tokens`)."""
    found = tokens(text, numbers=numbers, cjk=cjk, unigrams=unigrams, hyphens=hyphens)
    return [w for w in found if w not in stopwords]


def config_words(text: str, config: LexicalConfig) -> list[str]:
    """`content_words` of `text` read as `config` reads them (its stopwords, numbers, CJK, hyphens)."""
    return content_words(
        text,
        STOPWORD_LISTS[config.stopwords],
        numbers=config.numbers,
        cjk=config.cjk,
        unigrams=config.cjk_unigrams,
        hyphens=config.hyphens,
    )


def stem_words(words: Sequence[str], language: str) -> list[str]:
    """`words` stemmed with PyStemmer's `language` stemmer ("none" leaves them as they are)."""
    if language == "none":
        return list(words)
    stems: list[str] = _stemmer(language).stemWords(list(words))
    return stems


def _deletes(word: str) -> set[str]:
    """`word` and every string one deletion away.

    Two words share one of these when they are one insertion, deletion, substitution or swap of
    neighbours apart.
    """
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


def _forms(word: str) -> tuple[str, ...]:
    """`word`, and its singular if it reads as a regular plural of a long word ("prescriptions" →
    "prescription"; not "class"): one edit from a short word's singular is too often another
    word ("might" / "rights", "lasts" / "past", "annual" / "annals")."""
    if word.endswith("s") and not word.endswith("ss") and len(word) > MIN_PLURAL_LENGTH:
        return word, word[:-1]
    return (word,)


@dataclass(frozen=True)
class QueryTerms:
    """A question as the lexical index sees it."""

    stems: tuple[str, ...]  # unique stems of its known (or corrected) content words
    words: int  # distinct content words in the question
    known: int  # of which the corpus uses (after correction)

    @property
    def coverage(self) -> float:
        """Share of the question's content words that the corpus uses at all."""
        return self.known / self.words if self.words else 0.0


class LexicalIndex:
    """A BM25 index over chunk texts, row-aligned with the dense index."""

    def __init__(self, model: bm25s.BM25, words: dict[str, int], config: LexicalConfig) -> None:
        self._model = model
        self.config = config
        self.words = words  # surface word (lower case, no stopwords) → occurrences in the corpus
        self._stopwords = STOPWORD_LISTS[config.stopwords]
        neighbours: dict[str, list[str]] = {}  # one-deletion key → corpus words
        # and → (singular, corpus word) for each long plural, so that a typo of the singular finds
        # it ("prescripton" → "prescriptions"; 15,025 keys, 0.02 s, for 294 files' 67,878 words)
        singulars: dict[str, list[tuple[str, str]]] = {}
        if config.fuzzy:
            for word in words:
                if len(word) >= MIN_FUZZY_LENGTH and not is_number(word):
                    for key in _deletes(word):
                        neighbours.setdefault(key, []).append(word)
                    if len(forms := _forms(word)) > 1:
                        for key in _deletes(forms[1]):
                            singulars.setdefault(key, []).append((forms[1], word))
        self._neighbours = neighbours
        self._singulars = singulars
        # long corpus words by first letter, for corrections two edits away (built on first use)
        self._by_initial: dict[str, list[str]] | None = None

    # ---- tokens -----------------------------------------------------------------------------

    def words_of(self, text: str) -> list[str]:
        """Lower-cased content words of `text`, stopwords removed, in order."""
        return config_words(text, self.config)

    def stems(self, words: Sequence[str]) -> list[str]:
        return stem_words(words, self.config.stemmer)

    def correct(self, word: str) -> str | None:
        """`word` if the corpus uses it, else another form of it that the corpus uses (an irregular
        one: `index/inflections.py`), else its most frequent one-edit neighbour, else None."""
        if word in self.words:
            return word
        # another form of the word before any typo: "teach" is "taught", not "reach" (session 25)
        if (form := next((f for f in forms_of(word) if f in self.words), None)) is not None:
            return form
        if not self._neighbours or len(word) < MIN_FUZZY_LENGTH or is_number(word):
            return None
        # words sharing a one-deletion key may still be two edits apart ("rimpac" / "impact"); a
        # plural typed with a typo is read as its singular when the word itself finds nothing
        # ("prescriptons" → "prescriptions")
        for typed in _forms(word):
            keys = _deletes(typed)
            candidates = {
                c for key in keys for c in self._neighbours.get(key, ()) if OSA.distance(typed, c) <= 1
            }
            if not candidates:  # a corpus plural whose singular is one edit away
                candidates = {
                    plural
                    for key in keys
                    for singular, plural in self._singulars.get(key, ())
                    if OSA.distance(typed, singular) <= 1
                }
            if candidates:
                return max(sorted(candidates), key=lambda c: self.words[c])
        return None

    def correct_loosely(self, word: str) -> str | None:
        """`correct(word)`, or, for a long word that is no English word (`index.spelling`), the most
        frequent corpus word two edits from it with its first letter ("bycicle" → "bicycle",
        "tradishonal" → "traditional"; session 24).

        Only BM25 reads it: what the corpus never mentions (`knows`, abstention's rule 1) is
        decided one edit away, since a name is no English word either ("Malabar" must not become
        a word of the corpus).
        """
        fixed = self.correct(word)
        if (
            fixed is not None
            or not self._neighbours
            or len(word) < MIN_TWO_EDIT_LENGTH
            or not (word.isascii() and word.isalpha())
            or is_english(word)
        ):
            return fixed
        if self._by_initial is None:
            by_initial: dict[str, list[str]] = {}
            for known in self.words:
                if len(known) >= MIN_TWO_EDIT_LENGTH - 2 and known.isalpha():
                    by_initial.setdefault(known[0], []).append(known)
            self._by_initial = by_initial
        near = [
            known
            for known, _, _ in extract(
                word, self._by_initial.get(word[0], []), scorer=OSA.distance, score_cutoff=2, limit=None
            )
        ]
        return max(sorted(near), key=lambda c: self.words[c]) if near else None

    def is_stopword(self, word: str) -> bool:
        """Is the lower-case `word` one the index leaves out (the texts still use it)?"""
        return word in self._stopwords

    def uses(self, word: str) -> bool:
        """Does the corpus use the lower-case `word` (or another word with its stem)?"""
        return self.stems([word])[0] in self._model.vocab_dict

    def knows(self, word: str) -> bool:
        """Does the corpus use the lower-case `word`, or a word one edit from it (a typo)?

        A stopword counts as used: the index leaves them out, the texts do not.
        """
        return self.is_stopword(word) or self.uses(word) or self.correct(word) is not None

    def query_terms(self, question: str) -> QueryTerms:
        """The stems to score `question` with (corrected, unique), and how many of its words are known.

        A word counts as known when its stem is in the vocabulary ("patrolling" → "patrol"), or
        when it is one edit from a corpus word ("aliance" → "alliance"), or two and no English word
        ("bycicle" → "bicycle", `correct_loosely`).
        """
        words = list(dict.fromkeys(self.words_of(question)))
        vocab = self._model.vocab_dict
        stems: list[str] = []
        for word, stem in zip(words, self.stems(words), strict=True):
            if stem not in vocab:
                fixed = self.correct_loosely(word)
                if fixed is None:
                    continue
                stem = self.stems([fixed])[0]
            stems.append(stem)
        return QueryTerms(tuple(dict.fromkeys(stems)), len(words), len(stems))

    # ---- scoring ----------------------------------------------------------------------------

    @property
    def size(self) -> int:
        return int(self._model.scores["num_docs"])

    def score_terms(self, terms: Sequence[str]) -> Scores:
        """BM25 score of every chunk for the stems `terms` (zeros when none is in the vocabulary)."""
        ids = self._model.get_tokens_ids(list(terms))
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._model.get_scores_from_ids(ids), dtype=np.float32)

    def scores(self, question: str) -> Scores:
        """BM25 score of every chunk for `question`."""
        return self.score_terms(self.query_terms(question).stems)

    @property
    def columns(self) -> int:
        """How many stems the score matrix has a column for."""
        return len(self._model.scores["indptr"]) - 1

    def columns_of(self, terms: Sequence[str]) -> npt.NDArray[np.int64]:
        """The score-matrix column of each stem in `terms`; -1 for a stem the corpus lacks."""
        vocab = self._model.vocab_dict
        found = [vocab.get(t, -1) for t in terms]
        return np.asarray([c if c < self.columns else -1 for c in found], dtype=np.int64)

    def idf(self, terms: Sequence[str]) -> npt.NDArray[np.float64]:
        """BM25's (Lucene) inverse document frequency of each stem in `terms` (all must be known)."""
        return self.weighted_columns(terms)[1]

    def weighted_columns(self, terms: Sequence[str]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """`columns_of(terms)` and `idf(terms)` together, the stems looked up once."""
        indptr = self._model.scores["indptr"]
        columns = self.columns_of(terms)
        df: npt.NDArray[np.float64] = (indptr[columns + 1] - indptr[columns]).astype(np.float64)
        return columns, np.log(1 + (self.size - df + 0.5) / (df + 0.5))

    @property
    def rarest_idf(self) -> float:
        """The idf of a word no chunk holds: what an unknown query word weighs."""
        return float(np.log(1 + (self.size + 0.5) / 0.5))

    def ceiling(self, terms: QueryTerms) -> float:
        """The BM25 score no chunk can pass for `terms`: the idf of each known stem, as BM25's
        term-frequency part tends to 1 however often a chunk repeats a word (its Lucene form, as
        `idf`). A chunk holding a question's rare words scores near it; one holding a few of its
        common words, the best of a paraphrase's candidates, far below it."""
        return float(self.idf(terms.stems).sum())

    def total_weight(self, terms: QueryTerms) -> float:
        """The idf mass of the question: its known stems, plus the rarest weight per unknown word."""
        return self.ceiling(terms) + self.rarest_idf * (terms.words - terms.known)

    def matched_shares(
        self, terms: QueryTerms, rows: Sequence[int]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """For each of `rows`, the idf-weighted share of the question's content words it contains,
        and the same share of the words the corpus uses, from one walk over the postings.

        In the first, words the corpus never uses count as the rarest possible word, so they pull
        the share down; the second leaves them out.
        """
        total, known = self.total_weight(terms), self.ceiling(terms)
        if total <= 0 or not rows:
            return np.zeros(len(rows), dtype=np.float64), np.zeros(len(rows), dtype=np.float64)
        indptr, indices = self._model.scores["indptr"], self._model.scores["indices"]
        columns, idf = self.weighted_columns(terms.stems)
        # every (stem, chunk holding it) pair at once, each weighing its stem's idf, summed per chunk
        holders = [indices[indptr[c] : indptr[c + 1]] for c in columns.tolist()]
        weights = np.repeat(idf, [len(h) for h in holders])
        held = np.concatenate(holders) if holders else np.zeros(0, dtype=np.int64)
        matched = np.bincount(held, weights=weights, minlength=self.size)[np.asarray(rows, dtype=np.int64)]
        return matched / total, matched / known if known > 0 else np.zeros(len(rows), dtype=np.float64)

    # ---- building, saving, loading ----------------------------------------------------------

    @classmethod
    def build(cls, texts: Sequence[str], *, config: LexicalConfig | None = None) -> LexicalIndex:
        """Index `texts` (one per chunk, in row order)."""
        config = config or LexicalConfig()
        surface = [config_words(t, config) for t in texts]
        model = bm25s.BM25(k1=config.k1, b=config.b, method=config.method)
        # an empty text still needs a row, so rows stay aligned with the dense index
        model.index([stem_words(ws, config.stemmer) or [""] for ws in surface], show_progress=False)
        words = Counter(w for ws in surface for w in ws)
        return cls(model, dict(sorted(words.items())), config)

    def params(self) -> dict[str, Any]:
        """What the manifest records: the config, the corpus size and the vocabulary size."""
        return {**asdict(self.config), "num_docs": self.size, "vocabulary": len(self._model.vocab_dict)}

    def save(self, folder: Path) -> None:
        target = folder / LEXICAL_DIR
        self._model.save(str(target), show_progress=False)
        (target / WORDS_FILE).write_text(json.dumps(self.words, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, *, config: LexicalConfig, expected: int) -> LexicalIndex:
        """Read `folder/lexical/`, checking every file is there and it scores `expected` chunks."""
        target = folder / LEXICAL_DIR
        missing = [name for name in (*BM25_FILES, WORDS_FILE) if not (target / name).is_file()]
        if missing:
            raise IndexCorruptError(
                f"{target} lacks {', '.join(missing)}: the lexical index is incomplete; "
                "rebuild with `alliance-qa ingest`"
            )
        try:
            model = bm25s.BM25.load(str(target), mmap=False, show_progress=False)
            words = json.loads((target / WORDS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise IndexCorruptError(
                f"{target} is damaged ({exc}); rebuild with `alliance-qa ingest`"
            ) from None
        num_docs = model.scores.get("num_docs")
        columns = len(model.scores["indptr"]) - 1
        # bm25s adds an empty token after the last column, for queries with no known word
        highest = max((v for t, v in model.vocab_dict.items() if t), default=-1)
        if num_docs != expected or highest >= columns or not isinstance(words, dict):
            raise IndexCorruptError(
                f"{target} scores {num_docs} chunks over {columns} terms, but the index has {expected} "
                f"chunks and its vocabulary reaches term {highest + 1}; rebuild with `alliance-qa ingest`"
            )
        return cls(model, {str(k): int(v) for k, v in words.items()}, config)
