from __future__ import annotations

import re
import unicodedata

import pytest

from index import languages, lexical
from ingest import scripts, structure

HIRAGANA = "あ"
KATAKANA = "カ"
SMALL_KATAKANA = "\u31f0"  # ㇰ, Katakana Phonetic Extensions
HALFWIDTH_KATAKANA = "ｶ"
ITERATION_MARK = "々"
IDEOGRAPH = "駅"
COMPATIBILITY_IDEOGRAPH = "\uf900"  # 豈
EXTENSION_B_IDEOGRAPH = "\U00020000"  # 𠀀, on none of the pieces
HANGUL_SYLLABLE = "한"
HANGUL_JAMO = "\u1112"  # ᄒ
COMPATIBILITY_JAMO = "ㅎ"
LATIN = "a"
FULLWIDTH_DIGIT = "１"
ALL = (
    HIRAGANA,
    KATAKANA,
    SMALL_KATAKANA,
    HALFWIDTH_KATAKANA,
    ITERATION_MARK,
    IDEOGRAPH,
    COMPATIBILITY_IDEOGRAPH,
    EXTENSION_B_IDEOGRAPH,
    HANGUL_SYLLABLE,
    HANGUL_JAMO,
    COMPATIBILITY_JAMO,
    LATIN,
    FULLWIDTH_DIGIT,
)
IDEOGRAPHS = {IDEOGRAPH, COMPATIBILITY_IDEOGRAPH}


def _members(pattern: re.Pattern[str] | str, top: int = 0x10000) -> frozenset[int]:
    rx = re.compile(pattern) if isinstance(pattern, str) else pattern
    return frozenset(i for i in range(top) if rx.fullmatch(chr(i)))


def _ranges(pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """The code points `pattern` takes, of all of Unicode's, as runs (first, last)."""
    runs: list[tuple[int, int]] = []
    for i in sorted(_members(pattern, top=0x110000)):
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def test_lexical_reads_the_characters_built_indexes_were_read_with() -> None:
    """Every index built holds the tokens read with these classes: a piece of `ingest.scripts`
    widened under them would read its texts otherwise than its questions are read."""
    assert _ranges(lexical.CJK_RUN) == [
        (0x3005, 0x3005),
        (0x3040, 0x30FF),
        (0x31F0, 0x31FF),
        (0x3400, 0x4DBF),
        (0x4E00, 0x9FFF),
        (0xAC00, 0xD7AF),
        (0xF900, 0xFAFF),
    ]
    assert _ranges(lexical.CJK_UNIGRAM) == [
        (0x3400, 0x4DBF),
        (0x4E00, 0x9FFF),
        (0xAC00, 0xD7AF),
        (0xF900, 0xFAFF),
    ]


@pytest.mark.parametrize(
    ("name", "pattern", "accepted"),
    [
        # BM25's runs read as pairs: kana (not halfwidth), 々, ideographs, Hangul syllables (not jamo)
        (
            "lexical run",
            lexical.CJK_RUN,
            {HIRAGANA, KATAKANA, SMALL_KATAKANA, ITERATION_MARK, *IDEOGRAPHS, HANGUL_SYLLABLE},
        ),
        # ... and read alone: an ideograph or a Hangul syllable, never a kana nor 々
        ("lexical unigram", lexical.CJK_UNIGRAM, {*IDEOGRAPHS, HANGUL_SYLLABLE}),
        (
            "languages kana",
            f"[{languages.KANA}]",
            {HIRAGANA, KATAKANA, SMALL_KATAKANA, HALFWIDTH_KATAKANA},
        ),
        ("languages hangul", f"[{languages.HANGUL}]", {HANGUL_SYLLABLE, HANGUL_JAMO, COMPATIBILITY_JAMO}),
        ("languages han", f"[{languages.HAN}]", {ITERATION_MARK, *IDEOGRAPHS}),
        (
            "languages ideographic",
            languages.IDEOGRAPHIC,
            set(ALL) - {EXTENSION_B_IDEOGRAPH, LATIN, FULLWIDTH_DIGIT},
        ),
        # a heading's words counted from its characters: kana and ideographs as layout 13 reads them
        ("structure", structure.CJK, {HIRAGANA, KATAKANA, *IDEOGRAPHS}),
    ],
)
def test_each_reader_takes_the_characters_it_needs(
    name: str, pattern: re.Pattern[str] | str, accepted: set[str]
) -> None:
    rx = re.compile(pattern) if isinstance(pattern, str) else pattern
    taken = {c for c in ALL if rx.fullmatch(c)}
    assert taken == accepted, name


def test_the_readers_classes_are_the_shared_pieces() -> None:
    """Built indexes store lexical's tokens, and languages' classes name a text's language: each is
    exactly its pieces of `ingest.scripts`, not a range written again beside them."""
    assert languages.KANA is scripts.KANA
    assert languages.HANGUL is scripts.HANGUL
    assert languages.HAN is scripts.HAN
    assert _members(languages.IDEOGRAPHIC) == _members(f"[{scripts.KANA}{scripts.HANGUL}{scripts.HAN}]")
    kana = f"{scripts.HIRAGANA}{scripts.KATAKANA}{scripts.KATAKANA_PHONETIC_EXTENSIONS}"
    assert _members(lexical.CJK_RUN) == _members(
        f"[{scripts.ITERATION_MARK}{kana}{scripts.IDEOGRAPHS}{scripts.HANGUL_SYLLABLES}]"
    )
    assert _members(lexical.CJK_UNIGRAM) == _members(f"[{scripts.IDEOGRAPHS}{scripts.HANGUL_SYLLABLES}]")
    assert _members(structure.CJK) == _members(f"[{scripts.HIRAGANA}{scripts.KATAKANA}{scripts.IDEOGRAPHS}]")


@pytest.mark.parametrize(
    ("piece", "names"),
    [
        (scripts.HIRAGANA, ("HIRAGANA",)),
        (scripts.KATAKANA, ("KATAKANA",)),
        (scripts.KATAKANA_PHONETIC_EXTENSIONS, ("KATAKANA LETTER SMALL",)),
        (scripts.HALFWIDTH_KATAKANA, ("HALFWIDTH KATAKANA",)),
        (scripts.ITERATION_MARK, ("IDEOGRAPHIC ITERATION MARK",)),
        (scripts.IDEOGRAPHS, ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH")),
        (scripts.HANGUL_JAMO, ("HANGUL CHOSEONG", "HANGUL JUNGSEONG", "HANGUL JONGSEONG")),
        (scripts.HANGUL_COMPATIBILITY_JAMO, ("HANGUL LETTER", "HANGUL FILLER")),
        (scripts.HANGUL_SYLLABLES, ("HANGUL SYLLABLE",)),
    ],
)
def test_each_piece_is_the_script_it_is_named_for(piece: str, names: tuple[str, ...]) -> None:
    """Every assigned character of a piece is named for its script in Unicode (a range mistyped by a
    digit takes in another block's characters), and a piece takes in some."""
    assigned = [chr(i) for i in _members(f"[{piece}]") if unicodedata.name(chr(i), "")]
    assert assigned
    strays = [c for c in assigned if not any(n in unicodedata.name(c) for n in names)]
    assert strays == []
