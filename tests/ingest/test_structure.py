from __future__ import annotations

import pytest

from ingest.chunking import units_within
from ingest.documents import read_document
from ingest.structure import chat_messages, document_title, heads_table, parse_blocks, table_header
from tests.conftest import FIXTURE_CORPUS


def test_title_headings_items_and_lead_ins() -> None:
    doc = read_document(FIXTURE_CORPUS / "harbour-pact.txt")
    blocks = parse_blocks(doc.text)
    kinds = [(b.kind, b.depth, doc.text[b.start : b.end][:20]) for b in blocks]
    assert kinds[0] == ("title", 0, "The Harbour Pact: A ")
    assert ("heading", 0, "Origins of the Pact") in kinds
    assert ("heading", 0, "Criticism") in kinds
    items = [(b.depth, doc.text[b.start : b.end]) for b in blocks if b.kind == "item"]
    assert [d for d, _ in items] == [1, 1, 2, 2, 1]
    assert items[2][1] == "1. Spring phase: small boats practise towing."
    lead_ins = [doc.text[b.start : b.end] for b in blocks if b.lead_in]
    assert lead_ins == ["Key provisions of the pact include:"]


def test_sections_follow_the_last_heading() -> None:
    doc = read_document(FIXTURE_CORPUS / "harbour-pact.txt")
    blocks = parse_blocks(doc.text)
    last = blocks[-1]
    assert last.section == ("The Harbour Pact: A Small Test Treaty", "Criticism")
    assert blocks[0].section == ("The Harbour Pact: A Small Test Treaty",)


def test_a_sentence_is_not_a_heading() -> None:
    blocks = parse_blocks("Title\n\nShort sentence.\n\nA heading\n\nBody text here.\n")
    assert [b.kind for b in blocks] == ["title", "paragraph", "heading", "paragraph"]


WRAPPED = (
    "Notes on Tea\n"
    "\n"
    "Preparation\n"
    "\n"
    "Water should be heated to about 80 degrees Celsius. Boiling water makes\n"
    "the tea bitter. Steep the leaves for two to three minutes, then remove\n"
    "them. Green tea can be\n"
    "infused several times.\n"
    "\n"
    "Steps:\n"
    "  • Heat the water to eighty degrees and pour it over the leaves in a\n"
    "    warmed pot.\n"
    "  • Wait.\n"
    "History\n"
    "Green tea reached Japan in the ninth century, brought by\n"
    "Buddhist monks.\n"
    "## Brewing today\n"
    "Most tea is sold in bags.\n"
)


def _shape(text: str) -> list[tuple[str, str]]:
    return [(b.kind, text[b.start : b.end]) for b in parse_blocks(text)]


def test_a_hard_wrapped_paragraph_or_item_is_one_block() -> None:
    assert _shape(WRAPPED) == [
        ("title", "Notes on Tea"),
        ("heading", "Preparation"),
        # its first line reads like a heading (12 words, no full stop at its end), and is none
        (
            "paragraph",
            "Water should be heated to about 80 degrees Celsius. Boiling water makes\nthe tea bitter. Steep "
            "the leaves for two to three minutes, then remove\nthem. Green tea can be\ninfused several times.",
        ),
        ("paragraph", "Steps:"),
        ("item", "• Heat the water to eighty degrees and pour it over the leaves in a\n    warmed pot."),
        ("item", "• Wait."),
        # a short line right over text, not breaking off mid-phrase: a heading without a blank line
        ("heading", "History"),
        ("paragraph", "Green tea reached Japan in the ninth century, brought by\nBuddhist monks."),
        ("heading", "## Brewing today"),
        ("paragraph", "Most tea is sold in bags."),
    ]
    blocks = parse_blocks(WRAPPED)
    assert blocks[3].lead_in and blocks[-3].section == ("Notes on Tea", "History")
    assert [b.line for b in blocks] == [1, 3, 5, 10, 11, 13, 14, 15, 17, 18]


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("T\n\nA heading\nBody text here.\n", ["title", "heading", "paragraph"]),
        (
            "T\n\nThe alliance was signed by the\nUnited States in 1960.\n",
            ["title", "paragraph"],
        ),  # ends "the"
        (
            "T\n\nOne line. Then a second sentence\nContinues here.\n",
            ["title", "paragraph"],
        ),  # a sentence inside
        ("T\n\nGreen tea can be\ninfused again.\n", ["title", "paragraph"]),  # lower case under it
        ("T\n\nBody text here.\nA heading\n\nMore.\n", ["title", "paragraph", "heading", "paragraph"]),
        ("T\n\nOne paragraph.\nAnother paragraph.\n", ["title", "paragraph"]),  # one block, two sentences
        # a wrapped paragraph's last line breaking off on "and" is no heading
        (
            "T\n\nYou must give recipients a copy of this License; and\nkeep notices; and\n\nMore.\n",
            ["title", "paragraph", "paragraph"],
        ),
        # a line under one that leaves its sentence open goes on with it, whatever it looks like
        (
            "T\n\nIn conclusion, the Japan-Australia\nAcquisitions and Cross-Servicing\nAgreement (ACSA) matters.\n",
            ["title", "paragraph"],
        ),
        ("T\n\nSome intro text\n## A heading\nBody.\n", ["title", "paragraph", "heading", "paragraph"]),
        # an item's indented last line, short and unpunctuated, is still the item's
        ("T\n\n• Joint research and development\n  projects\n\nMore.\n", ["title", "item", "paragraph"]),
    ],
)
def test_a_line_right_under_another_is_a_heading_only_when_it_reads_as_one(
    text: str, kinds: list[str]
) -> None:
    assert [b.kind for b in parse_blocks(text)] == kinds


def test_markdown_headings_are_named_without_their_marks_and_rules_are_no_blocks() -> None:
    text = "---\n# Green tea #\n\nIntro text here.\n\nOrigins\n-------\n\nIt began in China.\n\n***\n\n## Preparation\nHeat the water.\n"
    assert [(b.kind, b.section[-1], text[b.start : b.end]) for b in parse_blocks(text)] == [
        ("title", "Green tea", "# Green tea #"),  # the block is the exact source line, marks and all
        ("paragraph", "Green tea", "Intro text here."),
        ("heading", "Origins", "Origins"),  # a setext heading: its underline is no block
        ("paragraph", "Origins", "It began in China."),
        ("heading", "Preparation", "## Preparation"),
        ("paragraph", "Preparation", "Heat the water."),
    ]
    assert document_title(text) == "Green tea"
    assert document_title("Plain title\n\nText.\n") == "Plain title"


def test_an_atx_line_is_a_heading_whatever_its_length_or_last_character() -> None:
    text = (
        "# Guide\n\n"
        "## The HTTP API (versioned under /v1; OpenAPI at /openapi.json, browsable at /docs, and more)\n\n"
        "Ask over HTTP.\n\n## Quality (evals)\nScores.\n\n#hashtag is a word here.\n"
    )
    blocks = [(b.kind, b.section[-1], text[b.start : b.end]) for b in parse_blocks(text)]
    assert [k for k, _, _ in blocks] == ["title", "heading", "paragraph", "heading", "paragraph", "paragraph"]
    assert blocks[2][1].startswith("The HTTP API (versioned") and blocks[4][1] == "Quality (evals)"
    assert blocks[5] == ("paragraph", "Quality (evals)", "#hashtag is a word here.")


def test_a_run_of_comment_lines_is_text_not_headings() -> None:
    # a data file's comments, as GnuPG's trustlist.txt writes them: every line of the comment was a
    # heading, its sentences cut apart
    text = (
        "# Trusted keys\n\n"
        "# This is the global list of trusted keys.  Comment lines, like this\n"
        "# one, as well as empty lines are ignored.\n"
        "#\n"
        "# Give the agent a HUP after editing this file.\n\n"
        "# Serial number: 01\n"
        "# Issuer: Telekommunikation und Post\n"
        "42:6A:F6:78  S\n\n"
        "## Headings\n"
        "### Of two levels, right under each other\n\n"
        "# One alone heads a section\n\n"
        "Text.\n"
    )
    blocks = [(b.kind, b.section[-1], text[b.start : b.end]) for b in parse_blocks(text)]
    assert blocks == [
        ("title", "Trusted keys", "# Trusted keys"),
        ("paragraph", "Trusted keys", text[text.index("# This") : text.index("file.") + 5]),
        (
            "paragraph",
            "Trusted keys",
            "# Serial number: 01\n# Issuer: Telekommunikation und Post\n42:6A:F6:78  S",
        ),
        ("heading", "Headings", "## Headings"),
        ("heading", "Of two levels, right under each other", "### Of two levels, right under each other"),
        ("heading", "One alone heads a section", "# One alone heads a section"),
        ("paragraph", "One alone heads a section", "Text."),
    ]
    # the comment is read as sentences, across its lines
    sentences = [text[s:e] for s, e, _ in units_within(text, 0, len(text))]
    assert "Comment lines, like this\n# one, as well as empty lines are ignored." in sentences


