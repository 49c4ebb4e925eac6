"""The East Asian scripts, as ranges of code points to write inside a regular expression's "[…]".

Japanese and Chinese are written without spaces between words, and Korean's Hangul is read with
them by BM25 (as Lucene's CJK analyser reads it). Three modules tell these characters apart, each
joining the pieces it needs: `ingest.structure` counts a heading's words from its Chinese and
Japanese characters, `index.lexical` reads their runs as pairs of characters for BM25, and
`index.languages` names a text's language by its script. One definition, so that a range written
in one of them is not written differently in another.

Every index built holds the tokens `index.lexical` read with its pieces: widening one of those
changes what a built index's text is read as, and its questions stop matching it until it is
built again.
"""

from __future__ import annotations

HIRAGANA = "\u3040-\u309f"
KATAKANA = "\u30a0-\u30ff"
KATAKANA_PHONETIC_EXTENSIONS = "\u31f0-\u31ff"  # small katakana for Ainu: "ㇰ", "ㇷ"
# "ｶﾀｶﾅ", as old encodings (Shift JIS) and forms typed into them write it; NFKC makes it "カタカナ"
HALFWIDTH_KATAKANA = "\uff66-\uff9f"
KANA = f"{HIRAGANA}{KATAKANA}{KATAKANA_PHONETIC_EXTENSIONS}{HALFWIDTH_KATAKANA}"

# Chinese characters (Japanese kanji, Korean hanja): CJK Unified Ideographs' Extension A, the
# unified block, and the compatibility ideographs; those of the supplementary planes (Extension B
# on, U+20000…) are not among them
IDEOGRAPHS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
ITERATION_MARK = "\u3005"  # "々", the ideograph before it again: "人々", "時々"
HAN = f"{ITERATION_MARK}{IDEOGRAPHS}"

# the letters a Hangul syllable is composed of ("ᄒ", "ᅡ", "ᆫ"), and the same letters standing
# alone, as a keyboard types them ("ㅎ", "ㅏ", "ㄴ")
HANGUL_JAMO = "\u1100-\u11ff"
HANGUL_COMPATIBILITY_JAMO = "\u3130-\u318f"
HANGUL_SYLLABLES = "\uac00-\ud7af"  # "한", "국": what Korean text is written in
HANGUL = f"{HANGUL_JAMO}{HANGUL_COMPATIBILITY_JAMO}{HANGUL_SYLLABLES}"
