"""How a question is read: the request around it dropped, its case restored when it has none."""

from __future__ import annotations

import pytest

from index.acronyms import find_acronyms
from index.names import Wording
from index.reading import caseless, compatible, drop_request, question_word_spelt, restore_case

ESSAY = (
    "The Japan-US alliance rests on the Treaty of Mutual Cooperation and Security. "
    "Under the General Security of Military Information Agreement, Japan and South Korea share "
    "intelligence. The US keeps bases in Japan; the alliance serves us all."
)
WORDING = Wording.of([ESSAY])
ACRONYMS = find_acronyms([ESSAY])


@pytest.mark.parametrize(
    ("asked", "read"),
    [
        ("Can you tell me: When was the treaty signed?", "When was the treaty signed?"),
        ("Could you please tell me when the treaty was signed?", "when the treaty was signed?"),
        ("Please tell me which countries joined", "which countries joined"),
        ("I'd like to know who signed it?", "who signed it?"),
        ("I would like to understand how the alliance works", "how the alliance works"),
        ("Do you know in what year it was signed?", "in what year it was signed?"),
        ("Does anyone know if Japan joined?", "Japan joined?"),
        ("Tell me, when was it signed?", "when was it signed?"),
        ("Tell me about the Japan-India agreement.", "the Japan-India agreement."),
        ("Hi! Can you explain why the alliance matters?", "why the alliance matters?"),
        ("I was wondering whether the treaty was revised", "the treaty was revised"),
        ("Explain how compliance is checked", "how compliance is checked"),
        ("Q: What is GSOMIA?", "What is GSOMIA?"),
        ("Quick question: what is GSOMIA?", "what is GSOMIA?"),
        ('"When was the treaty signed?"', "When was the treaty signed?"),
        ("“When was the treaty signed?”", "When was the treaty signed?"),
        ("> **When was the treaty signed?**", "When was the treaty signed?"),
        ("When was the treaty signed, please?", "When was the treaty signed?"),
        ("When was the treaty signed? Thanks!", "When was the treaty signed?"),
        ("My question is: when was it signed?", "when was it signed?"),
        ("I am writing a report. We need facts! When was the treaty signed?", "When was the treaty signed?"),
        ("I'm new here. Can you tell me what GSOMIA is?", "what GSOMIA is?"),
        ("Please, tell me: thank you", "Please, tell me: thank you"),  # nothing else: kept as asked
        # a few words of one's own before a colon, and context about oneself before them (session 25:
        # refused, "the texts never mention “Europe”")
        ("Quick check for a sidebar: who signed the declaration?", "who signed the declaration?"),
        # where the answer is to be found, before a comma (session 25: no question for a date)
        ("According to you, when did South Korea end the pact?", "when did South Korea end the pact?"),
        ("Based on the texts, how many agreements are there?", "how many agreements are there?"),
        ("So, when was it signed?", "when was it signed?"),
        # a pronoun after a name of the question's own points at that name, not back (session 27)
        (
            "We are debating alliances in class. In which year did Seoul say it would end GSOMIA?",
            "In which year did Seoul say it would end GSOMIA?",
        ),
        (
            "My brother insists nobody in Europe cares. So settle it: what global impacts does the essay name?",
            "what global impacts does the essay name?",
        ),
    ],
)
def test_the_request_around_a_question_goes(asked: str, read: str) -> None:
    assert drop_request(asked) == read


