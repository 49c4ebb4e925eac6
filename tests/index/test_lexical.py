from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from alliance_qa.errors import IndexCorruptError, InputError
from index.inflections import forms_of
from index.lexical import BM25_FILES, LEXICAL_DIR, WORDS_FILE, LexicalConfig, LexicalIndex, tokens

TEXTS = [
    "The treaty covers shared patrols of the harbour mouth.",
    "Joint drills test rescue at sea every year.",
    "The annual exercise Grey Heron tests rescue at sea.",
    "A standing commission meets every March to review the treaty.",
    "The lighthouse lamp can be seen far out to sea.",
]


@pytest.fixture
def lexical() -> LexicalIndex:
    return LexicalIndex.build(TEXTS)


def test_a_rare_keyword_ranks_its_chunk_first(lexical: LexicalIndex) -> None:
    scores = lexical.scores("Where does the heron exercise happen at sea?")
    assert int(np.argmax(scores)) == 2
    # "sea" is in four chunks, "heron" in one: the rare word decides
    assert scores[2] > scores[1] > 0


def test_stemming_matches_inflected_forms(lexical: LexicalIndex) -> None:
    scores = lexical.scores("patrolling")
    assert int(np.argmax(scores)) == 0 and scores[0] > 0


def test_a_misspelled_word_is_corrected_to_its_corpus_neighbour(lexical: LexicalIndex) -> None:
    assert lexical.correct("lighthuose") == "lighthouse"
    assert lexical.correct("comission") == "commission"
    assert lexical.correct("photosynthesis") is None
    assert int(np.argmax(lexical.scores("lighthuose lamp"))) == 4


def test_a_correction_is_one_edit_not_two_that_share_a_deletion() -> None:
    lexical = LexicalIndex.build(
        ["The impact of the framework.", "The framework again.", "One framework, two frameworks."]
    )
    # "rimpac" and "impact" both lose a letter to "impac", but are two edits apart: no typo of it
    assert lexical.correct("rimpac") is None
    assert lexical.correct("impcat") == "impact"  # a swap of neighbours is one edit
    # "framework" is more frequent, but "frameworks" is the one edit away
    assert lexical.correct("framworks") == "frameworks"


def test_another_form_of_a_word_is_read_before_a_typo() -> None:
    # session 25: "how many years did margaret teach…" read "teach" as "reach" over "She taught at
    # Wickham Primary School for thirty-one years", which held too little of it to be answered
    lexical = LexicalIndex.build(
        ["She taught at the school for thirty-one years.", "Keep out of reach of children.", "Fees paid."]
    )
    assert lexical.correct("teach") == "taught"
    assert lexical.correct("child") == "children"  # an irregular plural
    assert lexical.correct("pay") == "paid"
    assert lexical.correct("reech") == "reach"  # a typo is still a typo
    assert lexical.query_terms("did she teach").stems == ("taught",)
    assert forms_of("taught")[0] == "teach" and "teaching" in forms_of("taught")


def test_a_typo_of_a_long_plurals_singular_finds_the_plural() -> None:
    # "prescripton" is two edits from the only form the texts write (session 16: the blind formats
    # set's "how long does a repeat prescripton take" was refused)
    lexical = LexicalIndex.build(
        [
            "Repeat prescriptions take 48 hours.",
            "Know your rights.",
            "The annals of the club.",
            "Defense frameworks.",
        ]
    )
    assert lexical.correct("prescripton") == "prescriptions"
    assert lexical.correct("perscriptions") == "prescriptions"  # typed as a plural, a swap from it
    assert lexical.correct("framworks") == "frameworks"
    # a short singular is too often another word one edit away: "might" is no "right(s)"
    assert lexical.correct("might") is None
    assert lexical.correct("annual") is None