def test_minutes_numbering_their_items_over_text_and_listing_attendees() -> None:
    # session 16: "Attendees: …" named the section of every item, and each item's title was read
    # into its first sentence ("2. Budget The board approved…")
    text = (
        "Platform sync - minutes\n\nAttendees: Priya, Jonas, Maria, Tom\n\n"
        "1. Postgres upgrade\nThe upgrade from Postgres 14 to 16 is scheduled for 29 March.\n\n"
        "2. Budget\nThe board approved an extra 12,000 EUR for observability tooling.\n\n"
    )
    blocks = [(b.kind, b.section[-1], text[b.start : b.end]) for b in parse_blocks(text)]
    assert blocks == [
        ("title", "Platform sync - minutes", "Platform sync - minutes"),
        ("paragraph", "Platform sync - minutes", "Attendees: Priya, Jonas, Maria, Tom"),
        ("heading", "1. Postgres upgrade", "1. Postgres upgrade"),
        ("paragraph", "1. Postgres upgrade", "The upgrade from Postgres 14 to 16 is scheduled for 29 March."),
        ("heading", "2. Budget", "2. Budget"),
        ("paragraph", "2. Budget", "The board approved an extra 12,000 EUR for observability tooling."),
    ]


def test_runs_of_records_are_a_block_per_line() -> None:
    # session 16: a CSV export was one paragraph cut mid-row by the chunk budget, and a syllabus's
    # "Week 5 (Sep 29): Grammar of graphics. Lab 3." lines ran together, "Lab" cut from "3."
    csv = "region,rep,units\nNorth,Anna Kowalski,320\nSouth,Beatriz Costa,410\nEast,Oksana Petrenko,60\n"
    weeks = "Week 1 (Sep 1): Why visualize? Lab 1.\nWeek 2 (Sep 8): Perception. Lab 2.\nWeek 3 (Sep 15): Charts.\n"
    for records in (csv, weeks):
        text = f"Sales\n\n{records}\nMore text.\n"
        blocks = parse_blocks(text)
        assert [text[b.start : b.end] for b in blocks if b.kind == "row"] == records.splitlines()


@pytest.mark.parametrize(
    "text",
    [
        # prose whose lines each hold two commas, each followed by a space
        "Notes\n\nWe met Ana, Ben, and Chloe on the pier,\nthen walked, talked, and ate by the sea,\n"
        "and later, much later, went home.\n",
        "Plan\n\nWeek 1 (Sep 1): Why visualize?\nWeek 2 (Sep 8): Perception.\n",  # two records: no run
    ],
)
def test_prose_and_short_runs_are_no_records(text: str) -> None:
    assert "row" not in [b.kind for b in parse_blocks(text)]


def test_a_field_naming_two_things_may_still_head_a_section() -> None:
    text = "Profiling\n\nMeasure: profiling, timing\n\nYou will have surprises.\n"
    assert [b.kind for b in parse_blocks(text)] == ["title", "heading", "paragraph"]


@pytest.mark.parametrize(
    "text",
    [
        "Steps\n\n1. Warm the pot\n2. Add the tea\n",  # a list
        "Steps\n\n1. Warm the pot with water from\n   the kettle.\n\n2. Add the tea.\n",  # wrapped, indented
        "Steps\n\n1. Mix the flour, sugar and butter in a large bowl until\nThe dough holds.\n",  # too long
        "Steps:\n\n1. Warm the pot\nThen add the tea.\n",  # under a lead-in
    ],
)
def test_numbered_items_over_text_stay_items(text: str) -> None:
    assert "heading" not in [b.kind for b in parse_blocks(text)][1:]


def test_a_fenced_code_block_is_one_block_whatever_its_lines_read_like() -> None:
    code = "```sh\n# build the index\n- not an item\n\nmake index   # a comment\n```"
    tildes = "~~~\n```\n# still code: a backtick fence does not close a tilde one\n~~~"
    text = (
        f"# Setup\n\nRun this:\n\n{code}\n\n## Next\n\n{tildes}\n\n    # indented: code, not a heading\n\n"
        "    Indented over text\nThe text under it is longer than the line above.\n"
    )
    blocks = [(b.kind, b.section[-1], text[b.start : b.end]) for b in parse_blocks(text)]
    assert blocks == [
        ("title", "Setup", "# Setup"),
        ("paragraph", "Setup", "Run this:"),
        ("paragraph", "Setup", code),  # fences and blank line included: the exact source
        ("heading", "Next", "## Next"),
        ("paragraph", "Next", tildes),
        ("paragraph", "Next", "# indented: code, not a heading"),
        (
            "paragraph",
            "Next",
            "Indented over text\nThe text under it is longer than the line above.",
        ),  # indented, not even over text a heading
    ]


def test_an_unclosed_fence_runs_to_the_end() -> None:
    text = "Title\n\n```\n# code\n\n## more code\n"
    blocks = parse_blocks(text)
    assert [b.kind for b in blocks] == ["title", "paragraph"]
    assert text[blocks[1].start : blocks[1].end] == "```\n# code\n\n## more code"


YAML_FRONT = '---\ntitle: "Brewing green tea"\ntags: [tea]\n---\n'
TOML_FRONT = '+++\ntitle = "Brewing green tea"\n+++\n'


@pytest.mark.parametrize("front", [YAML_FRONT, TOML_FRONT])
def test_front_matter_and_comments_are_no_text(front: str) -> None:
    body = (
        "# Brewing green tea\n\n<!-- draft: check\n   the temperatures -->\n\n"
        "Brew it below boiling.\n<!-- a note -->\n\n## Steeping\n\n<!-- hidden --> Wait two minutes.\n"
    )
    text = front + "\n" + body
    assert document_title(text) == "Brewing green tea"
    assert [(b.kind, b.section[-1], text[b.start : b.end]) for b in parse_blocks(text)] == [
        ("title", "Brewing green tea", "# Brewing green tea"),
        ("paragraph", "Brewing green tea", "Brew it below boiling."),
        ("heading", "Steeping", "## Steeping"),
        ("paragraph", "Steeping", "<!-- hidden --> Wait two minutes."),  # text after it: kept as written
    ]


def test_a_rule_opening_a_file_is_no_front_matter_and_a_file_of_metadata_alone_is_read() -> None:
    text = "---\nGreen tea\n---\n\nIt began in China.\n"  # no "key:" line: a rule, then a setext heading
    assert document_title(text) == "Green tea"
    only = "---\ntitle: Notes\n---\n"
    assert [only[b.start : b.end] for b in parse_blocks(only)] == ["title: Notes"]
    assert document_title(only) == "title: Notes"


def test_a_numbered_line_standing_alone_over_text_heads_a_section() -> None:
    report = (
        "Annual Report\n\n1. Introduction\n\nThis report covers the year.\n\n2) Outlook\n\nMore work ahead.\n"
    )
    assert [(b.kind, b.section[-1]) for b in parse_blocks(report)] == [
        ("title", "Annual Report"),
        ("heading", "1. Introduction"),
        ("paragraph", "1. Introduction"),
        ("heading", "2) Outlook"),
        ("paragraph", "2) Outlook"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Tea\n\nBrewing is easy.\n\n1. Warm the pot\n\n2. Add the leaves\n\nThen pour.\n",  # a loose list
        "Tea\n\nSteps:\n\n1. Warm the pot\n\nThen pour.\n",  # after its lead-in
        "Tea\n\n1. Warm the pot\n2. Add the leaves\n\nThen pour.\n",  # a tight list
        "Tea\n\n1. Warm the pot.\n\nThen pour.\n",  # a sentence
    ],
)
def test_numbered_items_of_a_list_stay_items(text: str) -> None:
    assert "heading" not in [b.kind for b in parse_blocks(text)]
    assert "item" in [b.kind for b in parse_blocks(text)]


def test_html_tags_and_link_definitions_on_lines_of_their_own_are_no_text() -> None:
    text = (
        '# Changelog\n\n<a id="v1.2"></a>\n\n## 1.2\n\n<details>\n\nFixed the [parser][issues].\n\n'
        "</details>\n\n[issues]: https://example.com/issues\n"
    )
    assert [(b.kind, text[b.start : b.end]) for b in parse_blocks(text)] == [
        ("title", "# Changelog"),
        ("heading", "## 1.2"),
        ("paragraph", "Fixed the [parser][issues]."),
    ]


def test_an_underline_under_several_lines_is_a_rule_not_a_heading() -> None:
    text = "Notes\n\n-- a comment on the data\ncase0160 lgamma -2.74 -> 0.1\n--\n\nMore text.\n"
    assert [b.kind for b in parse_blocks(text)] == ["title", "paragraph", "paragraph"]
    setext = "Notes\n\nOrigins\n-------\n\nIt began in China.\n"
    assert [b.kind for b in parse_blocks(setext)] == ["title", "heading", "paragraph"]


