"""What the searched texts use: a question restricted to some documents is checked against theirs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.lexical import LexicalConfig, LexicalIndex
from index.retriever import Index
from index.scope import Scope
from tests.conftest import FIXTURE_CORPUS, FakeEmbedder

HARBOUR = "The Harbour Pact was signed in 1999 by Arvel and Brenn. Both navies patrol the harbour."
LIGHTHOUSE = "The lighthouse on Calder Point was built in 1872. The keepers cleaned the lens every morning."


@pytest.fixture(scope="module")
def lexical() -> LexicalIndex:
    return LexicalIndex.build([HARBOUR, LIGHTHOUSE], config=LexicalConfig())


def test_a_scope_knows_only_its_own_documents_words(lexical: LexicalIndex) -> None:
    corpus = Scope.corpus([HARBOUR, LIGHTHOUSE], lexical)
    lighthouse = Scope.within([LIGHTHOUSE], lexical)
    assert corpus.knows("arvel") and not lighthouse.knows("arvel")
    assert lighthouse.knows("keepers") and lighthouse.knows("keeprs")  # a typo of its own word
    assert lighthouse.uses("keeper") and not lighthouse.uses("navies")  # stems count
    assert lighthouse.knows("the")  # a stopword is used by any text
    assert lighthouse.numbers == {"1872"} and corpus.numbers == {"1999", "1872"}
    assert (corpus.label, lighthouse.label) == ("the texts", "the chosen documents")


def test_what_a_question_names_and_a_scope_never_does(lexical: LexicalIndex) -> None:
    lighthouse = Scope.within([LIGHTHOUSE], lexical)
    assert lighthouse.unknown("When did Arvel and Brenn sign the Harbour Pact in 1999?") == (
        ["“1999”"],
        ["“Arvel”", "“Brenn”", "“Harbour Pact”"],
    )
    assert lighthouse.unknown("When was the lighthouse on Calder Point built?") == ([], [])
    assert Scope.corpus([HARBOUR, LIGHTHOUSE], lexical).unknown("Which president built it?") == (
        [],
        ["a president"],
    )


def test_an_existence_question_about_a_thing_the_texts_never_mention_names_it(lexical: LexicalIndex) -> None:
    """Session 21: "is there parking at the clinic" was answered with the clinic's opening hours,
    "Does the clinic offer dental care?" with "Book online or by phone."."""
    corpus = Scope.corpus([HARBOUR, LIGHTHOUSE], lexical)
    assert corpus.unknown("Is there parking at the lighthouse?") == ([], ["“parking”"])
    assert corpus.unknown("Does the lighthouse offer guided tours?") == ([], ["“guided”", "“tours”"])
    assert corpus.unknown("Do the keepers have a boat?") == ([], ["“boat”"])
    # and whether one may use or take it
    assert corpus.unknown("can I bring a dog to the lighthouse") == ([], ["“dog”"])
    assert corpus.unknown("Is it safe to take the lens with ibuprofen?") == ([], ["“ibuprofen”"])
    assert corpus.unknown("Can I take the keepers' lens?") == ([], [])
    # ... and how one may pay (session 25: "can we pay our hearth & harrow invoices by credit card"
    # was answered "After 3 months, approved accounts may move to 14-day invoices.")
    assert corpus.unknown("can we pay the keepers by credit card") == ([], ["“credit”", "“card”"])
    assert corpus.unknown("Can I pay for the lens at the harbour?") == ([], [])
    # ... and what a policy covers or a shop stocks (session 25: "Does the Harbourside policy cover
    # damage caused by pets?" was answered with its unoccupied-home exclusion)
    assert corpus.unknown("Does the keepers' cover include the lens?") == ([], [])
    assert corpus.unknown("Does the lighthouse cover damage caused by pets?") == (
        [],
        ["“damage”", "“caused”", "“pets”"],
    )
    assert corpus.unknown("Does the harbour stock lenses?") == ([], [])
    # ... and what a place does: "does lumo do a student discount" (session 26: answered "You can set
    # a monthly spending cap…"); not whether a thing does anything (blind2: "Does the military
    # partnership do anything for employment?" is answerable)
    assert corpus.unknown("does the lighthouse do birthday parties") == ([], ["“birthday”", "“parties”"])
    assert corpus.unknown("Does the lighthouse do anything for employment?") == ([], [])
    assert corpus.unknown("Does the keeper do well with visitors?") == ([], [])
    # ... and whether it charges for a thing, or anyone sells one (session 26: "does highland drive
    # charge extra for a sat nav", "is anyone selling a bike on the hartfield noticeboard")
    assert corpus.unknown("does the lighthouse charge extra for parking") == ([], ["“parking”"])
    assert corpus.unknown("is anyone selling a bike at the harbour") == ([], ["“bike”"])
    assert corpus.unknown("does the harbour charge for the lens") == ([], [])
    # ... or whether anyone handed one in (session 27: "did anyone hand in a black north face jacket at
    # the leisure centre in november" was answered with the lost property log's scarf)
    assert corpus.unknown("did anyone hand in a jacket at the harbour") == ([], ["“jacket”"])
    assert corpus.unknown("has anyone found a lens at the lighthouse") == ([], [])
    # the holder of a role the texts never name, and of roles none of which they name
    assert corpus.unknown("Who is the manager of the lighthouse?") == ([], ["“manager”"])
    assert corpus.unknown("who's the head gardener at Calder Point") == ([], ["“head”", "“gardener”"])
    assert corpus.unknown("Who is the keeper or manager of the lighthouse?") == ([], [])
    assert corpus.unknown("Who was the keeper of the lighthouse?") == ([], [])
    # ... or the name of someone holding it (session 26: "whats the name of the swiftdrop driver who
    # came round"); not of a thing: "the name of the regular army drill that…"
    assert corpus.unknown("whats the name of the lighthouse driver who came round") == ([], ["“driver”"])
    assert corpus.unknown("What is the name of the keeper who lit the lens?") == ([], [])
    assert corpus.unknown("What is the name of the regular army drill that the keepers run?") == ([], [])
    # a hyphenated word's parts, and what one may make of a thing (session 21, shapes6)
    assert corpus.unknown("Is there a cooling-off period?") == ([], ["“cooling”", "“period”"])
    assert corpus.unknown("can i make the lighthouse lens gluten free") == ([], ["“gluten”"])
    # when it is asked for, and how much of it, are no thing asked about (session 22: "Is there extra
    # delivery on the 180cm raised bed?" of a shop that writes "delivery" but never "extra", "can I take
    # my dog to the beach in summer" of an ordinance giving its dates)
    assert corpus.unknown("Is there extra parking at the lighthouse in summer?") == ([], ["“parking”"])
    assert corpus.unknown("Can I bring the lens to the harbour in the evening?") == ([], [])
    assert corpus.unknown("Is there any free keeper at night?") == ([], [])
    # ... nor after or before what (session 26: "did isla have any reaction after her 8 week
    # injections?" was refused for “injections”, of a record writing "jabs")
    assert corpus.unknown("Did the keeper have any lens after the storm injections?") == ([], [])
    assert corpus.unknown("Is there parking at the lighthouse before the tours?") == ([], ["“parking”"])
    # ... nor a weekday said with "a" (session 24: "can I bring my dog into foundry lane on a
    # tuesday" was refused for “tuesday”), nor what one must do ("have to"), which is no having
    assert corpus.unknown("can I bring the lens to the harbour on a tuesday") == ([], [])
    assert corpus.unknown("do i have to travel somewhere for the lighthouse?") == ([], [])
    assert corpus.unknown("do i have a boat at the lighthouse?") == ([], ["“boat”"])
    # what the texts write, in a typo or another spelling, or asked otherwise, is no unknown thing
    assert corpus.unknown("Is there a lighthouse keeper?") == ([], [])
    assert corpus.unknown("Does the harbour have naveis?") == ([], [])
    assert corpus.unknown("What parking is there at the lighthouse?") == ([], [])
    text = "The harbour runs a training programme."
    harbour = Scope.corpus([text], LexicalIndex.build([text]))
    assert harbour.unknown("Does the harbour offer training programs?") == ([], [])


def test_a_version_or_date_is_named_whole() -> None:
    # session 17: "When will version 3.0 be released?" was refused only by rule 2; "3.0" was no number
    text = "## 2.0.0 - 2025-11-20\nSwitched to keys. Version 1.4 was the last of 2024."
    scope = Scope.corpus([text], LexicalIndex.build([text]))
    assert scope.unknown("What changed in 2.0.0?") == ([], [])
    assert scope.unknown("What changed in v1.4?") == ([], [])
    assert scope.unknown("What happened in 2025?") == ([], [])  # the date's year
    assert scope.unknown("What changed in 3.0 on 2025-11-21?") == (["“3.0”", "“2025-11-21”"], [])
    # session 18: "Which bugs did Tern 4.2 fix?" was refused over notes heading "Tern 4.2.0"; a
    # series names its versions, but 2.00 is no version of 2.0, nor 2.0.0 of 2.0.0.1
    assert scope.unknown("What changed in 2.0?") == ([], [])
    assert scope.unknown("What changed in 2.00 and 2.0.0.1?") == (["“2.00”", "“2.0.0.1”"], [])


def test_a_name_is_known_by_a_typo_only_of_a_word_written_with_a_capital(lexical: LexicalIndex) -> None:
    # session 16: "Who hosts the Spanner session?" was answered, "Spanner" read as a typo of "scanner"
    corpus = Scope.corpus([HARBOUR, LIGHTHOUSE], lexical)
    assert corpus.unknown("Did the Brenm navy sign it?") == ([], [])  # a typo of the name "Brenn"
    assert corpus.unknown("Who cleaned the Lena every morning?") == ([], ["“Lena”"])  # "lens": no name
    assert corpus.unknown("Who cleaned the lena every morning?") == ([], [])  # in lower case, a typo
    assert corpus.knows_name("the") and corpus.knows_name("keepers")


def test_a_question_restricted_to_documents_that_never_name_its_subject_is_refused(tmp_path: Path) -> None:
    index = Index.build(FIXTURE_CORPUS, tmp_path / "index", embedder=FakeEmbedder())
    question = "When did Arvel and Brenn sign the Harbour Pact?"
    refused = index.ask(question, doc_ids=["lighthouse-notes"])
    assert not refused.answerable and refused.confidence == 0.0
    assert refused.refusal == "the chosen documents never mention “Arvel” or “Brenn” or “Harbour Pact”"
    assert refused.hits and {h.citation.doc_id for h in refused.hits} == {"lighthouse-notes"}
    for doc_ids in (None, ["harbour-pact"], ["harbour-pact", "lighthouse-notes"]):
        result = index.ask(question, doc_ids=doc_ids)
        assert result.refusal is None or "never mention" not in result.refusal, doc_ids


def test_each_documents_words_are_read_once_for_every_scope_and_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A question restricted to documents (`doc_ids`) and the closest-documents check both read a
    document's word stems: once per document, not again for each new set of documents (session 22
    left two caches, one per set, one per document)."""
    import index.ranking
    import index.scope

    read: list[str] = []
    stems_of = index.scope.stems_of

    def counted(text: str, lexical: LexicalIndex) -> frozenset[str]:
        read.append(text)
        return stems_of(text, lexical)

    monkeypatch.setattr(index.scope, "stems_of", counted)
    monkeypatch.setattr(index.ranking, "stems_of", counted)
    docs = tmp_path / "docs"
    shutil.copytree(FIXTURE_CORPUS, docs)
    (docs / "ferry.txt").write_text("The ferry to Calder Point leaves at noon.\n", encoding="utf-8")
    built = Index.build(docs, tmp_path / "index", embedder=FakeEmbedder())
    read.clear()
    question = "When did Arvel and Brenn sign the Harbour Pact?"
    both = built.ask(question, doc_ids=["harbour-pact", "lighthouse-notes"])
    assert len(read) == 2 and len(set(read)) == 2
    # a new set of documents read already reads nothing again, and scopes as one read whole does
    refused = built.ask(question, doc_ids=["lighthouse-notes"])
    assert len(read) == 2
    assert refused.refusal == "the chosen documents never mention “Arvel” or “Brenn” or “Harbour Pact”"
    assert both.refusal is None or "never mention" not in both.refusal
    built.ask(question, doc_ids=["lighthouse-notes", "ferry"])
    assert len(read) == 3