@pytest.mark.parametrize(
    "question",
    [
        "When was the treaty signed?",
        "Explain the difference between TCP and UDP.",  # an imperative that is the question itself
        "Can the US use bases in Japan?",  # "can", but not a request to be told
        "Who can tell me nothing about Hiroshima?",
        "Historical grievances between Japan and South Korea",
        "Which agreement do Japan and India keep, please note, in force?",  # "please" not at the end
        "I read that Japan and India signed a pact. What areas does it cover?",  # "it" needs the pact
        "I read about the pact. When did they sign the GSOMIA?",  # the pronoun before any name
        "I work at the U.S. embassy in Tokyo.",  # nothing after it: the sentence is the question
        "We need the date the treaty was signed",
        "Japan and India signed a pact. When?",  # not about the asker: context of the question
        # a name before the colon is what the question asks about, and so may be a word or two in
        # lower case
        "In 1960, what did Japan sign?",  # a figure, or a name, before the comma is asked about
        "According to the Japan-US essay, when was it signed?",
        "ACSA: which partner countries does Japan have one with?",
        "acsa: which partner countries does japan have one with?",
        "For a talk on Japan and Britain: what do they aim for?",
        "So tell me: what does it cover?",  # the question points back
    ],
)
def test_questions_without_a_request_are_read_as_asked(question: str) -> None:
    assert drop_request(question) == question


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what is gsomia", True),
        ("WHAT IS GSOMIA?", True),
        ("WHEN WAS THE JAPAN-US TREATY SIGNED? (A)", True),  # one-letter words say nothing
        ("What is GSOMIA?", False),
        ("what is GSOMIA?", False),  # the acronym is written in capitals: that says something
        # a capital opening a sentence, and the pronoun "I", say nothing either (session 25: "can I
        # drive a wheelshare car over to france" was answered, "France" being no name to it)
        ("When was the treaty signed?", True),
        ("can I drive a wheelshare car over to france", True),
        ("Hello. Can i take my dog to france?", True),
        ("can I drive a wheelshare car over to France", False),
        ("When did Japan sign?", False),
        ("1960?", False),  # no words
    ],
)
def test_a_question_is_caseless_when_its_case_tells_nothing(question: str, expected: bool) -> None:
    assert caseless(question) is expected


def test_case_is_restored_as_the_corpus_writes_its_words() -> None:
    assert WORDING.forms["japan"] == "Japan" and "us" not in WORDING.forms  # "us" is also written lower
    assert WORDING.forms["general"] == "General" and "intelligence" not in WORDING.forms  # only in lower case
    assert (
        restore_case("WHAT DOES GSOMIA LET JAPAN SHARE?", WORDING, ACRONYMS)
        == "what does GSOMIA let Japan share?"
    )
    assert restore_case("when did japan and south korea sign gsomia", WORDING, ACRONYMS) == (
        "when did Japan and South Korea sign GSOMIA"
    )
    # a word the corpus never uses, and no acronym it spells out: nothing says it is a name
    assert (
        restore_case("WHO JOINS THE MALABAR EXERCISE?", WORDING, ACRONYMS)
        == "who joins the malabar exercise?"
    )
    # ... but a country the corpus never names is a name whatever its case (session 17)
    assert restore_case("japan philippines reciprocal access agreement", WORDING, ACRONYMS) == (
        "Japan Philippines reciprocal access Agreement"  # the essay writes only "Agreement"
    )
    assert restore_case("can I drive to france", WORDING, ACRONYMS) == "can i drive to France"
    # a question with case is left as it is, however odd
    assert (
        restore_case("What does gsomia let JAPAN share?", WORDING, ACRONYMS)
        == "What does gsomia let JAPAN share?"
    )


def test_a_corpus_word_is_never_read_as_an_acronym() -> None:
    wording = Wording.of([ESSAY + " They say gsmia in the street."])
    assert "GSMIA" in ACRONYMS
    assert restore_case("what is gsmia", wording, ACRONYMS) == "what is gsmia"
    assert restore_case("what is gsmia", WORDING, ACRONYMS) == "what is GSMIA"


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        (
            "Ｗｈｅｎ ｗａｓ ｔｈｅ ｔｒｅａｔｙ ｓｉｇｎｅｄ？",
            "When was the treaty signed?",
        ),  # a Japanese input method
        ("What is the ﬁrst treaty?", "What is the first treaty?"),  # a ligature, as PDFs paste it
        ("日米同盟とは何ですか？", "日米同盟とは何ですか?"),  # Japanese stays Japanese
        ("When was the Harbour Pact signed?", "When was the Harbour Pact signed?"),
    ],
)
def test_compatibility_forms_are_read_as_the_letters_they_stand_for(typed: str, read: str) -> None:
    assert compatible(typed) == read


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        # session 27: "wen do bookins open for the gym clases" was not read as asking when
        ("wen do bookins open for the gym clases", "when do bookins open for the gym clases"),
        ("wat time is our flight", "what time is our flight"),
        ("WAT TIME IS OUR FLIGHT", "WHAT TIME IS OUR FLIGHT"),
        ("Wher is the defibrilator", "Where is the defibrilator"),
        ("Wen Jiabao visited Tokyo in 2007", "Wen Jiabao visited Tokyo in 2007"),  # a name: no verb after it
        ("what is GSOMIA?", "what is GSOMIA?"),
    ],
)
def test_a_question_word_typed_short_is_spelt_out(typed: str, read: str) -> None:
    assert question_word_spelt(typed) == read