def test_a_section_names_every_heading_over_it_by_level() -> None:
    # session 17: "### Fixes" replaced its version in the path, and "What bugs were fixed in Tern
    # 4.2.0?" was answered with 4.1.2's fix
    text = (
        "Tern Release Notes\n==================\n\n"
        "Tern 4.2.0 — 14 March 2025\n--------------------------\n\n### Fixes\n\n- Fixed the build.\n\n"
        "Tern 4.1.2\n----------\n\n- Fixed the watcher.\n\n"
        "# Appendix\n\nPLAIN NOTES\n\nA line under a heading of no marks.\n\nMORE NOTES\n\nAnother.\n\n"
        "## Deeper\n\nText.\n"
    )
    sections = {text[b.start : b.end]: b.section[1:] for b in parse_blocks(text)}
    assert sections["- Fixed the build."] == ("Tern 4.2.0 — 14 March 2025", "Fixes")
    assert sections["- Fixed the watcher."] == ("Tern 4.1.2",)  # a "-" heading closes the one before
    # a heading of no marks nests under the Markdown heading over it, beside its own kind
    assert sections["A line under a heading of no marks."] == ("Appendix", "PLAIN NOTES")
    assert sections["Another."] == ("Appendix", "MORE NOTES")
    assert sections["Text."] == ("Appendix", "Deeper")  # and a Markdown heading closes it


def test_restructuredtext_underlines_make_headings_and_do_not_open_code_blocks() -> None:
    text = (
        "Project\n=======\n\nIntro text.\n\nDiscussion\n~~~~~~~~~~\n\nFile bugs here.\n\n"
        "Security\n^^^^^^^^\n\nReport issues privately.\n\nExample:\n```\n# code\n```\n"
    )
    assert [(b.kind, b.section[-1], text[b.start : b.end]) for b in parse_blocks(text)] == [
        ("title", "Project", "Project"),
        ("paragraph", "Project", "Intro text."),
        ("heading", "Discussion", "Discussion"),
        ("paragraph", "Discussion", "File bugs here."),
        ("heading", "Security", "Security"),
        ("paragraph", "Security", "Report issues privately."),
        ("paragraph", "Security", "Example:"),
        ("paragraph", "Security", "```\n# code\n```"),  # shorter than the line over it: a fence
    ]


def test_a_title_or_heading_is_named_in_at_most_200_characters() -> None:
    words = " ".join(f"word{i}" for i in range(600))  # one line of ~5,000 characters
    label = document_title(words + "\n\nBody text.\n")
    assert len(label) <= 200 and label.endswith("…")
    assert words.startswith(label[:-1]) and words[len(label) - 1] == " "  # cut between words
    blocks = parse_blocks(f"# {words}\n\nBody text.\n\n## {words}\n\nMore text.\n")
    assert all(len(name) <= 200 for b in blocks for name in b.section)
    assert blocks[-1].section == (label, label)
    # a line without spaces is cut where the limit falls; a short one is named whole
    assert document_title("x" * 1000) == "x" * 199 + "…"
    assert document_title("# Brewing green tea\n\nText.\n") == "Brewing green tea"


def test_a_file_written_as_one_line_is_chunked_under_a_short_title() -> None:
    from index.retriever import embedding_text
    from ingest.chunking import ChunkerConfig, chunk_document
    from ingest.documents import make_document

    numbers = " ".join(f"{i * 0.37:.7e}" for i in range(3000))  # a data file: 45 KB, one line
    doc = make_document("d285", numbers.encode())
    assert len(doc.title) <= 200
    chunks = chunk_document(doc, ChunkerConfig(), lambda text: len(text.split()) * 4)
    assert len(chunks) > 10
    for chunk in chunks:
        assert chunk.section == (doc.title,) and doc.text[chunk.start : chunk.end] == chunk.text
        assert len(embedding_text(chunk, context=True)) <= len(chunk.text) + 201


@pytest.mark.parametrize("front", ["", YAML_FRONT + "\n"])
def test_a_byte_order_mark_is_kept_in_the_text_and_read_past(front: str) -> None:
    # files saved as "UTF-8 with BOM" (Windows Notepad, PowerShell): the mark is character 0 of the
    # text, so offsets stay the file's, and the blocks are those of the text without it, one later
    body = front + "# Port visits\n\n## 2025\n\nThe destroyer called at Yokosuka.\n\n- one\n- two\n"
    marked = "\ufeff" + body
    assert document_title(marked) == "Port visits"
    plain = [(b.kind, b.start + 1, b.end + 1, b.line, b.section) for b in parse_blocks(body)]
    assert [(b.kind, b.start, b.end, b.line, b.section) for b in parse_blocks(marked)] == plain
    assert marked[parse_blocks(marked)[0].start :].startswith("# Port visits")


def test_a_markdown_table_is_a_block_per_row_with_its_header_found() -> None:
    text = (
        "# Pricing\n\nOur plans:\n"
        "| Plan | Price |\n|:-----|------:|\n| Basic | $10 |\n| Pro. Most chosen. | $25 |\n"
        "Prices include tax.\n"
    )
    blocks = parse_blocks(text)
    assert [(b.kind, text[b.start : b.end]) for b in blocks] == [
        ("title", "# Pricing"),
        ("paragraph", "Our plans:"),  # not continued by the rows under it
        ("row", "| Plan | Price |"),  # the delimiter row is no text
        ("row", "| Basic | $10 |"),
        ("row", "| Pro. Most chosen. | $25 |"),
        ("paragraph", "Prices include tax."),  # nor does it continue the last row
    ]
    assert blocks[1].lead_in  # a table is what it leads into
    assert [table_header(text, b.start) for b in blocks if b.kind == "row"] == [
        None,
        "| Plan | Price |",
        "| Plan | Price |",
    ]


def test_a_run_of_fields_is_a_block_per_line() -> None:
    text = (
        "CLINIC\n\nAddress: 12 Harbour Road\nPhone: 023 9200 1234\nOpening hours: Mon-Fri 8am-6pm\n\n"
        "Present: Elena Ruiz (chair) and Marcus Webb, who\nwrote the minutes.\n\n"
        "Alice: Shall we start?\nBob: Yes. The budget first.\n"
    )
    assert [(b.kind, text[b.start : b.end]) for b in parse_blocks(text)] == [
        ("title", "CLINIC"),
        ("row", "Address: 12 Harbour Road"),  # ran on as one hard-wrapped paragraph before
        ("row", "Phone: 023 9200 1234"),
        ("row", "Opening hours: Mon-Fri 8am-6pm"),
        # one field alone is a paragraph like any other, wrapped lines and all
        ("paragraph", "Present: Elena Ruiz (chair) and Marcus Webb, who\nwrote the minutes."),
        ("row", "Alice: Shall we start?"),  # a transcript's turns
        ("row", "Bob: Yes. The budget first."),
    ]


def test_numbered_clauses_are_items_under_their_numbered_heading() -> None:
    text = (
        "LEASE\n\n1. PARTIES\n1.1 The lease is made between Harbourside Ltd and Maria Costa.\n"
        "1.2 The property is Flat 4, 27 Quay Street, a flat let\nfurnished.\n"
        "2. RENT\n2.1 The rent is £1,150 a month.\n\n"
        "The city has a population of\n2.5 million people.\n"
    )
    assert [(b.kind, b.section[-1], text[b.start : b.end]) for b in parse_blocks(text)] == [
        ("title", "LEASE", "LEASE"),
        ("heading", "1. PARTIES", "1. PARTIES"),  # a numbered line over its first clause
        ("item", "1. PARTIES", "1.1 The lease is made between Harbourside Ltd and Maria Costa."),
        ("item", "1. PARTIES", "1.2 The property is Flat 4, 27 Quay Street, a flat let\nfurnished."),
        ("heading", "2. RENT", "2. RENT"),
        ("item", "2. RENT", "2.1 The rent is £1,150 a month."),
        # a decimal opening a line inside a sentence opens nothing
        ("paragraph", "2. RENT", "The city has a population of\n2.5 million people."),
    ]


def test_a_numbered_heading_a_blank_line_over_its_first_clause_heads_it_after_other_clauses() -> None:
    # session 17: "3. FEES AND PAYMENT", under the last clause of section 2, was an item, and every
    # clause from 3.1 to 8.2 was cited under "2. YOUR ACCOUNT"
    text = (
        "TERMS\n\n2. YOUR ACCOUNT\n\n2.3 We may suspend your Account if:\n(a) you breach clause 4; or\n"
        "(b) we must.\n\n3. FEES AND PAYMENT\n\n3.1 Plans are billed in advance.\n\n"
        "Steps:\n\n1. Sign in\n\n2. Pay\n"
    )
    sections = [(b.kind, b.section[-1], text[b.start : b.end][:20]) for b in parse_blocks(text)]
    assert ("heading", "3. FEES AND PAYMENT", "3. FEES AND PAYMENT") in sections
    assert ("item", "3. FEES AND PAYMENT", "3.1 Plans are billed") in sections
    assert sections[-1] == ("item", "3. FEES AND PAYMENT", "2. Pay")  # a list's items stay items