@pytest.mark.parametrize(
    ("question", "script"),
    [
        ("日米同盟とは何ですか？", "Japanese script"),  # kana with kanji: Japanese
        ("日美同盟是什么？", "Chinese characters"),
        ("한미동맹이란?", "Korean script"),
        ("Что такое альянс?", "Cyrillic script"),
        ("When was the Harbour Pact signed?", None),
        ("What is 日米同盟, the Japan-US alliance?", None),  # a Latin word is enough
        ("1999?", None),  # no letters at all
        ("Qu'est-ce que le pacte?", None),  # the texts' own script, another language
    ],
)
def test_a_question_in_a_script_the_texts_never_use_is_named(
    lexical: LexicalIndex, question: str, script: str | None
) -> None:
    assert Scope.corpus([HARBOUR, LIGHTHOUSE], lexical).foreign_script(question) == script


def test_texts_in_another_script_take_questions_in_it(lexical: LexicalIndex) -> None:
    texts = ["Договор о гавани подписан в 1999 году.", LIGHTHOUSE]
    scope = Scope.corpus(texts, LexicalIndex.build(texts, config=LexicalConfig()))
    assert scope.foreign_script("Когда подписан договор?") is None
    assert scope.foreign_script("日米同盟とは何ですか？") == "Japanese script"