def test_a_long_word_that_is_no_english_word_is_read_two_edits_away_for_bm25_only() -> None:
    # session 24: blind8's "what domanes beyond tradishonal military…" and shapes7's "brisa kettel
    # recal freefone number" found their passages only with these two edits
    lexical = LexicalIndex.build(
        [
            "Bicycles must be packed in a bike box.",
            "Traditional military domains and new ones.",
            "A precedent for cooperation.",
            "Call our freephone number.",
            "The Malaria clinic.",
        ]
    )
    assert lexical.correct_loosely("bycicles") == "bicycles"
    assert lexical.correct_loosely("tradishonal") == "traditional"
    assert lexical.correct_loosely("freefone") == "freephone"
    assert int(np.argmax(lexical.scores("bycicles box"))) == 0
    assert lexical.query_terms("tradishonal domanes").known == 2
    # one edit stays the rule for what the corpus mentions (rule 1): a name is no English word either
    assert lexical.correct("bycicles") is None and not lexical.knows("malabar")
    # an English word the corpus does not use is no typo of one two edits away
    assert lexical.correct_loosely("president") is None
    # nor is a short word, nor another first letter, nor a word with accents (another language's)
    assert lexical.correct_loosely("bycicl") is None
    assert (
        lexical.correct_loosely("brecedentt") is None
        and lexical.correct_loosely("precedentts") == "precedent"
    )
    assert lexical.correct_loosely("frèefone") is None


def test_versions_dates_and_lone_digits_are_words() -> None:
    # session 17: "What changed in 2.0.0?" over a changelog was answered from 2.1.0's section
    # ("2.0.0" was no word at all, one-character pieces being left out), and "Lab 4" was "lab"
    texts = [
        "## 2.0.0 - 2025-11-20\n- Switched to key-based authentication.",
        "## 2.1.0 - 2026-03-02\n- Added the colour field.",
        "Lab 4 covers charts.",
        "Lab 5 covers maps.",
    ]
    lexical = LexicalIndex.build(texts)
    assert lexical.words_of("V2.1.0 released 2025-06-01 at 10:30, 1.2 million") == [
        *("2.1.0", "released", "2025-06-01", "2025", "06", "01", "10:30", "10", "30", "1.2", "million")
    ]
    scores = lexical.scores("What changed in 2.0.0?")
    assert scores[0] > 0 and scores[1] == 0  # "2.1.0" shares no word with "2.0.0"
    assert int(np.argmax(lexical.scores("What does lab 4 cover?"))) == 2
    assert int(np.argmax(lexical.scores("What happened in 2025?"))) == 0  # a run's year is a word
    # a version is never a typo of another one edit away
    assert lexical.correct("2.0.1") is None and lexical.correct("2026-03-03") is None
    # the way before: two or more word characters only
    before = LexicalIndex.build(texts, config=LexicalConfig(numbers=False))
    assert before.words_of("Lab 4, version 2.0.0") == ["lab", "version"]


def test_a_decomposed_text_matches_a_composed_question() -> None:
    # session 17: a file saved in NFD (macOS) never matched "Zürich" typed in a question
    import unicodedata

    lexical = LexicalIndex.build(
        [unicodedata.normalize("NFD", "The café in Zürich opens at 7:30."), "Other."]
    )
    assert lexical.words_of(unicodedata.normalize("NFD", "Zürich")) == ["zürich"]
    assert int(np.argmax(lexical.scores("When does the café in Zürich open?"))) == 0
    assert lexical.query_terms("café Zürich").coverage == 1.0


def test_an_index_from_before_a_setting_reads_as_it_was_built_and_is_rebuilt_with_it() -> None:
    for setting in ("numbers", "cjk", "cjk_unigrams", "hyphens"):
        built = {k: v for k, v in LexicalIndex.build(TEXTS).params().items() if k != setting}
        assert getattr(LexicalConfig.from_json(built), setting) is False  # its queries read as it was
        assert getattr(LexicalConfig.rebuilt(built), setting) is True  # its next write brings it up to date
        assert getattr(LexicalConfig.rebuilt({**built, setting: False}), setting) is False  # a choice is kept


