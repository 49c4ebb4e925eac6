"""Parse a document's shape: title, headings, paragraphs and (nested) list items, with offsets."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from ingest.scripts import HIRAGANA, IDEOGRAPHS, KATAKANA

BlockKind = Literal["title", "heading", "paragraph", "item", "row"]

# a list item's line: "- Eggs", "2. Whisk", and (session 18) a reference's or a note's, "[2] Wohlleben,
# P. (2016). …", "(1) Mesh barriers were replaced…", and a statute's "(a)", "(ii)" (`ENCLOSED_MARK`)
LIST_ITEM = re.compile(
    r"^(?P<indent>[ \t]*)(?:[•\-*–]|\d{1,3}[.)]|\((?:\d{1,3}|[a-z]{1,2}|[ivxl]{1,5})\)|\[\d{1,3}\])[ \t]+\S"
)
BULLETS = "•-*–"  # the marks opening a bullet list's items
# a mark in brackets, which prose also writes at a line's start ("…the greater of⏎(1) the fees"):
# an item only where no sentence goes on, or in a list
ENCLOSED_MARK = re.compile(r"^[ \t]*[(\[]")
# a reference's entry: "[2] Wohlleben, P. (2016). The Hidden Life of Trees. Greystone Books." is one
# unit, not cut at "(2016)." (`ingest.chunking`)
REFERENCE_ENTRY = re.compile(r"^\[\d{1,3}\][ \t]+\S")
MAX_HEADING_WORDS = 14
MAX_LABEL_CHARS = 200  # a title or heading named in a section path, cut past this (`heading_label`)
# ... and Chinese's and Japanese's: "チェックアウトは10時です。", "（300円）"
CLOSING_PUNCTUATION = '.!?:;,…"”’)' + "。！？：；，、」』）】"
# a Chinese or Japanese character (kana, CJK ideographs: `ingest.scripts`): such text is written
# without spaces, so a heading's words are counted from its characters too. Not 々, halfwidth
# katakana nor Ainu's small katakana, which `index.languages` reads as kana and Chinese characters:
# counted, they make "様々な…人々の案内です" (28 characters) no heading where it was one, and an index's
# documents are cut as they were until `ingest.chunking.LAYOUT` changes
CJK = re.compile(f"[{HIRAGANA}{KATAKANA}{IDEOGRAPHS}]")
CJK_CHARS_PER_WORD = 2


@dataclass(frozen=True)
class Block:
    """One structural line-run of a document: `text[start:end]` is its exact content."""

    kind: BlockKind
    start: int  # code-point offset of the first non-blank character
    end: int  # offset after the last non-blank character
    line: int  # 1-based line number of `start`
    depth: int  # list nesting depth (0 for everything that is not an item)
    section: tuple[str, ...]  # heading path: title › heading › subheading…
    # a paragraph ending in ':' right over a list, a table or fields, a table's header row, or a
    # question right over its answer
    lead_in: bool = False
    # a paragraph of subtitles going on from one cue to the next: the spans between its cues' texts
    # (the blank line, the cue's number and its timing line), which no sentence runs over
    gaps: tuple[tuple[int, int], ...] = ()


# a Markdown ATX heading's marks: "## Preparation ##"
ATX_MARKS = re.compile(r"^#{1,6}\s+|\s+#+\s*$|^={1,6}\s+(?=[^\W\d_])")
# a Markdown ATX heading line: up to three spaces, one to six "#", then a space (or nothing);
# indented further it is code, and "#hashtag" is no heading
# ... or AsciiDoc's "=" marks, one to six, then a space and a word: "== Upgrading node pools" (session
# 18: named with its marks, and "=== Rolling back" beside "==", not under it)
ATX = re.compile(r"^ {0,3}(#{1,6}|={1,6}(?=[ \t]+[^\W\d_]))(?:[ \t]|$)")
# an AsciiDoc attribute entry or a reStructuredText field, ":icons: font", ":Author: Jonas Behrendt": a
# row of its own, no heading (session 18: ":icons: font" headed a runbook's introduction); without
# a value, ":toc:", a setting and no text
ATTRIBUTE_ENTRY = re.compile(r"^:[\w-]+:[ \t]+\S")
SETTING = re.compile(r"^:[\w-]+:[ \t]*$")
# a Markdown code fence: "```python", "~~~"; the block runs to a fence of the same character at
# least as long, with nothing after it (CommonMark), or to the end of the document
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# a line with no letter or digit: a Markdown rule ("---", "***") or a setext underline ("=====")
RULE = re.compile(r"^[^\w]*$")
# a Markdown (GFM) table row, "| Basic | $10 | 50 GB |": a block of its own, so an answer is the row
# and a long table is cut between rows; a table is a run of such lines whose second is its
# delimiter row ("|---|:---:|"), which has no letter: a rule (without one, "|tag|" lines of a Vim
# help file's prose are no table)
TABLE_ROW = re.compile(r"^ {0,3}\|.*\|")
# ... or Org-mode's, "|------+------|", its columns crossed by "+"
DELIMITER_ROW = re.compile(r"^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:[|+][ \t]*:?-+:?[ \t]*)+\|?[ \t]*$")
# a field, "Phone: 023 9200 1234", "From: Sam": in a run of two or more on consecutive lines (a
# record, an email's header, a transcript's "Alice: …" lines) each is a block of its own, as a table
# row is, where a line left open would have run on into the next; its label may be bold, "**Cause:**
# The label roll is empty." (session 18: a troubleshooting page's Symptom / Cause / Fix lines were
# one paragraph)
# a field's key and its colon ("Phone:", "**Cause:**"), named `key`
# ... or a BibTeX entry's, "doi = {10.1002/qj.49710845502},", "address = "Yokohama"," (session 20: "What is
# the DOI of Oke 1982?" was answered with the entry's author)
FIELD_KEY = (
    r"(?:\*\*)?(?P<key>[^\W\d_][\w'’()/&.-]*(?:[ \t]+[\w'’()/&.-]+){0,2})"
    r"(?:(?::\*\*|\*\*:|:)[ \t]+\S|[ \t]*=[ \t]*[{\"])"
)
FIELD = re.compile(r"^ {0,3}" + FIELD_KEY)
# a field listing three or more values, standing alone: "Attendees: Priya, Jonas, Maria, Tom" is
# text, not a heading over the minutes under it (session 16: it named the section of every item);
# "Measure: profiling, timing" may head a section
LISTING_FIELD = re.compile(FIELD.pattern + r"[^,]*,[^,]*,")
# a definition, "SOFA - Status of Forces Agreement", "Ana Lima – product lead": a glossary's or a
# directory's lines; a dash after a line's first words is common enough in prose that only a run of
# three or more, each opening with a capital (a wrapped line of prose mostly opens in lower case),
# makes each a block of its own
DEFINITION = re.compile(r"^ {0,3}[A-ZÀ-ÖØ-Þ][\w'’()/&.+#-]*(?:[ \t]+[\w'’()/&.+#-]+){0,3}[ \t]+[-–—][ \t]+\S")
MIN_DEFINITIONS = 3
# ... and a pattern's abbreviations, "k2tog - knit 2 together", "(k1, p1, k1) - knit, purl and knit": a
# term of one word in lower case, or in brackets (session 19: a knitting pattern's 13 were one
# paragraph, cut by the chunk budget inside a line, "p3tog" | "- purl 3 together")
LOWER_DEFINITION = re.compile(r"^ {0,3}(?:[a-z0-9][\w'’()/&.+#-]*|\([^()]+\))[ \t]+[-–—][ \t]+\S")
# a rule a line may stand boxed between, "-----" or "=====" over and under it: five or more of one mark
# (AsciiDoc's "----" and "====" open and close blocks of code and examples)
BOX_RULE = re.compile(r"^ {0,3}([-=*_~#+])\1{4,}[ \t]*$")
# a line of one mark repeated, as Markdown (=, -) and reStructuredText (also ~ ^ " ' ` * + # : . _)
# underline a heading
UNDERLINE = re.compile(r"^([=\-~^\"'`*+#:._])\1*$")


# metadata opening a Markdown file (Jekyll, Hugo, MkDocs, Obsidian): YAML between "---" lines, or
# TOML between "+++" lines, whose first entry is a key ("title: …", "title = …")
FRONT_MATTER_KEY = {"---": re.compile(r"^[A-Za-z_][\w-]*\s*:"), "+++": re.compile(r"^[A-Za-z_][\w-]*\s*=")}
FRONT_MATTER_ENDS = {"---": ("---", "..."), "+++": ("+++",)}
COMMENT_START, COMMENT_END = "<!--", "-->"
# U+FEFF opening a file saved as "UTF-8 with BOM" (Windows Notepad, PowerShell): kept in the text, so
# offsets stay those of the file, and skipped as a mark
BOM = "\ufeff"
# a line of HTML tags alone ("<a id=\"v1.2\"></a>", "<details>", "<https://…>"): markup, no text
HTML_ONLY = re.compile(r"^\s*(?:<[^<>]+>\s*)+$")
# a Markdown link reference definition ("[issues]: https://…"): where a link points, no text
LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+\s*$")


def _text_lines(text: str) -> list[tuple[int, str]]:
    """Each line of `text` as (offset, line without its line break), with the lines that are not
    the document's text blanked: front matter, HTML comments or tags, Markdown link definitions
    and AsciiDoc settings (":toc:") standing on lines of their own, page footers and headers, and page
    numbers ("Page 2 of 2")."""
    lines: list[tuple[int, str]] = []
    offset = 0
    for raw in text.splitlines(keepends=True):
        lines.append((offset, raw.rstrip("\r\n")))
        offset += len(raw)
    if lines and lines[0][1].startswith(BOM):  # a byte-order mark is no text: the first line follows it
        lines[0] = (len(BOM), lines[0][1][len(BOM) :])
    unread: list[int] = []
    opening = lines[0][1].strip() if lines else ""
    if opening in FRONT_MATTER_KEY:
        inner = next((i for i in range(1, len(lines)) if lines[i][1].strip()), None)
        end = next(
            (i for i in range(1, len(lines)) if lines[i][1].strip() in FRONT_MATTER_ENDS[opening]), None
        )
        if (
            inner is not None
            and end is not None
            and inner < end
            and FRONT_MATTER_KEY[opening].match(lines[inner][1])
        ):
            unread.extend(range(end + 1))
    comment: list[int] | None = None  # the lines of a comment not closed yet
    for i, (_, line) in enumerate(lines):
        stripped = line.strip()
        if comment is None:
            if stripped.startswith(COMMENT_START):
                comment = []
            elif HTML_ONLY.match(line) or LINK_DEFINITION.match(line) or SETTING.match(line):
                unread.append(i)
                continue
        if comment is not None:
            comment.append(i)
            closes = stripped.find(COMMENT_END, len(COMMENT_START) if i == comment[0] else 0)
            if closes >= 0:
                if not stripped[closes + len(COMMENT_END) :].strip():  # nothing after it on the line
                    unread.extend(comment)
                comment = None
    unread.extend(_page_breaks(lines))
    unread.extend(_page_furniture(lines))
    unread.extend(_cue_markers([line for _, line in lines]))
    unread.extend(i for i, (_, line) in enumerate(lines) if ENCRYPTION_NOTICE.match(line))
    unread.extend(_org_markup([line for _, line in lines]))
    unread.extend(_latex_markup([line for _, line in lines]))
    unread.extend(_web_chrome([line for _, line in lines]))
    unread.extend(i for i, (_, line) in enumerate(lines) if PAGE_NUMBER.match(line))
    skipped = set(unread)
    if all(not line.strip() for i, (_, line) in enumerate(lines) if i not in skipped):
        return lines  # nothing else to read: the document is its metadata
    for i in skipped:
        lines[i] = (lines[i][0], "")
    return lines


# a paginated plain-text document's page footer, "Okonkwo     Expires 14 January 2026     [Page 2]", and
# the running header over the next page, "Internet-Draft       TMP       July 2025": set in columns
PAGE_FOOTER = re.compile(r"\S {3,}.*\[Page \d+\][ \t]*$")
RUNNING_HEADER = re.compile(r"^\S.*\S {3,}\S")
RUNNING_HEADER_GAP = 4  # lines from the footer to the header over the next page, at most
# a page's number on a line of its own, "Page 2 of 2", "---------- page 2 ----------": no text (session 19:
# "Page 2 of 2" was a section, and the quiz's answers ran on the line of its page break)
PAGE_NUMBER = re.compile(
    r"^[ \t]*[-=_*–—]*[ \t]*page[ \t]+\d+(?:[ \t]+of[ \t]+\d+)?[ \t]*[-=_*–—]*[ \t]*$", re.IGNORECASE
)


# a running header or footer of text extracted from a PDF: a line set in columns, "Harwick District
# Council      Annual Report 2023/24", or naming its page, "… Annual Report 2023/24      Page 5 of 12"
FURNITURE_SHAPE = re.compile(r"\S {3,}\S|\bpage[ \t]+\d", re.IGNORECASE)
MIN_FURNITURE = 3  # places a running header or footer stands at, at least


def _page_furniture(lines: list[tuple[int, str]]) -> list[int]:
    """The lines of running headers and footers: a line standing alone (blank lines over and under
    it), set in columns or naming its page (`FURNITURE_SHAPE`), that stands alone at three or more
    places with only its digits changing (session 20: an annual report's page header and "… Page 5
    of 12" footer were headings, and the footer was the answer to "Who is the leader of the
    council?"). A table's recurring "Total    12    34" row stands among its rows, not alone. One
    opening the document is its title: "Harwick District Council … Annual Report 2023/24" names every
    section of it (without it, "How many affordable homes did Harwick deliver in 2023/24?" found no
    "2023/24" over its answer)."""
    first = next((i for i, (_, line) in enumerate(lines) if line.strip()), None)
    places: dict[str, list[int]] = {}
    for i, (_, line) in enumerate(lines):
        alone = (i == 0 or not lines[i - 1][1].strip()) and (
            i + 1 == len(lines) or not lines[i + 1][1].strip()
        )
        if alone and line.strip() and FURNITURE_SHAPE.search(line.strip()):
            places.setdefault(" ".join(DIGITS.sub("0", line).split()), []).append(i)
    return [i for found in places.values() if len(found) >= MIN_FURNITURE for i in found if i != first]


DIGITS = re.compile(r"\d+")


# a subtitle file's cue timing line, WebVTT's "00:00:19.000 --> 00:00:23.700 align:start" or SubRip's
# "00:00:19,000 --> 00:00:23,700"
CUE_TIMING = re.compile(
    r"^[ \t]*(?:\d{1,2}:)?\d{1,2}:\d{2}[.,]\d{3}[ \t]+-->[ \t]+(?:\d{1,2}:)?\d{1,2}:\d{2}[.,]\d{3}(?:[ \t].*)?$"
)
MIN_CUES = 2
# WebVTT's first line, "WEBVTT" or "WEBVTT - Episode 3", and a note's opening word standing alone
WEBVTT = re.compile(r"^\ufeff?WEBVTT(?:[ \t].*)?$")
NOTE = "NOTE"


def _cue_timings(lines: Sequence[str]) -> list[int]:
    """The cue timing lines of a subtitle file (WebVTT, SubRip), by line index; none in a file with
    fewer than two."""
    timings = [i for i, line in enumerate(lines) if CUE_TIMING.match(line)]
    return timings if len(timings) >= MIN_CUES else []


def _cue_markers(lines: Sequence[str]) -> list[int]:
    """The lines of a subtitle file that mark its cues and are no text (session 20: "WEBVTT" was a
    captions file's title, and the timing lines headings, "WEBVTT › 00:00:19.000 --> 00:00:23.700"):
    the timing lines; the line over each, under a blank line, that names or numbers the cue (a
    SubRip's "12"); WebVTT's "WEBVTT" line and the header lines under it ("Kind: captions"); and
    the word "NOTE" standing alone over a note."""
    timings = _cue_timings(lines)
    if not timings:
        return []
    markers = list(timings)
    markers.extend(
        i - 1 for i in timings if i >= 1 and lines[i - 1].strip() and (i < 2 or not lines[i - 2].strip())
    )
    if lines and WEBVTT.match(lines[0]):
        header = next((i for i, line in enumerate(lines) if not line.strip()), len(lines))
        markers.extend(range(header))
    markers.extend(i for i, line in enumerate(lines) if line.strip() == NOTE)
    return markers


# an Org-mode file's keyword line, "#+TITLE: Kitchen renovation", "#+STARTUP: overview"; its headline,
# "** DONE Strip out old kitchen   :kitchen:", its depth the number of stars; a drawer's opening or
# closing line, ":PROPERTIES:", ":END:", and a property in one, ":TOTAL_BUDGET: 18500"
ORG_KEYWORD = re.compile(r"^#\+(?P<key>[A-Za-z_]+):[ \t]*(?P<value>.*)$")
ORG_TITLE = re.compile(r"^#\+title:[ \t]*", re.IGNORECASE)
ORG_INFO = frozenset(("AUTHOR", "DATE", "EMAIL", "SUBTITLE"))  # keyword lines read as fields
ORG_TODO_KEYS = frozenset(("TODO", "SEQ_TODO", "TYP_TODO"))
ORG_STATES = frozenset(("TODO", "DONE", "NEXT", "WAITING", "HOLD", "CANCELLED", "CANCELED"))
ORG_HEADLINE = re.compile(r"^(?P<stars>\*+)[ \t]+(?P<name>.*?)(?:[ \t]+:[\w@#%:]+:)?[ \t]*$")
ORG_PRIORITY = re.compile(r"^\[#[A-Z0-9]\][ \t]*")
ORG_DRAWER = re.compile(r"^[ \t]*:[A-Za-z_]+:[ \t]*$")
# ... and a headline's planning line, "SCHEDULED: <2024-05-20 Mon>", "CLOSED: [2024-05-13 Mon 16:20]"
ORG_PLANNING = re.compile(r"^[ \t]*(?:(?:SCHEDULED|DEADLINE|CLOSED):[ \t]*[<\[][^>\]]*[>\]][ \t]*)+$")
ORG_PROPERTY = re.compile(r"^[ \t]*:(?P<key>[\w-]+):[ \t]+\S")  # ":TOTAL_BUDGET: 18500"


def _org_states(lines: Sequence[str]) -> frozenset[str] | None:
    """An Org-mode file's states a headline may open with ("TODO", "DONE", and those its "#+TODO:" line
    names), or None for a file that is none: one with no "#+TITLE:" line and fewer than two keyword
    lines ("#+AUTHOR: …")."""
    keywords = [m for line in lines if (m := ORG_KEYWORD.match(line)) is not None]
    if not any(m.group("key").upper() == "TITLE" for m in keywords) and len(keywords) < 2:
        return None
    declared = {
        word.split("(")[0]
        for m in keywords
        if m.group("key").upper() in ORG_TODO_KEYS
        for word in m.group("value").split()
        if word != "|"
    }
    return ORG_STATES | declared


def _org_markup(lines: Sequence[str]) -> list[int]:
    """The lines of an Org-mode file that are settings, no text (session 20: "#+STARTUP: overview" and
    "#+TBLFM: …" were paragraphs, ":END:" a lead-in): its keyword lines but the title's and those
    naming its author or date (`ORG_INFO`), and its drawers' opening and closing lines."""
    if _org_states(lines) is None:
        return []
    return [
        i
        for i, line in enumerate(lines)
        if (
            (keyword := ORG_KEYWORD.match(line)) is not None
            and keyword.group("key").upper() not in ORG_INFO | {"TITLE"}
        )
        or ORG_DRAWER.match(line)
    ]


def _org_headline(line: str, states: frozenset[str]) -> tuple[int, str] | None:
    """The depth and name of an Org-mode headline, "** CANCELLED Underfloor heating :house:" (2,
    "Underfloor heating"): without its state, its priority and its tags; None for another line."""
    headline = ORG_HEADLINE.match(line)
    if headline is None:
        return None
    name = headline.group("name")
    first = name.split(None, 1)
    if first and first[0] in states:
        name = first[1] if len(first) > 1 else first[0]
    return len(headline.group("stars")), ORG_PRIORITY.sub("", name) or name


# a LaTeX source: its preamble's or body's opening line
LATEX_SOURCE = re.compile(r"^[ \t]*\\(?:documentclass|begin\{document\})")
# its sectioning command on a line of its own, "\section{Methods}", "\subsection*{Funding}
# \label{sec:f}", by level
LATEX_SECTION = re.compile(
    r"^[ \t]*\\(?P<command>part|chapter|section|subsection|subsubsection|paragraph)\*?"
    r"(?:\[[^\]]*\])?\{(?P<name>[^{}]*(?:\{[^{}]*\}[^{}]*)*)\}[ \t]*(?:\\label\{[^{}]*\}[ \t]*)?(?:%.*)?$"
)
LATEX_LEVELS = {"part": 1, "chapter": 2, "section": 3, "subsection": 4, "subsubsection": 5, "paragraph": 6}
# a line of markup alone, no text: "\begin{abstract}", "\usepackage[utf8]{inputenc}", "\maketitle",
# "\bibliographystyle{plain}\bibliography{refs}\end{document}", "% a comment"
LATEX_MARKUP = re.compile(
    r"^[ \t]*(?:%.*|(?:\\(?:documentclass|usepackage|RequirePackage|begin|end|maketitle|bibliography"
    r"|bibliographystyle|addbibresource|printbibliography|tableofcontents|centering|label|toprule"
    r"|midrule|bottomrule|hline|newpage|clearpage|noindent|appendix|newcommand|renewcommand|setlength"
    r"|graphicspath|pagestyle|thispagestyle)\*?(?:\[[^\]]*\]|\{[^{}]*\})*[ \t]*)+(?:%.*)?)$"
)
# a LaTeX title, "\title{Later School Start Times:\\ A Cohort Study}", named by its text
LATEX_TITLE = re.compile(r"^[ \t]*\\title\{(?P<name>.*)\}[ \t]*$")
LATEX_BREAK = re.compile(r"[ \t]*\\\\[ \t]*")


# a BibTeX entry's opening line, "@article{oke1982energetic,": a file of two or more is a bibliography
BIBTEX_ENTRY = re.compile(r"^[ \t]*@[A-Za-z]+[ \t]*[{(]")
MIN_BIBTEX_ENTRIES = 2


def _is_latex(lines: Sequence[str]) -> bool:
    r"""Whether `lines` are a LaTeX source: one with "\documentclass" or "\begin{document}"."""
    return any(LATEX_SOURCE.match(line) for line in lines)


def _latex_markup(lines: Sequence[str]) -> list[int]:
    r"""The lines of a LaTeX source that are markup alone (`LATEX_MARKUP`), no text (session 20: a
    paper's only heading was "\end{abstract}", its section "\documentclass[11pt]{article}", and
    "\bibliography{refs}" shared the funding sentence's passage)."""
    if not _is_latex(lines):
        return []
    return [i for i, line in enumerate(lines) if LATEX_MARKUP.match(line)]


# a web page saved as text: its link past the navigation, "Skip to main content"
SKIP_LINK = re.compile(
    r"^[ \t]*(?:skip|jump)[ \t]+to[ \t]+(?:the[ \t]+)?(?:main[ \t]+)?(?:content|navigation)[ \t]*$", re.I
)
# ... a row of links, "Home | News | Money | Sign in", "Share on Facebook | Share by email | Copy link":
# three or more short link texts between "|" (not opening with one, as a table's row does)
LINK_ROW = re.compile(
    r"^[ \t]*[^|\s](?:[^|.!?]*[^|\s.!?:;,])?(?:[ \t]+\|[ \t]+[^|\s](?:[^|.!?]*[^|\s.!?:;,])?){2,}[ \t]*$"
)
MAX_LINK_WORDS = 5
# ... a breadcrumb trail, "Energy > Home heating", a word of the page's controls, "Search", and an
# advertisement's place
BREADCRUMB = re.compile(r"^[ \t]*[^>\s][^>]*(?:[ \t]+[>›»][ \t]+[^>\s][^>]*)+$")
PAGE_CONTROL = re.compile(
    r"^[ \t]*(?:search|menu|advertisement|sign in|subscribe|log in)[ \t]*$", re.IGNORECASE
)
# ... its cookie banner, "We use cookies to improve your experience. … Accept all | Reject non-essential"
COOKIE_BANNER = re.compile(r"\bcookies\b.*\b(?:accept|reject|consent|preferences)\b", re.IGNORECASE)
ADVERTISEMENT = re.compile(r"^[ \t]*advertisement[ \t]*$", re.IGNORECASE)


def _link_row(line: str) -> bool:
    """Whether `line` is a row of three or more links between "|" (`LINK_ROW`), each of a few words."""
    return LINK_ROW.match(line) is not None and all(
        len(link.split()) <= MAX_LINK_WORDS for link in line.split("|")
    )


def _web_chrome(lines: Sequence[str]) -> list[int]:
    """The lines of a web page's furniture, no text (session 20: a news page saved as text was titled
    "Skip to main content", its first section "Share on Facebook | Share on Twitter | …", and its
    questions answered under "Advertisement"): a line "Advertisement" standing alone anywhere; and in
    a page with a link past its navigation ("Skip to main content"), that link, its rows of links,
    its breadcrumb trail ("Energy > Home heating"), its cookie banner and the words of its controls
    ("Search")."""
    chrome = [
        i
        for i, line in enumerate(lines)
        if ADVERTISEMENT.match(line)
        and (i == 0 or not lines[i - 1].strip())
        and (i + 1 == len(lines) or not lines[i + 1].strip())
    ]
    if any(SKIP_LINK.match(line) for line in lines):
        chrome.extend(
            i
            for i, line in enumerate(lines)
            if SKIP_LINK.match(line)
            or _link_row(line)
            or PAGE_CONTROL.match(line)
            or COOKIE_BANNER.search(line)
            or (
                BREADCRUMB.match(line)
                and all(len(part.split()) <= MAX_LINK_WORDS for part in re.split("[>›»]", line))
            )
        )
    return chrome


def _page_breaks(lines: list[tuple[int, str]]) -> list[int]:
    """The lines of page footers ("… [Page 2]") and of the running headers right after them (session
    18: an Internet-Draft's were headings, and the text after each page break was cited under
    "Internet-Draft  TMP  July 2025" instead of its section)."""
    breaks: list[int] = []
    for i, (_, line) in enumerate(lines):
        if PAGE_FOOTER.search(line):
            breaks.append(i)
            below = range(i + 1, min(i + 1 + RUNNING_HEADER_GAP, len(lines)))
            header = next((j for j in below if lines[j][1].strip()), None)
            if header is not None and RUNNING_HEADER.match(lines[header][1]):
                breaks.append(header)
    return breaks


def _field_runs(lines: list[tuple[int, str]]) -> set[int]:
    """The lines that are fields ("Phone: 023 9200 1234") next to another field line, and those in
    a run of three or more definitions ("SOFA - Status of Forces Agreement")."""
    # a line that runs on into a next one opening in lower case (and no field) is wrapped prose,
    # whatever it opens with ("bpo-15786: Fix several problems…" over "The following should now
    # work: clicking on …;" over "using the scrollbar; …")
    shaped = [FIELD.match(line) is not None for _, line in lines]
    field = [
        is_shaped and not (i + 1 < len(lines) and lines[i + 1][1][:1].islower() and not shaped[i + 1])
        for i, is_shaped in enumerate(shaped)
    ]
    runs = {
        i
        for i, is_field in enumerate(field)
        if is_field and ((i > 0 and field[i - 1]) or (i + 1 < len(field) and field[i + 1]))
    }
    run: list[int] = []
    for i, (_, line) in enumerate([*lines, (0, "")]):
        if i < len(lines) and (DEFINITION.match(line) or _defines_in_lower_case(lines, i)):
            run.append(i)
            continue
        if len(run) >= MIN_DEFINITIONS:
            runs.update(run)
        run = []
    return runs


def _defines_in_lower_case(lines: list[tuple[int, str]], index: int) -> bool:
    """Whether `lines[index]` is a definition of a term in lower case, "k2tog - knit 2 together", "ssk -
    slip, slip, knit", "(k1, p1, k1) - knit, purl and knit into one stitch": one that no wrapped line
    of prose runs on into, or from ("endured - despite tensions - for decades and")."""
    line = lines[index][1]
    above = lines[index - 1][1].strip() if index > 0 else ""
    return (
        LOWER_DEFINITION.match(line) is not None
        and not _breaks_off(line.strip())
        and not (above and _breaks_off(above))
    )


def _attribute_entries(lines: list[tuple[int, str]]) -> set[int]:
    """The lines of attribute entries or fields (":Author: Jonas Behrendt") under a blank line or
    another of them: a wrapped line of prose opening with ":AutoInstall: option." goes on its text."""
    entries: set[int] = set()
    for i, (_, line) in enumerate(lines):
        if ATTRIBUTE_ENTRY.match(line) and (i == 0 or not lines[i - 1][1].strip() or i - 1 in entries):
            entries.add(i)
    return entries


def _table_runs(lines: Sequence[str]) -> list[range]:
    """The runs of "|" lines that are Markdown tables, by line index: their second is a delimiter row."""
    runs: list[range] = []
    i = 0
    while i < len(lines):
        end = i
        while end < len(lines) and TABLE_ROW.match(lines[end]):
            end += 1
        if end - i >= 2 and DELIMITER_ROW.match(lines[i + 1]):
            runs.append(range(i, end))
        i = max(end, i + 1)
    return runs


def _table_rows(lines: list[tuple[int, str]]) -> set[int]:
    """The lines of Markdown tables."""
    return {i for run in _table_runs([line for _, line in lines]) for i in run}


# a label's colon and the value after it, "… number: 2024-510233-17-00"
LABELLED_VALUE = re.compile(r":[ \t]+\S")
DIGIT = re.compile(r"\d")
# a line of comma-separated values: "South,Beatriz Costa,Summit 45L Backpack,410,49200,2025-01-29"
CSV_COMMA = re.compile(r",(?! )")
# a record opened by a word and its number: "Week 5 (Sep 29): Grammar of graphics…", "Day 2 - …"
NUMBERED_RECORD = re.compile(r"^ {0,3}([A-Z][a-z]+) \d{1,3}\b")
# a log line, opened by its timestamp: "2025-06-03T02:14:07.118Z INFO …", "[2025-06-03 02:14:07] …",
# or a chat's line, opened by its time alone: "[10:42] marta.k: pausing rollout", "10:42:07 deshawn …"
# ... or a chat export's, opened by its date and time: WhatsApp's "12/03/2024, 14:05 - Dev Patel: …",
# "[12/03/2024, 14:05:33] Dev Patel: …", "3/12/24, 2:05 PM - …" (session 20: a group's messages ran
# together as paragraphs, three messages one "sentence")
CHAT_DATE_TIME = r"\d{1,2}/\d{1,2}/\d{2,4},?[ \t]\d{1,2}:\d{2}(?::\d{2})?(?:[ \u202f]?[AaPp]\.?[Mm]\.?)?"
CHAT_STAMP = CHAT_DATE_TIME + r"\]?[ \t]+(?:-[ \t]+)?\S"
LOG_LINE = re.compile(
    r"^\s*\[?(?:\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|\d{1,2}:\d{2}(?::\d{2})?\]?[ \t]+\S|" + CHAT_STAMP + ")"
)
# a chat export's notice that its messages are encrypted: no text of the chat, nor its title
ENCRYPTION_NOTICE = re.compile(r"^\s*\[?" + CHAT_STAMP + r".*\bend-to-end encrypted\b", re.IGNORECASE)
# a chat's message, opened by its stamp and its author: "12/03/2024, 14:05 - Dev Patel: …", "[12/03/2024,
# 14:05:33] Dev Patel: …", "[10:42] marta.k: …" (a line with no author, "… - Sam Price left", is none)
CHAT_MESSAGE = re.compile(
    r"^[ \t]*\[?(?:" + CHAT_DATE_TIME + r"\]?|\d{1,2}:\d{2}(?::\d{2})?\])[ \t]+(?:-[ \t]+)?"
    r"(?P<author>[^\s:][^:\n]{0,39}):[ \t]+\S"
)


@dataclass(frozen=True)
class ChatMessage:
    """One message of a chat export: `text[start:end]`, its stamp and author included."""

    start: int
    end: int
    author: str
    # the message right before it, none between (a member's joining or leaving is between them)
    follows: bool


def chat_messages(text: str) -> list[ChatMessage]:
    """The messages of a chat export (three or more lines opening with a stamp and an author,
    `CHAT_MESSAGE`), in order, each over its lines up to the next line with a stamp; none in any
    other document."""
    messages: list[ChatMessage] = []
    offset, last = 0, -2  # the index of the line the last message was on, or went on to
    for index, raw in enumerate(text.splitlines(keepends=True)):
        line = raw.rstrip("\r\n")
        if (found := CHAT_MESSAGE.match(line)) is not None:
            start = offset + len(line) - len(line.lstrip())
            messages.append(
                ChatMessage(start, offset + len(line.rstrip()), found["author"].strip(), last == index - 1)
            )
            last = index
        elif messages and last == index - 1 and line.strip() and LOG_LINE.match(line) is None:
            messages[-1] = replace(messages[-1], end=offset + len(line.rstrip()))  # the message goes on
            last = index
        offset += len(raw)
    return messages if len(messages) >= MIN_RECORDS else []


# a gap between a fixed-width or tab-separated table's columns: "Ashby Rovers           22  16"; not
# two spaces after a full stop, as typewritten prose leaves them
COLUMN_GAP = re.compile(r"[^\s.!?:;,](?: {2,}|\t+)(?=\S)")
MIN_COLUMN_GAPS = 3
# ... a table of two or three columns has fewer, wider: "Buildings          £385,000          Yes" (session
# 19: an insurance schedule's limits were one paragraph, cut inside a row, "Credit/debit cards
# (fraudulent" | "use)  £1,000")
# (three spaces or a tab after a word, not after a diff's "-" or "+" mark), and once a table is open a
# row with a gap of two goes on with it ("FAC EP  FA Cup Extra Preliminary Round"); a line indented four
# spaces or more (code, a manual page's justified text) opens none
WIDE_COLUMN_GAP = re.compile(r"[\w)\]%'’\"”](?: {3,}|\t+)(?=\S)")
MAX_TABLE_INDENT = 3
MIN_RECORDS = 3


def _record_tables(lines: list[tuple[int, str]]) -> list[tuple[str, list[int]]]:
    """The runs of three or more records, right under each other, by kind and line index, each line
    a block of its own
    (session 16: they were read as one hard-wrapped paragraph, cut mid-row by the chunk budget, and
    "Lab 3." at a line's end was cut from its line): comma-separated values with one count of
    commas, two or more, most with no space after them (a CSV export), or lines opening with the
    same word and a number ("Week 1 (Sep 1): …", "Week 2 (Sep 8): …", a syllabus); and (session 17:
    a league table was cut inside a row, a log's lines ran together as sentences) lines opening with
    a timestamp (a log; session 18: or a time alone, a chat's "[10:29] ops-bot: ALERT …" lines ran
    together as one paragraph, cut into "sentences" of several messages), or holding three or more
    gaps of two spaces or tabs between words (a fixed-width or tab-separated table; session 19: or
    one or two wide ones, `WIDE_COLUMN_GAP`). A rule inside a run, a header row's underline or a
    total's, goes on with it."""

    def key(line: str, previous: tuple[str, object] | None) -> tuple[str, object] | None:
        if LOG_LINE.match(line):
            return ("log", None)
        stripped = line.strip()
        gaps = len(COLUMN_GAP.findall(stripped))
        if gaps >= MIN_COLUMN_GAPS or (
            len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip()) <= MAX_TABLE_INDENT
            and (WIDE_COLUMN_GAP.search(stripped) or (gaps and previous == ("columns", None)))
        ):
            return ("columns", None)
        commas = line.count(",")
        if commas >= 2 and len(CSV_COMMA.findall(line)) * 2 > commas:
            return ("csv", commas)
        record = NUMBERED_RECORD.match(line)
        return ("record", record.group(1)) if record else None

    tables: list[tuple[str, list[int]]] = []
    run: list[int] = []
    previous: tuple[str, object] | None = None
    for i, (_, line) in enumerate([*lines, (0, "")]):
        if run and line.strip() and RULE.match(line.strip()):
            continue  # a rule inside a table, under its header row or over its total, goes on with it
        current = key(line, previous) if i < len(lines) else None
        if current is not None and current == previous:
            run.append(i)
            continue
        if len(run) >= MIN_RECORDS and previous is not None:
            tables.append((previous[0], run))
        run, previous = ([i] if current is not None else []), current
    return tables


def _record_runs(lines: list[tuple[int, str]]) -> set[int]:
    """The lines of runs of records (`_record_tables`)."""
    return {i for _, run in _record_tables(lines) for i in run}


def _record_headers(lines: list[tuple[int, str]]) -> dict[int, int]:
    """The header row of each row of a fixed-width or comma-separated table, by line index: its
    first line, when a rule underlines it ("DATE        DAY  OPPONENT" over "----------  ---  ---") or
    it writes no digit where the row under it does ("Date,Category,Payee,Amount (GBP)" over
    "02/01/2024,Utilities,Octopus Energy,184.22")."""
    headers: dict[int, int] = {}
    for kind, run in _record_tables(lines):
        first, second = run[0], run[1]
        underlined = second > first + 1  # a rule between them, skipped by the run
        if kind in ("columns", "csv") and (
            underlined or (DIGIT.search(lines[first][1]) is None and DIGIT.search(lines[second][1]))
        ):
            headers.update((i, first) for i in run[1:])
    return headers


def heads_table(text: str, end: int) -> bool:
    """Is the line ending at `end` of `text` a table's header row: a delimiter row right under it, or
    the first line of a fixed-width or comma-separated table with a header (`_record_headers`)?"""
    below = text.find("\n", end)
    if below < 0:
        return False
    after = text.find("\n", below + 1)
    return (
        DELIMITER_ROW.match(text[below + 1 : after if after >= 0 else len(text)].rstrip("\r")) is not None
        or text.rfind("\n", 0, end) + 1 in _table_headers(text)[1]
    )


def table_header(text: str, start: int) -> str | None:
    """The header row over the table row starting at `start` in `text` ("| Plan | Price |" over
    "| Basic | $10 |"; "Item    Cost (£)" over "Bike stand    285.00"), which names the row's cells: the
    first line of its table; None for the header row itself, the delimiter row, or "|" lines of no
    table."""
    return _table_headers(text)[0].get(text.rfind("\n", 0, start) + 1)


@lru_cache(maxsize=64)
def _table_headers(text: str) -> tuple[dict[int, str], frozenset[int]]:
    """The header row of each table row of `text` (after its delimiter row, or under a fixed-width
    or comma-separated table's header, `_record_headers`), by the offset of the row's line, and the
    offsets of the header rows' lines: every table of a document in one pass. Walking up from each
    row to its header instead took quadratic time: 3.4 s for the rows of one 4,000-row table, at
    ingest and at open."""
    headers: dict[int, str] = {}
    starts: set[int] = set()
    if "|" in text:
        lines = text.split("\n")
        offsets = [0]
        for line in lines[:-1]:
            offsets.append(offsets[-1] + len(line) + 1)
        lines = [line.rstrip("\r") for line in lines]
        for run in _table_runs(lines):
            starts.add(offsets[run.start])
            headers.update((offsets[i], lines[run.start].strip()) for i in run[2:])
    records = _text_lines(text)
    for row, header in _record_headers(records).items():
        starts.add(records[header][0])
        headers[records[row][0]] = records[header][1].strip()
    return headers, frozenset(starts)


def document_title(text: str) -> str:
    """A document's title: its first line with a letter or digit, without Markdown's `#` marks
    (front matter and comments are no lines of it), with the lines in capitals right under it
    (`_title_run`)."""
    lines = _text_lines(text)
    shown = [i for i, (_, line) in enumerate(lines) if line.strip()]
    first = next((i for i in shown if not RULE.match(lines[i][1].strip())), shown[0] if shown else 0)
    return _title_label(lines, _title_run(lines, first))


# a title set in capitals over several lines, as a statute's or a report's cover opens: "COUNTY OF
# WESTBRIDGE" over "ORDINANCE No. 2023-17" over "AN ORDINANCE RELATING TO THE CONTROL OF DOGS…"
MAX_TITLE_LINES = 4
CAPITALS_SHARE = 0.8


def _in_capitals(line: str) -> bool:
    """Whether `line` is written in capitals: most of its letters (a word in capitals, "No.", may go
    between) and short enough for a heading."""
    cased = [c for c in line if c.isupper() or c.islower()]
    return (
        len(cased) >= 2
        and sum(c.isupper() for c in cased) >= CAPITALS_SHARE * len(cased)
        and len(line.split()) <= MAX_HEADING_WORDS
        and LIST_ITEM.match(line) is None
    )


def _title_run(lines: list[tuple[int, str]], index: int) -> list[int]:
    """The lines of the title opening at `lines[index]`: that line, and when it is in capitals, the
    lines in capitals right under it, up to `MAX_TITLE_LINES`, when a blank line (or the end) closes
    them (session 20: an ordinance's "AN ORDINANCE RELATING TO THE CONTROL OF DOGS…" under "COUNTY OF
    WESTBRIDGE" was a paragraph, and "When does the dog ordinance take effect?" found no "dog" over
    its answer)."""
    run = [index]
    if not _in_capitals(lines[index][1]):
        return run
    while (
        len(run) < MAX_TITLE_LINES
        and run[-1] + 1 < len(lines)
        and lines[run[-1] + 1][1].strip()
        and _in_capitals(lines[run[-1] + 1][1])
    ):
        run.append(run[-1] + 1)
    if run[-1] + 1 < len(lines) and lines[run[-1] + 1][1].strip():
        return [index]  # text right under them: the first lines of a paragraph
    return run


def _title_label(lines: list[tuple[int, str]], run: list[int]) -> str:
    """The title written on the lines `run`, named as one line."""
    return heading_label(" ".join(lines[i][1].strip() for i in run))


# Markdown's images (a README's badges) and link targets, which name nothing a citation should show
# or a reader ask about: "## [3.4.0](https://github.com/…/compare/3.3.2...3.4.0) (2024-10-08)"
MARKDOWN_IMAGE = re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)")
MARKDOWN_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")
# ... and HTML's inline tags, which Markdown headings carry ("<a name=\"opts\"></a> `opts` for
# `libnpmorg` commands", "<summary>…</summary>"); in lower case only, as Markdown writes them: a help
# file's "<Del>", "<F4>" or "<jq filter>" is text
HTML_TAG = re.compile(
    r"</?(?:a|abbr|b|br|code|del|details|div|em|h[1-6]|i|img|ins|kbd|mark|p|s|small|span|strong|sub"
    r"|summary|sup|td|th|tr|u)(?:\s[^<>]*)?/?>"
)