def test_a_question_in_another_script_is_refused_with_that_reason(tmp_path: Path) -> None:
    index = Index.build(FIXTURE_CORPUS, tmp_path / "index", embedder=FakeEmbedder())
    refused = index.ask("灯台はいつ建てられましたか？")
    assert not refused.answerable and refused.answer is None
    assert refused.confidence is not None and refused.confidence < index.config.abstention.min_confidence
    assert (
        refused.refusal
        == "it is written in Japanese script, which the texts never use: ask in their language"
    )
    scoped = index.ask("灯台はいつ建てられましたか？", doc_ids=["lighthouse-notes"])
    assert scoped.refusal is not None and "the chosen documents never use" in scoped.refusal


def test_a_question_typed_full_width_is_read_as_its_letters(tmp_path: Path) -> None:
    index = Index.build(FIXTURE_CORPUS, tmp_path / "index", embedder=FakeEmbedder())
    plain = index.ask("When was the lighthouse on Calder Point built?")
    wide = index.ask("Ｗｈｅｎ ｗａｓ ｔｈｅ ｌｉｇｈｔｈｏｕｓｅ ｏｎ Ｃａｌｄｅｒ Ｐｏｉｎｔ ｂｕｉｌｔ？")
    assert wide.refusal == plain.refusal and wide.answerable == plain.answerable
    assert [h.chunk.chunk_id for h in wide.hits] == [h.chunk.chunk_id for h in plain.hits]
    assert wide.question.startswith("Ｗｈｅｎ")  # the result still says what was asked