def test_a_manual_pages_section_names_head_their_indented_text() -> None:
    # session 17: "NAME", "DESCRIPTION", "OPTIONS" ran into their text, which opens in lower case
    text = (
        "TARSYNC(1)          User Commands          TARSYNC(1)\n\n"
        "NAME\n       tarsync - copy directory trees into tar archives\n\n"
        "OPTIONS\n       -c, --checksum\n              Detect changes by hash.\n\n"
        "EXIT STATUS\n       0      Success.\n"
    )
    blocks = [(b.kind, text[b.start : b.end].split("\n")[0].strip()) for b in parse_blocks(text)]
    assert [line for kind, line in blocks if kind == "heading"] == ["NAME", "OPTIONS", "EXIT STATUS"]
    # capitals over text that is not indented under them stay the text's first line
    assert parse_blocks("Title\n\nNOTE\nthe rest of it goes on.\n")[1].kind == "paragraph"


def _rows(text: str) -> list[str]:
    """The texts of the blocks of `text` read as rows (a log's, a chat's or a record's lines)."""
    return [text[b.start : b.end] for b in parse_blocks(text) if b.kind == "row"]


def test_a_log_and_a_fixed_width_table_are_a_block_per_line() -> None:
    # session 17: a league table was one paragraph cut inside a row; a log's lines ran together
    table = (
        "LEAGUE\n\nPos  Team            P   W   Pts\n 1   Ashby Rovers   22  16   52\n"
        " 2   Fenwick Town   22  15   48\n 3   Old Gatesians  22  13   44\n"
    )
    assert [b.kind for b in parse_blocks(table)][1:] == ["row"] * 4
    log = (
        "Gateway log\n\n2025-06-03T02:14:07.118Z INFO server started (version 5.8.2)\n"
        "2025-06-03T02:31:55.871Z WARN slow response: 2840ms\n2025-06-03T02:32:41.559Z ERROR connection refused\n"
    )
    assert [row[:24] for row in _rows(log)] == [
        *("2025-06-03T02:14:07.118Z", "2025-06-03T02:31:55.871Z", "2025-06-03T02:32:41.559Z")
    ]
    # prose with a double space after its full stops stays prose
    prose = "Notes\n\n" + "It rained.  Then it cleared.  We left.  Home by six.\n" * 3
    assert [b.kind for b in parse_blocks(prose)][1:] == ["paragraph"]


def test_a_chats_lines_are_a_block_each() -> None:
    # session 18: "[10:29] ops-bot: ALERT …" lines, timed but not dated, were one paragraph, and
    # "the 50% step lines up exactly⏎[10:31] marta.k: pausing rollout⏎[10:33] …" one sentence
    chat = (
        "#payments-oncall\n\n[10:29] ops-bot: ALERT p99 latency above 1200 ms\n"
        "[10:30] deshawn: that's us? the 50% step lines up exactly\n[10:31] marta.k: pausing rollout\n"
        "[10:33] lin.yu: the new build calls the fraud-score service twice per charge\n"
    )
    rows = _rows(chat)
    assert [row[:7] for row in rows] == ["[10:29]", "[10:30]", "[10:31]", "[10:33]"]
    assert rows[2] == "[10:31] marta.k: pausing rollout"
    # a time with seconds, no brackets
    plain = "Log\n\n09:58:01 marta: deploying\n10:02:13 deshawn: go for it\n10:15:40 marta: starting\n"
    assert [b.kind for b in parse_blocks(plain)][1:] == ["row"] * 3


def test_a_sentence_in_emphasis_is_no_heading() -> None:
    # session 18: the menu's hours were a heading, the "." hidden by the closing "*", so "When are
    # meals served at the Harbour Kitchen?" was refused with the line in passage 1
    text = (
        "# The Harbour Kitchen\n\n*Seasonal menu – served 12:00–15:00 and 18:00–22:00. Please tell us"
        " about any allergies.*\n\n## Small plates\n\n- Crispy squid — £8.00\n"
    )
    assert [b.kind for b in parse_blocks(text)] == ["title", "paragraph", "heading", "item"]
    assert parse_blocks("# T\n\n**Run it on supported platforms only.**\n\nText.\n")[1].kind == "paragraph"
    assert parse_blocks("# T\n\n*A quiet afternoon*\n\nText.\n")[1].kind == "heading"


def test_a_japanese_sentence_under_its_english_one_is_no_heading() -> None:
    # session 18: "チェックアウトは10時です。お荷物は16時までフロントでお預かりします。" under "Check-out
    # is at 10:00. …" was a heading: "。" closed nothing, and by white space the line was one word
    text = (
        "Guest Guide\n\n## Check-out / チェックアウト\n\nCheck-out is at 10:00. Luggage can be left until 16:00.\n"
        "チェックアウトは10時です。お荷物は16時までフロントでお預かりします。\n\n"
        "お食事\n\n夕食は18時または19時30分からで、朝食は7時から9時までとなっておりますのでご注意ください\n\nEnd.\n"
    )
    blocks = parse_blocks(text)
    assert [b.kind for b in blocks] == ["title", "heading", "paragraph", "heading", "paragraph", "paragraph"]
    assert text[blocks[2].start : blocks[2].end].endswith("お預かりします。")
    assert blocks[4].section == ("Guest Guide", "Check-out / チェックアウト", "お食事")  # a short one heads


def test_references_and_notes_are_an_item_each() -> None:
    # session 18: a paper's six references were one paragraph, and its notes "(1) …", "(2) …" another
    text = (
        "Paper\n\nNotes\n\n(1) Mesh barriers were replaced every spring because ants chewed holes in\n"
        "them during the first season.\n(2) Sampling in September 2021 was skipped.\n\nReferences\n\n"
        "[1] Simard, S. W., Perry, D. A. (1997). Net transfer of carbon between\n"
        "    ectomycorrhizal tree species in the field. Nature 388: 579-582.\n"
        "[2] Wohlleben, P. (2016). The Hidden Life of Trees. Greystone Books.\n"
    )
    items = [text[b.start : b.end][:4] for b in parse_blocks(text) if b.kind == "item"]
    assert items == ["(1) ", "(2) ", "[1] ", "[2] "]
    # a mark in brackets going on a sentence the line above leaves open is no item
    prose = "Terms\n\nOur liability is limited to the greater of\n(1) the fees you paid and (2) €100.\n"
    assert [b.kind for b in parse_blocks(prose)] == ["title", "paragraph"]


def test_enumerated_provisions_are_items_nested_by_indent() -> None:
    # session 18: a by-law's subsection was one block, "(i) before sunrise or after sunset," a
    # sentence with no "drone" or "fly" in it, read without "(c) fly a drone" over it
    text = (
        "14.3 Prohibitions\n\n(2) No operator shall, within a designated flying area,\n"
        "    (a) fly a drone higher than 60 metres above ground level;\n"
        "    (b) fly a drone within 30 metres of any person who is not involved in\n"
        "        its operation; or\n    (c) fly a drone\n        (i) before sunrise or after sunset,\n"
        "        (ii) when wind speed exceeds 40 km/h, or\n"
    )
    items = [(b.depth, text[b.start : b.end].split()[0]) for b in parse_blocks(text) if b.kind == "item"]
    assert items == [(1, "(2)"), (2, "(a)"), (2, "(b)"), (2, "(c)"), (3, "(i)"), (3, "(ii)")]


def test_bold_labels_are_fields() -> None:
    # session 18: a troubleshooting entry's Symptom / Cause / Fix lines were one paragraph, and the
    # Symptom, restating the question, was the answer to "What does it mean when the light blinks red?"
    text = (
        "# LP-400\n\n---\n\n**Symptom:** The status light blinks red twice, then pauses.\n"
        "**Cause:** The label roll is empty or not seated on the spindle.\n"
        "**Fix:** Open the lid, reseat the roll and press FEED once.\n\n---\n"
    )
    rows = _rows(text)
    assert [row.split()[0] for row in rows] == ["**Symptom:**", "**Cause:**", "**Fix:**"]


def test_asciidoc_headings_nest_by_their_marks_and_attributes_are_no_headings() -> None:
    # session 18: "== Upgrading node pools" was named with its marks, "=== Rolling back" was beside
    # it, and ":icons: font" headed the runbook's introduction
    text = (
        "= Upgrading the Cluster\nPlatform Team <platform@example.org>\n:toc:\n:icons: font\n\n"
        "This runbook describes the upgrade.\n\n== Upgrading node pools\n\nOne at a time.\n\n"
        "=== Rolling back\n\nWithin 7 days.\n"
    )
    blocks = parse_blocks(text)
    sections = {text[b.start : b.end]: b.section for b in blocks}
    assert sections["This runbook describes the upgrade."] == ("Upgrading the Cluster",)
    assert sections["Within 7 days."] == ("Upgrading the Cluster", "Upgrading node pools", "Rolling back")
    assert [text[b.start : b.end] for b in blocks if b.kind == "row"] == [":icons: font"]
    rst = "Guide\n=====\n\n:Author: Jonas Behrendt\n:Version: 2.3\n\nText.\n"
    assert [b.kind for b in parse_blocks(rst)] == ["title", "row", "row", "paragraph"]