def test_japanese_and_chinese_runs_are_read_as_pairs_of_characters() -> None:
    """Written without spaces, a Japanese question was one word no passage held: BM25 scored
    nothing for "粗大ごみの処理券はいくらですか" over a page saying "処理券は1枚400円です。" (session 20)."""
    lexical = LexicalIndex.build(
        [
            "粗大ごみは予約制です。処理券は1枚400円です。",
            "年末年始は収集がありません。",
            "The treaty of 1960.",
        ]
    )
    assert lexical.words_of("処理券は1枚400円") == [
        "処理",
        "理券",
        "券は",
        "1",
        "枚",
        "400",
        "円",
        "処",
        "理",
        "券",
    ]
    assert lexical.words_of("The Japan-US treaty") == ["japan", "us", "treaty"]  # other words as before
    assert int(np.argmax(lexical.scores("粗大ごみの処理券はいくらですか"))) == 0
    assert lexical.query_terms("年末年始の収集").coverage > 0.5
    whole = LexicalIndex.build(["処理券は1枚400円です。", "Other."], config=LexicalConfig(cjk=False))
    assert not whole.scores("処理券はいくらですか").any()  # read whole, as an index from before reads


def test_a_word_hyphenated_inside_a_column_is_read_whole() -> None:
    # session 21: a PDF's two columns taken as text line by line put the other column between a word's
    # halves ("…Orton Rec-" | "…tions in October.   reation Ground…")
    text = (
        "weekly food-waste collec-       the new play area at Orton Rec-\n"
        "tions in October 2023. Resi-    reation Ground opened in May\n"
        "dual waste fell to 412 kg.      2023 at a cost of £185,000.\n"
    )
    words = tokens(text, hyphens=True)
    assert {"collections", "recreation", "residual"} <= set(words)
    assert "rections" in words  # the line's end read with the next line's start, as any wrapped text
    # a column's part opening elsewhere on the line under it, or text in no columns, joins nothing new
    assert tokens("Pre-     x\n  order   y\n", hyphens=True) == tokens("Pre-     x\n  order   y\n")
    assert tokens("food-waste collec-\ntions", hyphens=True)[-1] == "collections"


def test_a_question_of_one_chinese_or_japanese_character_is_a_word() -> None:
    """Session 21: "犬" ("dog") was read as no word at all, and "犬を…" as "犬を", which no passage
    writes: each ideograph or Hangul syllable of a run is read alone too (a kana alone is none)."""
    texts = [
        "ペットのご同伴はご遠慮いただいております。ただし、盲導犬・介助犬はご利用いただけます。",
        "駐車場は無料です。",
    ]
    lexical = LexicalIndex.build(texts)
    for question in ("犬", "犬？", "犬を連れて行けますか"):
        assert "犬" in lexical.query_terms(question).stems
        assert int(np.argmax(lexical.scores(question))) == 0
    assert lexical.words_of("は") == [] and lexical.words_of("개") == ["개"]
    assert lexical.query_terms("鍵").coverage == 0.0  # a character the texts never write
    # an index from before reads as it was built
    pairs = LexicalIndex.build(texts, config=LexicalConfig(cjk_unigrams=False))
    assert not pairs.scores("犬").any() and pairs.words_of("駐車場") == ["駐車", "車場"]


def test_no_known_word_scores_nothing(lexical: LexicalIndex) -> None:
    assert not lexical.scores("the of and").any()
    assert not lexical.scores("photosynthesis").any()


def test_the_ceiling_bounds_every_score_and_a_chunk_repeating_the_question_nears_it() -> None:
    """`ceiling` is what BM25 could give a chunk holding each known word of the question as often
    as can be: checked against scores, brute force, of chunks holding some, all, and all many times."""
    texts = [*TEXTS, " ".join(["heron rescue"] * 40), "heron rescue"]
    lexical = LexicalIndex.build(texts)
    for question in ("heron rescue", "Where does the heron rescue happen at sea?", "treaty", "zebra"):
        terms = lexical.query_terms(question)
        ceiling = lexical.ceiling(terms)
        scores = lexical.score_terms(terms.stems)
        assert (scores <= ceiling + 1e-9).all(), question
        assert ceiling == pytest.approx(float(lexical.idf(terms.stems).sum()))
    terms = lexical.query_terms("heron rescue")
    scores = lexical.score_terms(terms.stems)
    assert scores[5] / lexical.ceiling(terms) > 0.85  # the chunk repeating both words, 40 times
    assert scores[2] / lexical.ceiling(terms) < scores[5] / lexical.ceiling(terms)
    assert lexical.ceiling(lexical.query_terms("zebra")) == 0.0  # no known word