PADDING = re.compile(r" {3,}")


def heading_label(line: str) -> str:
    """How a title or heading line is named in a section path: without Markdown's `#` marks, its
    images, its links' targets and its inline HTML tags, and cut to `MAX_LABEL_CHARS` at a word
    boundary, with "…".

    A first line is the title whatever its length, and a file written as one line (a scraped
    article, a data file) is all title: its 178 KB named every chunk's section, was embedded
    before every chunk, and took minutes of token counting to find it would not fit the window.
    A changelog's "## [3.4.0](https://github.com/…/compare/3.3.2...3.4.0) (2024-10-08)" is named
    "3.4.0 (2024-10-08)", a README's "# rustfmt [![linux](…badge.svg)](…) …" "rustfmt", and
    "<a name=\"set\"></a> `org.set()`" "`org.set()`" (session 15: those citations showed the
    addresses and tags).
    """
    label = ATX_MARKS.sub("", ORG_TITLE.sub("", line.strip())) or line.strip()
    if (latex_title := LATEX_TITLE.match(label)) is not None:  # "\title{…}" is named by its text
        label = LATEX_BREAK.sub(" ", latex_title["name"]).strip() or label
    # a line set in columns (a PDF's "2. Waste and recycling          3. Parks and open spaces") is named
    # without the padding between them
    label = PADDING.sub(" ", label)
    if HTML_TAG.search(label):
        label = " ".join(HTML_TAG.sub(" ", label).split()) or label
    if MARKDOWN_LINK.search(label):  # an image's "![alt](…)" holds a link's shape too
        # images go, unless the heading is nothing else: then their alt text names it
        label = (
            _without_targets(MARKDOWN_IMAGE.sub(" ", label))
            or _without_targets(MARKDOWN_IMAGE.sub(r"\1", label))
            or label
        )
    if len(label) <= MAX_LABEL_CHARS:
        return label
    cut = label[: MAX_LABEL_CHARS - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > MAX_LABEL_CHARS // 2 else cut).rstrip() + "…"


def _without_targets(label: str) -> str:
    """`label` with each Markdown link read as its text, blanks collapsed."""
    return " ".join(MARKDOWN_LINK.sub(r"\1", label).split())


# a sentence's end closing a cue's text, "…worker bees.", or a sound closing it, "[gentle music]"
CUE_CLOSED = re.compile(r"(?:[.!?…]|\])[\"”’)*_]*$")
# a cue's text that opens a turn or a sound: a speaker's "NARRATOR: …", a dash, a bracket, a note
CUE_OPENS_TURN = re.compile(r"^(?:[-–—\[(♪]|[^\W\d_][\w .'’-]*:[ \t])")


# a screenplay's character cue: a name in capitals, "ISLA", "REV. BAIN", "DUNCAN (V.O.)", "MORAG (CONT'D)",
# indented far, as a script centres it, over its dialogue or a parenthetical, indented less
CHARACTER_CUE = re.compile(r"^[A-Z][A-Z0-9.'’-]*(?:[ \t]+[A-Z0-9.'’-]+){0,3}(?:[ \t]*\([A-Z.'’ ]+\))?$")
MIN_CUE_INDENT = 10


def character_cue_at(text: str, start: int) -> bool:
    """Whether the line of `text` holding offset `start` is a screenplay's character cue over the
    dialogue right under it (`_character_cue`): a name, no answer ("What is the name of the ferry?"
    was answered "DUNCAN", session 20)."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    if line_end < 0:
        return False
    next_end = text.find("\n", line_end + 1)
    next_end = len(text) if next_end < 0 else next_end
    lines = [(line_start, text[line_start:line_end]), (line_end + 1, text[line_end + 1 : next_end])]
    return _character_cue(lines, 0)


def _character_cue(lines: list[tuple[int, str]], index: int) -> bool:
    """Whether `lines[index]` is a screenplay's character cue over the dialogue right under it (session
    20: "ISLA" was read into the first sentence of her line, its indentation kept inside it)."""
    if index < 0 or index + 1 >= len(lines):
        return False
    line, below = lines[index][1].expandtabs(4), lines[index + 1][1].expandtabs(4)
    indent, below_indent = len(line) - len(line.lstrip()), len(below) - len(below.lstrip())
    return (
        indent >= MIN_CUE_INDENT
        and 0 < below_indent < indent
        and bool(below.strip())
        and CHARACTER_CUE.match(line.strip()) is not None
    )


def _goes_on_across_cue(text: str, after_timing: bool, previous: Block, line: str) -> bool:
    """Whether the cue text `line`, right under its timing line, goes on with the paragraph `previous`
    from the cue before: no sentence's end closes that, and `line` opens no turn of a speaker (session
    20: "…can visit around six thousand" and "flowers in a single day" were two paragraphs, and
    neither answered how many flowers a queen visits)."""
    return (
        after_timing
        and previous.kind == "paragraph"
        and CUE_CLOSED.search(text[previous.start : previous.end]) is None
        and CUE_OPENS_TURN.match(line) is None
    )


def cue_paragraphs(text: str) -> list[tuple[int, int]]:
    """The spans of a subtitle file's paragraphs that go on from one cue to the next (`Block.gaps`):
    their sentences are cut where each cue ends, and read together (`index.ranking`)."""
    if not _cue_timings(text.splitlines()):  # no subtitles: no need to parse
        return []
    return [(block.start, block.end) for block in parse_blocks(text) if block.gaps]


def _is_comment(lines: list[tuple[int, str]], index: int) -> bool:
    """Whether `lines[index]` is a comment line (`_comments`)."""
    return ATX.match(lines[index][1]) is not None and _comments(lines, index)


def _comments(lines: list[tuple[int, str]], index: int) -> bool:
    """Whether `lines[index]`, an ATX line, is a comment line instead: one of a run of lines
    opening with the same marks, right under each other, as a plain text or data file writes its
    comments ("# This is the global list of trusted keys.  Comment lines, like this" over "# one,
    as well as empty lines are ignored.") and Markdown never writes its headings (session 16:
    every line of such a comment was a heading of its own, the sentences cut apart, in 30 of
    294 text files; none of the 46 Markdown files has two headings of one level right under
    each other)."""
    marks = ATX.match(lines[index][1])
    assert marks is not None
    return any(
        0 <= j < len(lines) and (other := ATX.match(lines[j][1])) is not None and other[1] == marks[1]
        for j in (index - 1, index + 1)
    )


# a field giving a date, an address or a figure: "Last updated: 1 February 2025", "Contact:
# legal@cloudnest.example" are a document's metadata, not headings over the text under them
# (session 17: each named the section of a terms of service's opening paragraphs)
METADATA_FIELD = re.compile(FIELD.pattern + r".*(?:\d|@|://)")


# a sentence's end inside emphasis closing a line: "*Served 12:00–15:00. Please tell us about any
# allergies.*", "**Run Node.js on supported platforms only.**" (a bold label, "**Example:**", may head)
EMPHASIZED_END = re.compile(r"[.!?…][\"”’)]?[*_]+$")


# a line giving an email or a web address, a CV's "priya@example.me · +44 7700 900123 · github.com/priya",
# is no heading (session 19: it was the section of a CV's profile)
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.[^\W\d_]|://|\bwww\.")
# a date in emphasis standing alone, a CV's "*Mar 2018 – May 2021*" under its role: no heading (session
# 19: it headed the role's lines, and the role ran on the one before)
MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
DATE_WORD = rf"(?:{MONTH}|\d{{1,4}}(?:st|nd|rd|th)?\b,?|[–—-]|to|present|now|today|current)"
EMPHASIZED_DATE = re.compile(rf"^([*_]{{1,2}})(?:{DATE_WORD}[ \t]*)+\1$", re.IGNORECASE)
YEAR = re.compile(r"\b\d{4}\b")
# a field whose value follows its colon with no space, "Flooding in last 10 yrs:Yes - see END 07": no
# heading (session 19: it headed an insurance schedule's next line)
JOINED_FIELD = re.compile(r"^[^\W\d_][^:]*[^\W\d_]:(?:[^\W_]|[£$€])")
# a question, as a form asks it over the answer written under it: "1.6 When was your organisation set
# up?", "2.2 Briefly describe what you want to do (max 250 words)"
QUESTION_LINE = re.compile(
    r"(?:\?|\((?:max(?:imum)?\.?|up to|no more than|under)[ \t]+[\d,]+[ \t]+words?\))[\"”’*_]*$",
    re.IGNORECASE,
)
# a line all in square brackets, a script's stage direction, "[MUSIC: gulls, fade under]", "[SFX: lathe]":
# no heading (session 19: they named the sections of an audio guide's stops)
STAGE_DIRECTION = re.compile(r"^\[[^\[\]]*\]$")
# an aside in brackets closing a line standing alone, "ROUND 4 - LOCAL ROUND (Bev's favourite)", "ERRATA
# (updated 9 Jan 2024)": a heading is read without it (session 19: ")" closed every such line as a
# sentence, and the text under it ran on under the heading before); an aside holding a sentence's
# end, "(see the notes.)", closes one, and a line all in brackets, "(Round 2: closing date 27 June)",
# is no heading; right under a line of text, "Shown in colour 'Sloe' (size Adult M)" between a
# pattern's fields, ")" still closes it
TRAILING_ASIDE = re.compile(r"[ \t]+\([^()]*[^().!?…]\)$")


def _is_heading(line: str, *, alone: bool = False) -> bool:
    """Whether `line` reads as a heading; `alone`, it stands under a blank line (`TRAILING_ASIDE`)."""
    words = line.split()
    # a word for every two Chinese or Japanese characters (session 18: a Japanese sentence under
    # its English one, counted by white space, was one word, and six of a guide's were headings)
    cjk = len(CJK.findall(line)) if not line.isascii() else 0
    return (
        0 < len(words) + cjk // CJK_CHARS_PER_WORD <= MAX_HEADING_WORDS
        and not (TRAILING_ASIDE.sub("", line.rstrip()) if alone else line.rstrip()).endswith(
            tuple(CLOSING_PUNCTUATION)
        )
        # nor a sentence's end inside emphasis (session 18: a menu's italic line of opening hours, its
        # full stop hidden by the closing "*", was a heading, and no answer could be taken from it)
        and EMPHASIZED_END.search(line.rstrip()) is None
        and LISTING_FIELD.match(line) is None
        and METADATA_FIELD.match(line) is None
        and STAGE_DIRECTION.match(line.strip()) is None
        and ADDRESS.search(line) is None
        and not (EMPHASIZED_DATE.match(line.strip()) and YEAR.search(line))
        and JOINED_FIELD.match(line.strip()) is None
        and BYLINE.match(line) is None
        and not _link_row(line)
    )


# an article's byline, "By Tomasz Wierzbicki, Energy correspondent", "By Ana Lima and Tom Reed": its
# author's name, no heading, and a line of its own (a field) that answers who wrote it (session 20:
# it was a heading, and "Who wrote the article?" was answered from the text under it)
BYLINE = re.compile(
    r"^[ \t]*By[ \t]+[A-Z][\w'’.-]*(?:[ \t]+(?:[A-Z][\w'’.-]*|and|&|de|van|von|da|di|le|la)){0,5}"
    r"(?:[ \t]*[,|–—-][ \t]*[^.!?]{1,60})?[ \t]*$"
)


# a credit's label on a line of its own, "Written by", "Photos by", "Words and music by": it leads into
# the name under it, which answers who wrote it (session 20: a screenplay's "Written by" was the answer to
# "Who wrote The Last Ferry?", over "Aileen Mbeki" under it)
CREDIT_LABEL = re.compile(r"^[A-Z][a-z]+(?:[ \t]+(?:and|&)[ \t]+[a-z]+)?[ \t]+by$")


# a comment's header in an exported issue or pull request, "**lena-petrov** commented on 6 Feb 2025",
# "octocat commented on Feb 6, 2025", "**dependabot[bot]** commented 3 days ago": a heading at the issue's
# top, named without its bold marks (session 20: each was nested under the issue template's last
# heading, "### Environment", and named with its "**")
COMMENT_HEADER = re.compile(
    r"^[ \t]*(?P<bold>\*\*|)@?(?P<user>[A-Za-z0-9][\w.-]*(?:\[bot\])?)(?P=bold)[ \t]+(?P<rest>commented[ \t]+"
    r"(?:on[ \t]+(?:\d{1,2}[ \t]+[A-Za-z]{3,9}\.?|[A-Za-z]{3,9}\.?[ \t]+\d{1,2}),?[ \t]+\d{4}"
    r"|\d+[ \t]+(?:minutes?|hours?|days?|weeks?|months?|years?)[ \t]+ago))[ \t]*$"
)


# a statute's or a contract's section line, "§ 6.20.030 Licensing.", "Section 4. Payment of rent.": a
# heading whatever it ends with (session 20: an ordinance's were text, every passage cited under the
# county's name alone); its title is short, in words opening no sentence in it
SECTION_SIGN_HEADING = re.compile(
    r"^(?:§{1,2}[ \t]*|(?:Section|SECTION|Sec\.|Article|ARTICLE)[ \t]+)\d+(?:[.-]\d+)*[.:]?"
    r"[ \t]+[A-Z][^.!?;:\n]{0,60}\.?[ \t]*$"
)


# a sentence ends inside the line: "…80 degrees Celsius. Boiling water makes"
SENTENCE_INSIDE = re.compile(r"[.!?][\"”’)]?\s+\S|[。！？][」』）]?\s*\S")
# a line of a hard-wrapped paragraph is long; a heading with text right under it is short
MAX_TIGHT_HEADING_CHARS = 60
TIGHT_HEADING_SHARE = 0.85
# words a wrapped line breaks after, and a heading never ends with
# fmt: off
CONTINUING = frozenset((
    "a", "an", "the", "of", "to", "and", "or", "but", "nor", "in", "on", "at", "by", "for", "with",
    "from", "into", "as", "than", "that", "which", "who", "whose", "is", "are", "was", "were", "be",
    "been", "has", "have", "had", "will", "would", "can", "could", "may", "might", "should", "must",
    "its", "their", "our", "his", "her", "this", "these", "those", "such", "between", "among", "about",
    "above", "across", "after", "against", "along", "around", "before", "behind", "below", "beneath",
    "beside", "beyond", "during", "except", "inside", "near", "onto", "out", "outside", "over", "past",
    "since", "through", "throughout", "toward", "towards", "under", "until", "upon", "via", "within",
    "without", "while", "whereas", "whether", "if", "because", "although", "though", "so", "yet",
    "both", "either", "neither", "each", "every", "all", "any", "some", "no", "not", "more", "most",
    "very", "also", "my", "your", "we", "they", "it", "i",
))
# fmt: on


def _breaks_off(line: str) -> bool:
    """Whether `line` ends on a word a sentence goes on after ("of", "and", "the")."""
    return line.split()[-1].lower().strip(",;") in CONTINUING


def _opens_item_under(line: str, following: str) -> bool:
    """Whether `following`, right under `line`, opens a list item: a mark in brackets does unless
    `line` breaks off ("…limited to the greater of" over "(1) the fees you paid")."""
    return LIST_ITEM.match(following) is not None and not (
        ENCLOSED_MARK.match(following) and _breaks_off(line)
    )


def _heads_text(line: str, following: str, *, alone: bool = False, rows: bool = False) -> bool:
    """Whether `line`, with `following` right under it (no blank line between), is a heading over
    it rather than the first lines of a hard-wrapped paragraph ("Boiling water makes / the tea
    bitter"). Text under a heading opens in upper case, unless it is a run of rows (`rows`:
    "ABBREVIATIONS" over "k2tog - knit 2 together"), or the heading is in capitals over a figure
    ("GAUGE" over "20 sts and 30 rnds = 10 cm"; session 19: both ran into their text)."""
    # over rows, lines of their own, whatever they open with and however short; unless the line
    # is a field with a long label, "EudraCT / CTIS number: 2024-510233-17-00" over "Phase: IIb"
    over_rows = rows and LABELLED_VALUE.search(line) is None
    return (
        _is_heading(line, alone=alone)
        and (line[:1].isupper() or line[:1].isdigit())  # a wrapped line goes on in lower case
        and len(line) <= MAX_TIGHT_HEADING_CHARS
        # a wrapped line is about as long as the next; a heading is shorter than the text under it
        and (over_rows or len(line) <= TIGHT_HEADING_SHARE * len(following))
        and SENTENCE_INSIDE.search(line) is None
        and not _breaks_off(line)
        and (
            following[:1].isupper()
            or over_rows
            or (following[:1].isdigit() and not any(c.islower() for c in line))
        )
    )


# a section name in capitals, as manual pages and plain-text references write them: "NAME", "EXIT
# STATUS", "SEE ALSO"
CAPITALS_NAME = re.compile(r"^[A-Z][A-Z0-9]*(?:[ \t][A-Z][A-Z0-9]*){0,3}$")


def _names_indented_section(line: str, following: str) -> bool:
    """Whether `line` (stripped, not indented) is a section name in capitals right over text indented
    under it, whatever that text opens with ("NAME" over "       tarsync - incrementally…")."""
    return CAPITALS_NAME.match(line) is not None and following[:1] in " \t" and bool(following.strip())


# a numbered line: "1. Introduction", "2) Findings"
NUMBERED = re.compile(r"^ {0,3}(?P<number>\d{1,3})[.)][ \t]+\S")
# a clause numbered by its section, as contracts and policies write them: "2.1 The term is twelve
# months", "3.2.1 …": an item, opening a block of its own even right under a line of text
CLAUSE = re.compile(r"^(?P<indent>[ \t]*)(?P<number>\d{1,3})(?:\.\d{1,3})+\.?[ \t]+[^\W\d_]")


def _numbers_a_section(lines: list[tuple[int, str]], index: int, previous: Block | None, text: str) -> bool:
    """Whether the numbered line `lines[index]` heads a section ("1. Introduction") rather than
    opening or going on with a list ("1. Warm the pot"): it reads as a heading, stands alone, text
    that is no list item comes next, and no list or lead-in ("Steps:") comes before."""
    line = lines[index][1]
    numbered = NUMBERED.match(line)
    if numbered is None or not _is_heading(line.strip()):
        return False
    # the next line with text, found by index: a slice of the lines after it, copied for every
    # numbered line, made a document of many sections quadratic (0.9 MB: 2.1 s)
    after = next((lines[j][1] for j in range(index + 1, len(lines)) if lines[j][1].strip()), None)
    if after is not None and (clause := CLAUSE.match(after)) is not None:
        # over the first of its section's clauses ("2. TERM AND RENT" over "2.1 The term is…"), right
        # under it or a blank line between, whatever is above (session 17: "3. FEES AND PAYMENT" over
        # "3.1 Paid plans…", under "(c) we are required…", was an item, and so was every section
        # after it)
        return clause.group("number") == numbered.group("number")
    no_list_before = previous is None or (previous.kind != "item" and text[previous.end - 1] != ":")
    if index + 1 < len(lines) and (following := lines[index + 1][1]).strip():
        # text right under it: an item over its wrapped lines, or a list; or a title over its text,
        # as minutes number their items ("1. Postgres upgrade" over "The upgrade from Postgres 14 to
        # 16 is scheduled for 29 March."; session 16: the title was read into the item's first
        # sentence, "1. Postgres upgrade The upgrade from…")
        return (
            LIST_ITEM.match(following) is None
            and following[:1] not in " \t"  # an item's wrapped lines are indented under it
            and _heads_text(line[numbered.end() - 1 :].strip(), following.strip())
            and no_list_before
        )
    return after is not None and LIST_ITEM.match(after) is None and no_list_before


def _subsection_level(lines: list[tuple[int, str]], index: int) -> int | None:
    """The level of the line `lines[index]`, shaped as a clause, when it heads a subsection
    instead ("14.3 Prohibitions", "2.1 Study sites"): it reads as a heading, is not indented, has a
    blank line under it and text under that which is no clause; one level under the headings of no
    marks for each of its dots, so "2.1 Study sites" nests under "2 Methods" (session 18: a
    by-law's "14.3 Prohibitions" and a paper's "2.1 Study sites" were items, and every paragraph of
    the by-law was cited under its title alone). None for a clause ("2.1 The rent is £1,150.")."""
    line = lines[index][1]
    clause = CLAUSE.match(line)
    if clause is None or clause.group("indent") or not _is_heading(line.strip()):
        return None
    if index + 1 >= len(lines) or lines[index + 1][1].strip():
        return None  # right over text: a clause over its wrapped lines, or a list of them
    after = next((lines[j][1] for j in range(index + 1, len(lines)) if lines[j][1].strip()), None)
    if after is None or CLAUSE.match(after) is not None:
        return None  # clauses, one under another: a list, or a table of contents
    return IMPLICIT_LEVEL + line.split(None, 1)[0].rstrip(".").count(".")


# the level of a heading that says none by its marks (a line standing alone, "1. Introduction"): under
# every Markdown heading (`#` to `######`, setext `=` 1 and `-` 2), beside one another
IMPLICIT_LEVEL = 7
SETEXT_LEVELS = {"=": 1, "-": 2}  # reStructuredText's other marks: 3


def _enter(path: list[tuple[int, str]], level: int, label: str) -> None:
    """Open the heading `label` at `level` in the heading path: it closes those at its level or
    deeper and nests under the rest ("Tern 4.2.0" › "Fixes"; session 17: "### Fixes" replaced
    its version, and "What bugs were fixed in Tern 4.2.0?" was answered with 4.1.2's fix)."""
    while path and path[-1][0] >= level:
        path.pop()
    path.append((level, label))


def parse_blocks(text: str) -> list[Block]:
    """Split `text` into blocks, labelled by kind and section: the title, headings, paragraphs and
    list items.

    A paragraph or item may run over several lines (hard-wrapped text): a line right under one,
    with no blank line between, continues it, unless it opens a list item or is a heading (one
    standing alone between blank lines, or a short one over text, `_heads_text`).

    Markdown: an ATX line ("## The HTTP API (versioned under /v1)") is a heading whatever its
    length or last character, and a fenced code block is one block whatever its lines read like:
    its "# comment" lines are no headings, its "- flag" lines no list items. Nor are lines opening
    with the same marks right under each other, as a text file's comments run (`_comments`).
    Front matter ("---", "title: …", "---" opening the file) and HTML comments on lines of their
    own are no blocks.

    A numbered line standing alone between text that is no list ("1. Introduction" over its
    paragraphs) heads a section (`_numbers_a_section`).

    A block's section is the title and every heading it is under, by level (`_enter`): "##" under
    "#", a setext "-" under "=", a heading with no marks under the Markdown headings over it.
    """
    # (offset, line without its line break); "" for a blank line, front matter and comments
    lines = _text_lines(text)
    fields = _field_runs(lines) | _table_rows(lines) | _record_runs(lines)
    fields |= _attribute_entries(lines)
    fields |= {i for i, (_, line) in enumerate(lines) if BYLINE.match(line)}
    # an Org-mode file's headlines, and its properties, keyword lines (`ORG_INFO`) and planning lines
    # are fields
    org_states = _org_states(text.splitlines())
    latex = _is_latex(text.splitlines())
    bibtex = sum(BIBTEX_ENTRY.match(line) is not None for line in text.splitlines()) >= MIN_BIBTEX_ENTRIES
    if org_states is not None:
        fields |= {
            i
            for i, (_, line) in enumerate(lines)
            if ORG_PROPERTY.match(line)
            or ORG_PLANNING.match(line)
            or (ORG_KEYWORD.match(line) and not ORG_TITLE.match(line))
        }
    blocks: list[Block] = []
    title: str | None = None
    path: list[tuple[int, str]] = []  # the headings open: (level, label), outermost first

    def section() -> tuple[str, ...]:
        assert title is not None
        return (title, *(label for _, label in path))

    fence: str | None = None  # the opening fence of the code block the line is in
    # a subtitle file's cue timing lines: its text is spoken, no line of it a heading, and a sentence
    # goes on from one cue to the next
    timings = set(_cue_timings(text.splitlines()))
    title_end = -1  # the title's last line, by index
    for index, (line_start, line) in enumerate(lines):
        stripped = line.strip()
        if fence is not None:
            if stripped:  # a code line, or the closing fence: the block goes on to its end
                blocks[-1] = replace(blocks[-1], end=line_start + len(line.rstrip()))
            closing = FENCE.match(line)
            if closing and closing.group(1)[0] == fence[0] and len(closing.group(1)) >= len(fence):
                fence = None if stripped == closing.group(1) else fence
            continue
        if not stripped or index <= title_end:
            continue
        previous = blocks[-1] if blocks else None
        above = lines[index - 1][1].strip() if index > 0 else ""
        # right under the line before; a rule over it ("-----") is no text a sentence goes on from
        tight = above != "" and BOX_RULE.match(lines[index - 1][1]) is None
        # a sentence the line above leaves open goes on here: no heading can start
        mid_sentence = tight and not above.endswith(tuple(CLOSING_PUNCTUATION))
        # ... nor under a comma: a signature under its sign-off ("Thanks," over "Dana"; session 17:
        # the name was a heading, the section of every quoted message after it), an address's lines
        after_comma = tight and above.endswith(",")
        # ... nor under a question, a form's "1.6 When was your organisation set up?" or "2.2 Briefly
        # describe what you want to do (max 250 words)": the answer opens a block of its own (session
        # 19: "March 2022" and "£4,500" headed the rest of a form, and the question with no closing
        # mark ran into the first sentence of its answer)
        under_question = tight and QUESTION_LINE.search(above) is not None
        # ... nor under a screenplay's character cue, "ISLA" centred over "Wait! Hold the ramp!"
        under_cue = tight and _character_cue(lines, index - 1)
        # the underline making the one line above a heading: Markdown's setext "===" / "---", or
        # reStructuredText's other marks ("~~~~" under "Discussion"), as long as the title; one
        # line only: under a paragraph of several ("-- comments\ncode\n--") it is a rule
        if (
            (mark := UNDERLINE.match(stripped)) is not None
            and tight
            and previous is not None
            and previous.kind == "paragraph"
            and "\n" not in (over := text[previous.start : previous.end])
            and (mark.group(1) in "=-" or len(stripped) >= len(over))
        ):
            _enter(path, SETEXT_LEVELS.get(mark.group(1), 3), heading_label(over))
            blocks[-1] = replace(previous, kind="heading", section=section())
            continue
        opening = FENCE.match(line)
        if opening is not None and title is not None:  # a code block opens (a fence is no rule)
            fence = opening.group(1)
            start = line_start + (len(line) - len(line.lstrip()))
            blocks.append(Block("paragraph", start, start + len(stripped), index + 1, 0, section()))
            continue
        if RULE.match(stripped):  # a rule ("---", "***"): no text
            continue
        start = line_start + (len(line) - len(line.lstrip()))
        end = start + len(stripped)
        if previous is not None and _goes_on_across_cue(text, index - 1 in timings, previous, stripped):
            blocks[-1] = replace(previous, end=end, gaps=(*previous.gaps, (previous.end, start)))
            continue
        if (
            previous is not None
            and previous.kind == "row"
            and tight
            and line[:1] in " \t"
            and index not in fields
            and org_states is None  # an Org entry's text is indented under its headline, not a value
        ):
            blocks[-1] = replace(previous, end=end)  # a field's value folded onto an indented line
            continue
        if title is not None and index in fields:
            blocks.append(Block("row", start, end, index + 1, 0, section()))
            continue
        following = lines[index + 1][1].strip() if index + 1 < len(lines) else ""
        # a clause opens no block inside a sentence: "…a population of\n2.5 million" goes on
        # nor over an underline, which makes it a heading ("0.6.3 / 2022-01-22" over "=====")
        underlined = index + 1 < len(lines) and UNDERLINE.match(lines[index + 1][1].strip()) is not None
        clause_opens = not underlined and (
            not mid_sentence or (previous is not None and previous.kind in ("title", "heading"))
        )
        item = LIST_ITEM.match(line) or (CLAUSE.match(line) if clause_opens else None)
        if (
            item
            and mid_sentence
            and ENCLOSED_MARK.match(line)
            and (previous is None or previous.kind not in ("item", "heading", "title"))
        ):
            item = None  # "(1)" going on a sentence the line above leaves open
        comment = _is_comment(lines, index)  # text, never a heading, whatever it reads like
        marks = None if comment else ATX.match(line)
        atx = marks is not None
        # indented four spaces or a tab, a line is code or a continuation (Markdown), no heading
        indented = line.expandtabs(4).startswith("    ")
        # an AsciiDoc title's author and revision lines, right under it, are no headings
        under_asciidoc_title = (
            tight and previous is not None and previous.kind == "title" and above[:2] == "= "
        )
        # a line boxed by rules, "-----" over and under it, heads the text under it whatever it ends
        # with (session 19: an audio guide's "STOP 2 — THE WHALING ROOM (Track 02, approx 2:50)" ran
        # on the paragraph before, and a form's "SECTION 2: YOUR PROJECT" too)
        boxed = (
            0 < index < len(lines) - 1
            and BOX_RULE.match(lines[index - 1][1]) is not None
            and BOX_RULE.match(lines[index + 1][1]) is not None
            and len(stripped.split()) <= MAX_HEADING_WORDS
        )
        # no line of a subtitle file's cues is a heading, nor of a LaTeX source but its sectioning, nor
        # of a BibTeX file, whose "% Last updated 2025-01-18" headed every entry
        reads_as_heading = (
            not timings
            and not latex
            and not bibtex
            and (
                atx
                or boxed
                or (not mid_sentence and SECTION_SIGN_HEADING.match(line) is not None)
                or (
                    not comment
                    and not indented
                    and not under_asciidoc_title
                    and not under_question
                    and (
                        (
                            # a heading standing alone (or over a list): not the last line of a wrapped
                            # paragraph, which breaks off ("…a copy of this License; and") or holds a
                            # sentence end, nor of a table ("Midnight Bar closes" under "11.45pm
                            # Carriages", its gap too narrow for a row)
                            _is_heading(stripped, alone=not tight)
                            and (not following or _opens_item_under(stripped, lines[index + 1][1]))
                            and not (
                                tight
                                and (
                                    _breaks_off(stripped)
                                    or SENTENCE_INSIDE.search(stripped) is not None
                                    or (previous is not None and previous.kind == "row")
                                )
                            )
                        )
                        or (
                            bool(following)
                            and _heads_text(stripped, following, alone=not tight, rows=index + 1 in fields)
                        )
                        # a manual page's section name over its indented text ("NAME" over "       tarsync -
                        # incrementally copy…"; session 17: most of them ran into their text, the text
                        # opening in lower case or with an option)
                        or (bool(following) and _names_indented_section(stripped, lines[index + 1][1]))
                    )
                )
            )
        )
        kind: BlockKind
        depth = 0
        if title is None:
            kind, title = "title", _title_label(lines, run := _title_run(lines, index))
            title_end = run[-1]
            end = lines[title_end][0] + len(lines[title_end][1].rstrip())
        elif org_states is not None and (headline := _org_headline(line, org_states)) is not None:
            kind = "heading"
            _enter(path, headline[0], heading_label(headline[1]))
        elif (comment_header := COMMENT_HEADER.match(line)) is not None and not indented:
            # "**lena-petrov** commented on 6 Feb 2025": at the top, beside the other comments
            kind = "heading"
            _enter(path, 1, heading_label(f"{comment_header['user']} {comment_header['rest']}"))
        elif latex and (sectioning := LATEX_SECTION.match(line)) is not None:
            kind = "heading"  # "\section{Methods}": named "Methods"
            _enter(path, LATEX_LEVELS[sectioning["command"]], heading_label(sectioning["name"]))
        elif item and (boxed or _numbers_a_section(lines, index, previous, text)):
            # a numbered line boxed by rules heads its section as any boxed line does ("1. ARRIVING
            # AND LEAVING" between "-----" lines, over "1.1 Arrival is between 14:00 and 20:00";
            # session 24: each was an item of its own, and "5. DOGS" answered "…can they all come
            # camping with us?")
            kind = "heading"
            _enter(path, IMPLICIT_LEVEL, heading_label(stripped))
        elif item and not mid_sentence and (level := _subsection_level(lines, index)) is not None:
            kind = "heading"
            _enter(path, level, heading_label(stripped))
        elif item:
            kind = "item"
            depth = 1 + len(item.group("indent").expandtabs(4)) // 4
        elif (
            tight
            and previous is not None
            and previous.kind in ("paragraph", "item")
            and not atx  # a Markdown heading, whatever is above it
            # a field at the line's start, "Stopped: Amlodipine 5 mg", ends a bullet's item: its wrapped
            # lines are indented (session 20: a letter's stopped medicine was read as the last one taken);
            # not one running on into a line in lower case, a wrapped item's "Sharing: An integral part of
            # the" over "strategic goals…"
            and not (
                previous.kind == "item"
                and text[previous.start] in BULLETS
                and line[:1].isupper()
                and FIELD.match(line) is not None
                and not following[:1].islower()
            )
            # nor does a screenplay's dialogue go on its character's cue (`_character_cue`)
            and not under_cue
            # an item's wrapped lines are indented under it, whatever they read like
            and (
                (previous.kind == "item" and line[:1] in " \t")
                or (not under_question and (mid_sentence or after_comma or not reads_as_heading))
            )
        ):
            blocks[-1] = replace(previous, end=end)  # a hard-wrapped line continues the block
            continue
        elif reads_as_heading:
            kind = "heading"
            _enter(path, len(marks.group(1)) if marks else IMPLICIT_LEVEL, heading_label(stripped))
        else:
            kind = "paragraph"
            if (
                (under_question or under_cue)
                and previous is not None
                and previous.kind in ("paragraph", "item")
            ):
                # the question is its answer's lead-in, the cue its dialogue's: a chunk keeps them
                # together when they fit
                blocks[-1] = replace(previous, lead_in=True)
        blocks.append(Block(kind, start, end, index + 1, depth, (title,) if kind == "title" else section()))
    # a paragraph (or item) ending in ':' right before a list is that list's lead-in, and a table's
    # header row the lead-in of its rows (session 19: a fixture list's, underlined by a long dashed
    # rule, ended a chunk alone)
    header_rows = _table_headers(text)[1]
    return [
        replace(b, lead_in=True)
        if i + 1 < len(blocks)
        and (
            (
                b.kind in ("paragraph", "item")
                and text[b.end - 1] == ":"
                and blocks[i + 1].kind in ("item", "row")
            )
            or (b.kind == "row" and lines[b.line - 1][0] in header_rows and blocks[i + 1].kind == "row")
            or (
                b.kind == "paragraph"
                and blocks[i + 1].kind == "paragraph"
                and CREDIT_LABEL.match(text[b.start : b.end]) is not None
            )
        )
        else b
        for i, b in enumerate(blocks)
    ]