def test_page_footers_and_running_headers_are_no_text() -> None:
    # session 18: an Internet-Draft's page footer and the running header after it were headings, and
    # the text after the page break was cited under "Internet-Draft  TMP  July 2025"
    text = (
        "Internet-Draft                    TMP                          July 2025\n\n3.  Message Format\n\n"
        "   The Checksum is the CRC-16/CCITT of the header.\n\n\n\n"
        "Okonkwo                  Expires 14 January 2026                [Page 2]\n\f\n"
        "Internet-Draft                    TMP                          July 2025\n\n\n"
        "   A receiver MUST discard a message whose checksum does not verify.\n"
    )
    blocks = parse_blocks(text)
    assert [b.kind for b in blocks] == ["title", "heading", "paragraph", "paragraph"]
    assert blocks[-1].section[1:] == ("3.  Message Format",)


def test_a_field_of_metadata_standing_alone_is_no_heading() -> None:
    # session 17: "Last updated: 1 February 2025" named the section of a terms of service's opening
    text = "TERMS\n\nLast updated: 1 February 2025\n\nThese Terms govern the Service.\n\nContact: legal@x.example\n\nMeasure: profiling\n\nText.\n"
    sections = {text[b.start : b.end]: b.section for b in parse_blocks(text)}
    assert sections["These Terms govern the Service."] == ("TERMS",)
    assert sections["Text."] == ("TERMS", "Measure: profiling")  # a field naming no date or address may head


def test_a_signature_under_its_sign_off_is_no_heading() -> None:
    # session 17: "Dana" under "Thanks," headed every quoted message after it
    text = "Subject: Venue\n\nHi Sam,\n\nLet's go with Hollins Barn.\n\nThanks,\nDana\n\nOn Thu, Sam wrote:\n> Hi.\n"
    blocks = parse_blocks(text)
    assert [b.kind for b in blocks].count("heading") == 0
    assert ("Thanks,\nDana", ("Subject: Venue",)) in [(text[b.start : b.end], b.section) for b in blocks]


def test_a_glossary_is_a_block_per_definition_but_dashed_prose_runs_on() -> None:
    glossary = "Glossary\n\nACSA - Acquisition and Cross-Servicing Agreement\nRAA - Reciprocal Access Agreement\nSOFA – Status of Forces Agreement\n"
    assert [(b.kind, glossary[b.start : b.end]) for b in parse_blocks(glossary)][1:] == [
        ("row", "ACSA - Acquisition and Cross-Servicing Agreement"),
        ("row", "RAA - Reciprocal Access Agreement"),
        ("row", "SOFA – Status of Forces Agreement"),
    ]
    two = "Glossary\n\nACSA - Acquisition and Cross-Servicing Agreement\nRAA - Reciprocal Access Agreement\n"
    assert [b.kind for b in parse_blocks(two)] == ["title", "paragraph"]  # two dashed lines may be prose
    prose = "Notes\n\nThe alliance - formed in 1951 - has\nendured - despite tensions - for decades and\nJapan - the junior partner - grew.\n"
    assert [b.kind for b in parse_blocks(prose)] == [
        "title",
        "paragraph",
    ]  # a wrapped line opens in lower case


@pytest.mark.parametrize(
    "text",
    [
        # fields in form, prose in fact: the second line runs on into one opening in lower case
        "NEWS\n\nbpo-15786: Fix several problems.\nThe following should now work: clicking on items;\n"
        "using the scrollbar.\n",
        # "|tag|" lines of a Vim help file: no delimiter row, so no table
        "Help\n\nIn legacy script it is also possible to use curly braces, see\n|curly-braces-names|.\n",
    ],
)
def test_prose_shaped_like_fields_or_a_table_runs_on(text: str) -> None:
    assert [b.kind for b in parse_blocks(text)] == ["title", "paragraph"]


def test_a_numbered_subsection_title_is_a_heading_under_its_section() -> None:
    # session 18: "2.1 Study sites" and a by-law's "14.3 Prohibitions" were items, their text cited
    # under "2 Methods" and under the by-law's title alone
    paper = (
        "Paper\n\n2 Methods\n\n2.1 Study sites\n\nThe three sites lie high.\n\n"
        "2.2 Labelling and sampling\n\nDonors got 2 mL.\n\n3 Results\n\nIt moved.\n"
    )
    sections = {paper[b.start : b.end]: b.section for b in parse_blocks(paper)}
    assert sections["The three sites lie high."] == ("Paper", "2 Methods", "2.1 Study sites")
    assert sections["Donors got 2 mL."] == ("Paper", "2 Methods", "2.2 Labelling and sampling")
    assert sections["It moved."] == ("Paper", "3 Results")
    bylaw = (
        "CODE\n\n14.3 Prohibitions\n\n(1) No person shall fly.\n\n14.4 Permits\n\nA permit may be issued.\n"
    )
    assert [b.kind for b in parse_blocks(bylaw)] == ["title", "heading", "item", "heading", "paragraph"]
    # clauses a blank line apart, one under another (a table of contents), stay items
    toc = "Contents\n\n1.1 Scope\n\n1.2 Terms\n\n1.3 Fees\n"
    assert [b.kind for b in parse_blocks(toc)] == ["title", "item", "item", "item"]


def test_a_version_over_an_underline_is_a_heading_not_a_clause() -> None:
    text = "History\n\n0.6.3 / 2022-01-22\n==================\n\n  * Revert the lazy loading\n"
    assert [(b.kind, text[b.start : b.end]) for b in parse_blocks(text)][1] == (
        "heading",
        "0.6.3 / 2022-01-22",
    )


def test_fields_keyed_in_lower_case_stay_fields() -> None:
    text = "Changelog\n\nv2.1 (2026-03-02): added the colour field.\nv2.0 (2025-11-20): moved to keys.\n"
    assert [b.kind for b in parse_blocks(text)] == ["title", "row", "row"]


@pytest.mark.parametrize(
    ("line", "label"),
    [
        ("## [3.4.0](https://github.com/o/p/compare/3.3.2...3.4.0) (2024-10-08)", "3.4.0 (2024-10-08)"),
        (
            "# rustfmt [![linux](https://a/linux.svg)](https://b) [![mac](https://a/mac.svg)](https://c)",
            "rustfmt",
        ),
        ("##### [Homebrew](https://brew.sh) in macOS", "Homebrew in macOS"),
        ("# [![Logo](logo.png)](https://example.org)", "Logo"),  # an image alone: its alt text
        ("## Notes [draft] (v2)", "Notes [draft] (v2)"),  # brackets that make no link stay
    ],
)
def test_a_heading_is_named_without_images_and_link_targets(line: str, label: str) -> None:
    from ingest.structure import heading_label

    assert heading_label(line) == label


def test_a_changelogs_linked_versions_name_their_sections() -> None:
    text = (
        "# Changelog\n\n## [3.4.0](https://github.com/o/p/compare/3.3.2...3.4.0) (2024-10-08)\n\n"
        "- Dropped support for Python 3.7.\n"
    )
    [*_, item] = parse_blocks(text)
    assert item.section == ("Changelog", "3.4.0 (2024-10-08)")
    assert document_title("# [![Logo](logo.png)](https://example.org)\n\nText.\n") == "Logo"


@pytest.mark.parametrize(
    ("line", "label"),
    [
        ('## <a name="opts"></a> `opts` for `libnpmorg` commands', "`opts` for `libnpmorg` commands"),
        ("<summary>Packaged libcbor is available</summary>", "Packaged libcbor is available"),
        ('## <img src="logo.png" alt="Logo"> Project', "Project"),
        # a help file's keys and placeholders are text, and its tabs stay
        ("|i_<Del>|\t<Del>\t\tdelete character", "|i_<Del>|\t<Del>\t\tdelete character"),
        (
            "usage: yq [options] <jq filter> [input file...]",
            "usage: yq [options] <jq filter> [input file...]",
        ),
    ],
)
def test_a_heading_is_named_without_html_tags(line: str, label: str) -> None:
    from ingest.structure import heading_label

    assert heading_label(line) == label