def test_weekdays_and_months_the_texts_abbreviate_are_no_unknown_names() -> None:
    clinic = "Opening hours: Mon-Fri 8am-6pm, Sat 9am-1pm. Flu jabs from Sept. The sun sets early."
    lexical = LexicalIndex.build([clinic], config=LexicalConfig())
    scope = Scope.corpus([clinic], lexical)
    assert scope.unknown("What time does the clinic open on Saturday?") == ([], [])
    assert scope.unknown("Is it open on Fridays?") == ([], [])
    assert scope.unknown("Are flu jabs given in September?") == ([], [])
    # "sun" is written, but never as a capitalised abbreviation: Sunday is still unknown
    assert scope.unknown("Is it open on Sunday?") == ([], ["“Sunday”"])
    assert scope.unknown("Is it open in December?") == ([], ["“December”"])


def test_a_code_the_texts_never_write_is_named() -> None:
    """Session 18: "What is the patient's vitamin B12 level?" was answered from a lab report that
    gives no B12; a code (letters, then a figure) is checked whole, in any case."""
    text = "Ferritin 8 ug/L (low). Housing: IP65. Model: TH-22, firmware v2.0. Open 9am to 5pm."
    scope = Scope.corpus([text], LexicalIndex.build([text]))
    assert scope.unknown("What is the vitamin B12 level?") == (["“B12”"], [])
    assert scope.unknown("Is the TH22 rated ip65?") == ([], [])
    assert scope.unknown("Does it run on v2?") == ([], [])
    assert scope.unknown("Was it tested for COVID-19 in the 1960s?") == (["“COVID-19”"], [])  # one name
    assert scope.unknown("Is it open at 10am?") == ([], [])  # a time, not a code


def test_a_stopword_is_no_name_though_it_is_one_edit_from_a_word() -> None:
    """Session 18: "cofee overflowing from the filter basket what do i do", typed in lower case, was
    written as the texts write "What" (only ever opening a sentence) and refused, "the texts never
    mention “What”": "what" is one edit from "chat", which the texts write in lower case."""
    text = "What to do in the chat. Fill in the form.\n"
    scope = Scope.corpus([text], LexicalIndex.build([text]))
    assert scope.correct("what") == "chat" and scope.correct("from") == "form"  # the trap
    assert scope.unknown("the basket overflows What do I do From now on") == ([], [])
    assert scope.unknown("the basket overflows What do Brenn do") == ([], ["“Brenn”"])