def test_query_terms_count_known_and_unknown_words(lexical: LexicalIndex) -> None:
    terms = lexical.query_terms("How does photosynthesis help the harbour patrols?")
    # content words: help, photosynthesis, harbour, patrols; only the last two are in the corpus
    assert terms.words == 4
    assert terms.known == 2
    assert terms.coverage == 2 / 4


def test_matched_shares_weigh_words_by_rarity(lexical: LexicalIndex) -> None:
    terms = lexical.query_terms("heron sea")
    heron, sea = lexical.idf(["heron", "sea"])
    shares, _ = lexical.matched_shares(terms, [1, 2])
    assert shares[0] == pytest.approx(sea / (heron + sea))
    assert shares[1] == pytest.approx(1.0)


def test_matched_share_of_the_known_words_leaves_the_unknown_ones_out(lexical: LexicalIndex) -> None:
    terms = lexical.query_terms("heron sea photosynthesis")  # the corpus never says "photosynthesis"
    heron, sea = lexical.idf(["heron", "sea"])
    shares, known = lexical.matched_shares(terms, [1, 2])
    assert shares[1] == pytest.approx((heron + sea) / (heron + sea + lexical.rarest_idf))
    assert known[1] == pytest.approx(1.0)
    assert known[0] == pytest.approx(sea / (heron + sea))  # the first text holds "sea" alone


def test_saved_as_plain_files_and_loaded_back(tmp_path: Path, lexical: LexicalIndex) -> None:
    lexical.save(tmp_path)
    folder = tmp_path / LEXICAL_DIR
    assert {p.name for p in folder.iterdir()} >= {*BM25_FILES, WORDS_FILE}
    for array in folder.glob("*.npy"):
        np.load(array, allow_pickle=False)  # raises if anything was pickled
    json.loads((folder / WORDS_FILE).read_text(encoding="utf-8"))
    loaded = LexicalIndex.load(tmp_path, config=lexical.config, expected=len(TEXTS))
    question = "annual rescue exercise"
    np.testing.assert_allclose(loaded.scores(question), lexical.scores(question))


@pytest.mark.parametrize("missing", ["vocab.index.json", "data.csc.index.npy", WORDS_FILE])
def test_a_missing_file_is_reported_with_the_fix(tmp_path: Path, lexical: LexicalIndex, missing: str) -> None:
    lexical.save(tmp_path)
    (tmp_path / LEXICAL_DIR / missing).unlink()
    with pytest.raises(IndexCorruptError, match=rf"{missing}.*alliance-qa ingest"):
        LexicalIndex.load(tmp_path, config=lexical.config, expected=len(TEXTS))


def test_a_count_mismatch_is_corruption(tmp_path: Path, lexical: LexicalIndex) -> None:
    lexical.save(tmp_path)
    with pytest.raises(IndexCorruptError, match="scores 5 chunks"):
        LexicalIndex.load(tmp_path, config=lexical.config, expected=6)


def test_params_record_the_config_and_sizes(lexical: LexicalIndex) -> None:
    params = lexical.params()
    assert params["num_docs"] == len(TEXTS)
    assert params["stemmer"] == "english" and params["k1"] == LexicalConfig().k1
    assert LexicalConfig.from_json(params) == lexical.config


def test_bad_config_is_refused() -> None:
    with pytest.raises(InputError, match="stopword list"):
        LexicalConfig(stopwords="klingon")