def test_an_aside_closing_a_heading_standing_alone_leaves_it_a_heading() -> None:
    # session 19: ")" closed "ROUND 2 - LOCAL (the host's pick)" as a sentence, so its questions were
    # cited under round 1, and the round's name was given as an answer
    text = (
        "Quiz\n\nROUND 1 - SPORT\n1. Who won the cup?\n2. Where is the ground?\n\n"
        "ROUND 2 - LOCAL (the host's pick)\n1. What is the dog called?\n\n"
        "ERRATA (updated 9 Jan 2024)\n\nQuestion 2 had the wrong year.\n"
    )
    blocks = parse_blocks(text)
    assert [text[b.start : b.end] for b in blocks if b.kind == "heading"] == [
        *("ROUND 1 - SPORT", "ROUND 2 - LOCAL (the host's pick)", "ERRATA (updated 9 Jan 2024)")
    ]
    assert blocks[-1].section == ("Quiz", "ERRATA (updated 9 Jan 2024)")
    # an aside holding a sentence's end closes it; a line all in brackets, or one right under a line
    # of text, is no heading
    for aside in ("Kept as written (see the notes.)", "(Round 2: closing date 27 June)"):
        assert parse_blocks(f"Form\n\n{aside}\n\nThe text.\n")[1].kind == "paragraph"
    fields = (
        "Pattern\n\nYarn: Harbour Worsted\nAmount: 1 skein (2 for size L)\nShown in colour Sloe (size M)\n"
        "Needles: 4.5 mm circular\nNotions: a marker\n"
    )
    assert "heading" not in [b.kind for b in parse_blocks(fields)]


def test_a_line_boxed_by_rules_is_a_heading_and_a_stage_direction_none() -> None:
    # session 19: an audio guide's boxed stop titles ran on the paragraph before them, and its
    # "[MUSIC: …]" lines named the sections instead
    text = (
        "Audio guide\n\nTake the stairs to your left.\n\n----------\nSTOP 2 — THE HARPOON  (Track 02, 2:50)\n"
        "----------\n\n[MUSIC: gulls, fade under]\n\nIn front of you is a harpoon.\n\n"
        "==========\nSECTION 3: BUDGET\n==========\n\nWe ask for £500.\n"
    )
    shape = [(b.kind, text[b.start : b.end], b.section[1:]) for b in parse_blocks(text)]
    assert shape[1:] == [
        ("paragraph", "Take the stairs to your left.", ()),
        ("heading", "STOP 2 — THE HARPOON  (Track 02, 2:50)", ("STOP 2 — THE HARPOON  (Track 02, 2:50)",)),
        ("paragraph", "[MUSIC: gulls, fade under]", ("STOP 2 — THE HARPOON  (Track 02, 2:50)",)),
        ("paragraph", "In front of you is a harpoon.", ("STOP 2 — THE HARPOON  (Track 02, 2:50)",)),
        ("heading", "SECTION 3: BUDGET", ("SECTION 3: BUDGET",)),
        ("paragraph", "We ask for £500.", ("SECTION 3: BUDGET",)),
    ]


def test_a_numbered_line_boxed_by_rules_heads_its_clauses() -> None:
    # session 24: a campsite's "5. DOGS" between "-----" lines was an item of its own, its clauses
    # under no heading, and it answered "…can they all come camping with us?"
    rule = "-" * 40
    text = (
        f"Campsite rules\n\n{rule}\n4. FIRES\n{rule}\n4.1  Fire pits can be hired for £10.\n\n"
        f"{rule}\n5. DOGS\n{rule}\n5.1  Well-behaved dogs are welcome.\n"
        "     There is a maximum of two dogs per pitch.\n"
    )
    shape = [(b.kind, text[b.start : b.end], b.section[1:]) for b in parse_blocks(text)]
    assert shape[1:] == [
        ("heading", "4. FIRES", ("4. FIRES",)),
        ("item", "4.1  Fire pits can be hired for £10.", ("4. FIRES",)),
        ("heading", "5. DOGS", ("5. DOGS",)),
        (
            "item",
            "5.1  Well-behaved dogs are welcome.\n     There is a maximum of two dogs per pitch.",
            ("5. DOGS",),
        ),
    ]


def test_a_forms_answer_under_its_question_is_text_of_its_own_led_in_by_it() -> None:
    # session 19: "March 2022" under "1.6 When was it set up?" headed the rest of a form, and "2.2
    # Describe the project (max 250 words)" ran into the first sentence of its answer
    text = (
        "Grant form\n\n1.6 When was your group set up?\nMarch 2022\n\n"
        "1.7 Describe the project (max 250 words)\nWe fix things. Every month.\n\n3.2 How much do you ask for?\n£4,500\n"
    )
    shape = [(b.kind, text[b.start : b.end], b.lead_in) for b in parse_blocks(text)]
    assert shape[1:] == [
        ("item", "1.6 When was your group set up?", True),
        ("paragraph", "March 2022", False),
        ("item", "1.7 Describe the project (max 250 words)", True),
        ("paragraph", "We fix things. Every month.", False),
        ("item", "3.2 How much do you ask for?", True),
        ("paragraph", "£4,500", False),
    ]
    assert {b.section for b in parse_blocks(text)} == {("Grant form",)}


def test_lower_case_definitions_are_rows_and_a_heading_may_open_over_them_or_a_figure() -> None:
    # session 19: a pattern's "ABBREVIATIONS" over "k2tog - knit 2 together" lines was one paragraph,
    # cut inside a line, and "GAUGE" ran into "20 sts and 30 rnds = 10 cm"
    text = (
        "Hat\n\nGAUGE\n20 sts and 30 rnds = 10 cm on a 4.5 mm needle.\n\n"
        "ABBREVIATIONS\nk - knit\nk2tog - knit 2 together\nssk - slip, slip, knit\n(k1, p1) - knit and purl into one\n"
    )
    shape = [(b.kind, text[b.start : b.end]) for b in parse_blocks(text)]
    assert shape[1:] == [
        ("heading", "GAUGE"),
        ("paragraph", "20 sts and 30 rnds = 10 cm on a 4.5 mm needle."),
        ("heading", "ABBREVIATIONS"),
        *[("row", line) for line in ("k - knit", "k2tog - knit 2 together", "ssk - slip, slip, knit")],
        ("row", "(k1, p1) - knit and purl into one"),
    ]
    # a wrapped line opening in lower case after one that breaks off is prose
    prose = "Notes\n\nThe pact - signed in 1951 - has\nendured - despite it all - for decades and\nstill - they say - holds.\n"
    assert [b.kind for b in parse_blocks(prose)] == ["title", "paragraph"]


def test_contact_and_date_lines_joined_fields_and_page_numbers_head_nothing() -> None:
    # session 19: a CV's contact line and "*Mar 2018 – May 2021*" were headings, and so were an
    # insurance schedule's "Flooding in last 10 yrs:Yes" and its "Page 2 of 2"
    cv = (
        "# Ana Lima\n\nData Engineer · Leeds (hybrid)\nana@example.me · +44 7700 900123 · github.com/ana\n\n## Experience\n\n"
        "**Data Engineer** — Acme (via Kinetic)\n*Mar 2018 – May 2021*\n\n- Built the feed\n"
    )
    assert [cv[b.start : b.end] for b in parse_blocks(cv) if b.kind == "heading"] == ["## Experience"]
    schedule = (
        "Schedule\n\nPROPERTY DETAILS\n\nListed building:   No\nOccupied at night: Yes\n"
        "Flooding in last 10 yrs:Yes - see END 07\nClaims in 5 yrs:   1 (escape of water)\n\nPage 2 of 2\n"
    )
    blocks = parse_blocks(schedule)
    assert [schedule[b.start : b.end] for b in blocks if b.kind == "heading"] == ["PROPERTY DETAILS"]
    assert "Page 2 of 2" not in [schedule[b.start : b.end] for b in blocks]
    quiz = "Quiz\n\n1. Who won?\n\n---------- page 2 ----------\nANSWERS\n\n1. Ashby\n"
    assert [b.kind for b in parse_blocks(quiz)] == ["title", "item", "heading", "item"]


def test_a_fixed_width_table_of_two_or_three_columns_is_a_block_per_row() -> None:
    # session 19: an insurance schedule's limits were one paragraph, cut by the chunk budget inside a
    # row ("Credit/debit cards (fraudulent" | "use)  £1,000")
    table = (
        "Limits\n\nItem                        Limit     Included?\n----------------------  --------  ---------\n"
        "Buildings                   £500,000  Yes\nMoney and bank notes        £750      Yes\n"
        "Credit/debit cards (fraudulent use)   £1,000\nFAC EP  FA Cup Extra Preliminary Round\n"
        "                            --------\nTOTAL                       £501,750\n"
    )
    assert _rows(table) == [
        "Item                        Limit     Included?",
        "Buildings                   £500,000  Yes",
        "Money and bank notes        £750      Yes",
        "Credit/debit cards (fraudulent use)   £1,000",
        "FAC EP  FA Cup Extra Preliminary Round",  # a gap of two goes on with an open table
        "TOTAL                       £501,750",  # over a total's rule
    ]
    # prose with a double space after its full stops stays prose, and so do a diff's lines
    prose = "Notes\n\n" + "It rained.  Then it cleared.  We left.  Home by six.\n" * 3
    assert [b.kind for b in parse_blocks(prose)][1:] == ["paragraph"]
    diff = "Patch\n\n-        bucket = int(now)\n-        count = 0\n+        window = int(now)\n"
    assert _rows(diff) == []


@pytest.mark.parametrize(
    "table",
    [
        "DATE        OPPONENT        RESULT\n----------  --------------  ------\n"
        "23/08/2025  Nelson          W 4-0\n30/08/2025  Chadderton      L 1-2\n",
        "Date,Payee,Amount (GBP)\n03/01/2024,Nationwide,1126.40\n10/01/2024,Netflix,10.99\n",
    ],
)
def test_a_fixed_width_or_csv_tables_header_row_names_its_rows_and_leads_them_in(table: str) -> None:
    # session 19: a fixture list's header row ended a chunk alone, and its rows never carried "RESULT"
    text = f"Season\n\n{table}"
    rows = [b for b in parse_blocks(text) if b.kind == "row"]
    header = text[rows[0].start : rows[0].end]
    assert [table_header(text, b.start) for b in rows] == [None, header, header]
    assert [heads_table(text, b.end) for b in rows] == [True, False, False]
    assert [b.lead_in for b in rows] == [True, False, False]
    # a table whose first line is a record like the others has no header
    log = "Timeline\n\n1868\tThe Act passes.\n1871\tWork begins.\n1874\tThe line opens.\n"
    assert {table_header(log, b.start) for b in parse_blocks(log)} == {None}


def test_a_pdfs_running_header_and_page_footer_are_no_text() -> None:
    # session 20: an annual report's page header and its "… Page 5 of 12" footer were headings, the
    # footer the answer to "Who is the leader of the council?", the padding kept in the labels
    page = (
        "Harwick District Council                    Annual Report 2023/24\n\n"
        "{heading}\n\nThe text of page {n} runs here.\n\n"
        "Harwick District Council — Annual Report 2023/24            Page {n} of 12\n\n\n"
    )
    text = "".join(page.format(n=n, heading=h) for n, h in ((2, "Housing"), (3, "Waste"), (4, "Parks")))
    text += "2. Waste and recycling          3. Parks and open spaces\n\nThe columns run here.\n"
    blocks = parse_blocks(text)
    read = [text[b.start : b.end] for b in blocks if b.kind != "title"]
    assert not [line for line in read if "Annual Report" in line]
    # the running header opening the document is its title, named without its padding
    title = "Harwick District Council Annual Report 2023/24"
    assert document_title(text) == title
    assert blocks[-1].section == (title, "2. Waste and recycling 3. Parks and open spaces")
    # a table's recurring total row stands among its rows: text
    table = "".join(f"Item {n}\n\nTotal        1,2{n}        5,6{n}\nmore text\n\n" for n in range(3))
    assert len([b for b in parse_blocks(table) if table[b.start : b.end].startswith("Total")]) == 3


def test_a_statutes_section_lines_are_headings_and_its_capital_lines_its_title() -> None:
    # session 20: an ordinance's "§ 6.20.030 Licensing." ended with "." and was text, and its title
    # lines in capitals under the county's name a paragraph: every passage was cited under the county
    text = (
        "COUNTY OF WESTBRIDGE\nORDINANCE No. 2023-17\nAN ORDINANCE RELATING TO THE CONTROL OF DOGS\n\n"
        "Effective 1 January 2024.\n\n"
        "§ 6.20.010 Short title.\nThis chapter may be cited as the Dog Ordinance.\n\n"
        "§ 6.20.030 Licensing.\n(a) Every owner shall obtain a license.\n\n"
        "Section 4. Payment of rent.\nRent is due monthly.\n\n"
        "A dog is licensed under\n§ 6.20.030 Licensing. The fee is $20.\n"
    )
    title = "COUNTY OF WESTBRIDGE ORDINANCE No. 2023-17 AN ORDINANCE RELATING TO THE CONTROL OF DOGS"
    assert document_title(text) == title
    sections = {text[b.start : b.end]: b.section for b in parse_blocks(text)}
    assert sections["Effective 1 January 2024."] == (title,)
    assert sections["This chapter may be cited as the Dog Ordinance."] == (title, "§ 6.20.010 Short title.")
    assert sections["(a) Every owner shall obtain a license."] == (title, "§ 6.20.030 Licensing.")
    assert sections["Rent is due monthly."] == (title, "Section 4. Payment of rent.")
    # a sentence going on at a line opening with "§" is no heading
    assert "A dog is licensed under\n§ 6.20.030 Licensing. The fee is $20." in sections
    # capitals over text right under them are no title run
    assert document_title("NOTICE\nTHE OFFICE IS CLOSED\nfor the holiday.\n") == "NOTICE"


def test_subtitle_cues_are_marked_not_read_and_a_sentence_goes_on_across_them() -> None:
    # session 20: a captions file's title was "WEBVTT", its timing lines headings, a cue's line a
    # heading, and "…can visit around six thousand" | "flowers in a single day" two paragraphs
    vtt = (
        "WEBVTT\nKind: captions\n\nNOTE\nEpisode 3 of the series.\n\n"
        "00:00:04.400 --> 00:00:08.900\nNARRATOR: A queen bumblebee\ncan visit around six thousand\n\n"
        "00:00:09.100 --> 00:00:13.600 align:start\nflowers in a single day.\nA hive may hold fifty thousand bees\n\n"
        "00:00:13.800 --> 00:00:18.500\nDR OKAFOR: They survive the winter.\n"
    )
    assert document_title(vtt) == "Episode 3 of the series."
    blocks = parse_blocks(vtt)
    read = [(b.kind, vtt[b.start : b.end]) for b in blocks]
    assert read == [
        ("title", "Episode 3 of the series."),
        (
            "paragraph",
            "NARRATOR: A queen bumblebee\ncan visit around six thousand\n\n"
            "00:00:09.100 --> 00:00:13.600 align:start\nflowers in a single day.\nA hive may hold fifty thousand bees",
        ),
        ("paragraph", "DR OKAFOR: They survive the winter."),
    ]
    srt = (
        "1\n00:00:01,000 --> 00:00:04,200\nThe first bee\n\n"
        "2\n00:00:04,400 --> 00:00:08,900\nis a queen.\n\n"
        "3\n00:00:09,100 --> 00:00:13,600\nShe sleeps all winter.\n"
    )
    assert [(b.kind, srt[b.start : b.end]) for b in parse_blocks(srt)] == [
        ("title", "The first bee"),
        ("paragraph", "is a queen."),
        ("paragraph", "She sleeps all winter."),
    ]


def test_a_chat_exports_messages_are_blocks_and_its_encryption_notice_no_title() -> None:
    # session 20: a WhatsApp group's messages ran together as paragraphs, three messages one sentence,
    # under the encryption notice as the title of every passage
    text = (
        "12/03/2024, 09:14 - Messages and calls are end-to-end encrypted. No one outside of this chat can read them.\n"
        '12/03/2024, 09:14 - Gill Hartley created group "Beech Road Allotments"\n'
        "08/04/2024, 16:48 - Gill Hartley: We need a new treasurer\n"
        "08/04/2024, 16:50 - Sue Bramwell: I'll think about the treasurer thing\n"
        "[10/04/2024, 17:03:09] Marek Nowak: This message was deleted\n"
        "4/10/24, 5:04 PM - Dev Patel: Rhubarb coming up\n"
    )
    assert document_title(text) == '12/03/2024, 09:14 - Gill Hartley created group "Beech Road Allotments"'
    blocks = parse_blocks(text)
    assert [b.kind for b in blocks] == ["title", "row", "row", "row", "row"]
    assert text[blocks[-1].start : blocks[-1].end] == "4/10/24, 5:04 PM - Dev Patel: Rhubarb coming up"


def test_a_chats_messages_name_their_author_and_whether_another_is_between() -> None:
    # session 21: a message was read apart from the one it answers (`index.companions`)
    text = (
        '02/09/2024, 18:41 - Tom Bishop created group "Riverside Runners"\n'
        "02/09/2024, 18:45 - Tom Bishop: Welcome all! Track fee is £3\n"
        "02/09/2024, 18:46 - Mel Doherty: What's the session\nfor the first one?\n"
        "14/09/2024, 17:22 - Sam Price left\n"
        "[14/09/2024, 17:35:09] Aisha Khan: water and a head torch\n"
        "[10:42] marta.k: pausing rollout\n"
    )
    messages = chat_messages(text)
    assert [(m.author, text[m.start : m.end], m.follows) for m in messages] == [
        ("Tom Bishop", "02/09/2024, 18:45 - Tom Bishop: Welcome all! Track fee is £3", False),
        ("Mel Doherty", "02/09/2024, 18:46 - Mel Doherty: What's the session\nfor the first one?", True),
        ("Aisha Khan", "[14/09/2024, 17:35:09] Aisha Khan: water and a head torch", False),
        ("marta.k", "[10:42] marta.k: pausing rollout", True),
    ]
    # fewer than three lines of messages make no chat, nor does a log
    assert chat_messages("02/09/2024, 18:45 - Tom Bishop: Welcome all!\nNote: bring water\n") == []
    log = "".join(f"2025-06-03T02:14:0{i}Z INFO db: connection lost\n" for i in range(4))
    assert chat_messages(log) == []


def test_an_org_files_headlines_are_headings_and_its_drawers_fields() -> None:
    # session 20: an Org file's "* Budget" and "** CANCELLED Underfloor heating" were list items or
    # text, its title "#+TITLE: …", and its property drawer, ending ":END:", a lead-in
    text = (
        "#+TITLE: Kitchen renovation\n#+AUTHOR: Ruth Kessler\n#+STARTUP: overview\n"
        "#+TODO: TODO WAITING | DONE CANCELLED\n\n"
        "* Budget\n  :PROPERTIES:\n  :TOTAL_BUDGET: 18500\n  :CONTINGENCY: 10%\n  :END:\n"
        "| Who | Role |\n|-----+------|\n| Lee | Plasterer |\n\n"
        "* Schedule\n** CANCELLED Underfloor heating    :floor:\n   Dropped: would have cost £1,100 extra.\n"
        "** WAITING [#A] Plastering\n   SCHEDULED: <2024-05-20 Mon>\n   Lee starts once the window is in.\n"
    )
    assert document_title(text) == "Kitchen renovation"
    blocks = parse_blocks(text)
    read = {text[b.start : b.end]: b for b in blocks}
    assert [b.kind for b in blocks if b.kind != "row"] == [
        "title",
        "heading",
        "heading",
        "heading",
        "paragraph",
        "heading",
        "paragraph",
    ]
    assert read[":TOTAL_BUDGET: 18500"].kind == "row"
    assert not read[":CONTINGENCY: 10%"].lead_in
    assert ":END:" not in read and "#+STARTUP: overview" not in read
    assert read["#+AUTHOR: Ruth Kessler"].kind == "row"
    assert read["| Lee | Plasterer |"].kind == "row"
    assert read["Dropped: would have cost £1,100 extra."].section == (
        "Kitchen renovation",
        "Schedule",
        "Underfloor heating",
    )
    assert read["Lee starts once the window is in."].section == (
        "Kitchen renovation",
        "Schedule",
        "Plastering",
    )
    assert read["SCHEDULED: <2024-05-20 Mon>"].kind == "row"  # a planning line, not the text's first words
    # with no keyword line, a line opening with stars is a list item
    assert [b.kind for b in parse_blocks("Notes\n\n* Budget\n* Schedule\n")] == ["title", "item", "item"]


def test_a_latex_sources_sectioning_names_its_headings_and_its_markup_is_no_text() -> None:
    # session 20: a paper's only heading was "\end{abstract}", under "\documentclass[11pt]{article}",
    # and "\bibliography{refs}" shared a passage with the funding sentence
    text = (
        "\\documentclass[11pt]{article}\n\\usepackage[utf8]{inputenc}\n\n"
        "\\title{Later School Start Times:\\\\ A Cohort Study}\n\\date{March 2025}\n\n"
        "\\begin{document}\n\\maketitle\n\n\\begin{abstract}\nWe studied sleep.\n\\end{abstract}\n\n"
        "\\section{Methods}\n\\subsection{Participants}\nAll pupils were invited.\n\\caption{Mean sleep}\n\n"
        "\\section*{Funding} \\label{sec:funding}\nThis work was funded by a trust.\n\n"
        "\\bibliographystyle{plain}\n\\bibliography{refs}\n\\end{document}\n"
    )
    title = "Later School Start Times: A Cohort Study"
    assert document_title(text) == title
    blocks = parse_blocks(text)
    read = {text[b.start : b.end]: b for b in blocks}
    assert [b.section[1:] for b in blocks if b.kind == "heading"] == [
        ("Methods",),
        ("Methods", "Participants"),
        ("Funding",),
    ]
    assert read["All pupils were invited.\n\\caption{Mean sleep}"].kind == "paragraph"
    assert read["This work was funded by a trust."].section == (title, "Funding")
    assert not [
        t for t in read if t.startswith(("\\begin", "\\end", "\\bibliography", "\\maketitle", "\\use"))
    ]
    # without "\documentclass" or "\begin{document}", a line opening with "\section" is text
    assert [b.kind for b in parse_blocks("Notes\n\n\\section{Methods} is a command.\n")] == [
        "title",
        "paragraph",
    ]


def test_a_saved_web_pages_furniture_is_no_text_and_its_byline_no_heading() -> None:
    # session 20: a news page was titled "Skip to main content", its byline and share row headings,
    # and its text cited under "Advertisement"
    text = (
        "Skip to main content\nHome | News | Money | Sign in\nSearch\n\n"
        'We use cookies. By clicking "Accept all" you agree. Accept all | Reject non-essential\n\n'
        "Energy > Home heating\n\nHeat pump grant rises to £7,500\n\n"
        "By Tomasz Wierzbicki, Energy correspondent\n\n"
        "Share on Facebook | Share on Twitter | Copy link\n\n"
        "Homeowners can now claim £7,500.\n\nAdvertisement\n\nThe grant applies to all heat pumps.\n"
    )
    title = "Heat pump grant rises to £7,500"
    assert document_title(text) == title
    blocks = parse_blocks(text)
    assert [(b.kind, text[b.start : b.end], b.section) for b in blocks] == [
        ("title", title, (title,)),
        ("row", "By Tomasz Wierzbicki, Energy correspondent", (title,)),
        ("paragraph", "Homeowners can now claim £7,500.", (title,)),
        ("paragraph", "The grant applies to all heat pumps.", (title,)),
    ]
    # outside a saved page, a row of short texts between "|" is no heading, nor a byline
    notes = "Notes\n\nApples | Pears | Plums\n\nWe picked them.\n\nBy Ana Lima\n\nShe wrote this.\n"
    assert [b.kind for b in parse_blocks(notes)] == ["title", "paragraph", "paragraph", "row", "paragraph"]


def test_an_issues_comment_headers_head_at_its_top_named_without_bold() -> None:
    # session 20: each "**user** commented on …" was nested under the template's "### Environment"
    text = (
        "# Uploads fail after 60 seconds #2931\n\n**kwame-asante** commented on 3 Feb 2025\n\n"
        "### Environment\n\nVersion 2.4.1 on Ubuntu.\n\n**lena-petrov** commented on 4 Feb 2025\n\nFixed in 2.4.2.\n\n"
        "octocat commented on Feb 6, 2025\n\nThanks!\n\nBob commented on the draft\n\nIt reads well.\n"
    )
    sections = {text[b.start : b.end]: b.section[1:] for b in parse_blocks(text)}
    assert sections["Version 2.4.1 on Ubuntu."] == ("kwame-asante commented on 3 Feb 2025", "Environment")
    assert sections["Fixed in 2.4.2."] == ("lena-petrov commented on 4 Feb 2025",)
    assert sections["Thanks!"] == ("octocat commented on Feb 6, 2025",)
    # a line of text saying so is no comment's header: a heading of no level, under the comment
    assert sections["It reads well."] == ("octocat commented on Feb 6, 2025", "Bob commented on the draft")


def test_a_field_at_a_lines_start_ends_the_bullet_item_above_it() -> None:
    # session 20: "Stopped: Amlodipine 5 mg" went on the last medicine's item, and "Which medication was
    # stopped?" was answered with another
    text = (
        "Medication on discharge\n- Ticagrelor 90 mg twice daily\n- GTN spray as required for chest pain\n"
        "Stopped: Amlodipine 5 mg (replaced by ramipril)\n\n"
        "Steps\n- Fill the tank with water\n  Note: use cold water\n"
    )
    read = {text[b.start : b.end]: b.kind for b in parse_blocks(text)}
    assert read["- GTN spray as required for chest pain"] == "item"
    assert read["Stopped: Amlodipine 5 mg (replaced by ramipril)"] == "paragraph"
    assert read["- Fill the tank with water\n  Note: use cold water"] == "item"  # indented, it goes on


def test_a_screenplays_character_cue_is_no_part_of_its_dialogue() -> None:
    # session 20: "ISLA" and its indentation were read into the first sentence of her line
    text = (
        "THE LAST FERRY\n\nEXT. HARBOUR - NIGHT\n\nISLA runs along the pier.\n\n"
        "                         ISLA\n               Wait! Hold the ramp!\n\n"
        "                         REV. BAIN (V.O.)\n                    (quietly)\n"
        "               I married them in\n               the Kilarrow church.\n"
    )
    read = [(text[b.start : b.end], b.lead_in) for b in parse_blocks(text) if b.kind == "paragraph"]
    assert read == [
        ("ISLA runs along the pier.", False),
        ("ISLA", True),
        ("Wait! Hold the ramp!", False),
        ("REV. BAIN (V.O.)", True),
        ("(quietly)\n               I married them in\n               the Kilarrow church.", False),
    ]
