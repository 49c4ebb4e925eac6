from __future__ import annotations

import itertools
import re
from collections.abc import Callable

import pytest

from alliance_qa.errors import InputError
from ingest.chunking import Chunk, ChunkerConfig, chunk_document, units_within
from ingest.documents import Document, make_document, read_corpus
from ingest.sentences import split_sentences
from ingest.structure import LIST_ITEM, cue_paragraphs, parse_blocks
from ingest.tokens import WordPieceCounter
from tests.conftest import FIXTURE_CORPUS, REAL_CORPUS, FakeEmbedder

LIST_LINE = re.compile(LIST_ITEM.pattern, re.MULTILINE)


@pytest.fixture(scope="module")
def wordpieces() -> WordPieceCounter:
    from index.embedder import default_model_path

    return WordPieceCounter(default_model_path())


def check_invariants(
    doc: Document, chunks: list[Chunk], budget: int, count: Callable[[str], int], *, marks: bool = True
) -> None:
    """The properties citations depend on, for one document; with `marks=False` only its letters
    and digits need be in a chunk (a rule or an underline is no text, an HTML comment neither)."""
    covered = [False] * len(doc.text)
    line_starts = [0] + [m.end() for m in re.finditer("\n", doc.text)]
    grows = [(b.start, b.end) for b in parse_blocks(doc.text) if b.kind in ("item", "row")]
    for chunk in chunks:
        assert doc.text[chunk.start : chunk.end] == chunk.text
        assert chunk.n_tokens == count(chunk.text)
        # a list or table (or a run of fields) with its lead-in may grow to the list budget;
        # everything else keeps the budget
        listed = LIST_LINE.search(chunk.text) or any(s < chunk.end and chunk.start < e for s, e in grows)
        limit = ChunkerConfig(max_tokens=budget).list_max_tokens if listed else budget
        assert chunk.n_tokens <= limit or len(chunk.text.split()) == 1
        assert chunk.line_start == doc.text.count("\n", 0, chunk.start) + 1
        assert chunk.line_end == doc.text.count("\n", 0, chunk.end - 1) + 1
        assert line_starts[chunk.line_start - 1] <= chunk.start
        for i in range(chunk.start, chunk.end):
            covered[i] = True
    for comment in () if marks else re.finditer(r"<!--.*?-->", doc.text, re.DOTALL):
        covered[comment.start() : comment.end()] = [True] * (comment.end() - comment.start())
    missing = [
        i for i, ch in enumerate(doc.text) if not covered[i] and (not ch.isspace() if marks else ch.isalnum())
    ]
    assert missing == [], f"uncovered text: {doc.text[missing[0] : missing[0] + 40]!r}"
    assert len({c.chunk_id for c in chunks}) == len(chunks)


def block_sentences(doc: Document) -> list[tuple[int, int]]:
    """Every sentence of every block (a heading or list item counts as one block)."""
    return [
        span
        for block in parse_blocks(doc.text)
        for span in split_sentences(doc.text[block.start : block.end], offset=block.start)
    ]


def check_sentences_whole(doc: Document, chunks: list[Chunk], long_sentences: set[tuple[int, int]]) -> None:
    """A chunk boundary never falls inside a sentence, except inside an over-long one."""
    sentences = block_sentences(doc)
    for chunk in chunks:
        for edge in (chunk.start, chunk.end):
            inside = [s for s in sentences if s[0] < edge < s[1]]
            assert all(s in long_sentences for s in inside), f"sentence cut at {edge}: {inside}"


@pytest.mark.parametrize("budget", [32, 64, 128, 254])
def test_real_corpus_invariants(budget: int, wordpieces: WordPieceCounter) -> None:
    for doc in read_corpus(REAL_CORPUS):
        chunks = chunk_document(doc, ChunkerConfig(max_tokens=budget), wordpieces)
        check_invariants(doc, chunks, budget, wordpieces)
        long_ones = {s for s in block_sentences(doc) if wordpieces(doc.text[s[0] : s[1]]) > budget}
        check_sentences_whole(doc, chunks, long_ones)


@pytest.mark.parametrize("overlap", [0, 1, 2])
def test_fixture_invariants_with_overlap(overlap: int) -> None:
    count = FakeEmbedder().count_tokens
    for doc in read_corpus(FIXTURE_CORPUS):
        chunks = chunk_document(doc, ChunkerConfig(max_tokens=40, overlap_sentences=overlap), count)
        check_invariants(doc, chunks, 40, count)


def test_overlap_repeats_the_last_sentence() -> None:
    count = FakeEmbedder().count_tokens
    text = "Title\n\n" + " ".join(f"Sentence number {i} is here." for i in range(12)) + "\n"
    doc = Document("d", "Title", text, "x", len(text))
    plain = chunk_document(doc, ChunkerConfig(max_tokens=20, overlap_sentences=0), count)
    overlapped = chunk_document(doc, ChunkerConfig(max_tokens=20, overlap_sentences=1), count)
    assert all(a.end <= b.start for a, b in itertools.pairwise(plain))
    assert any(b.start < a.end for a, b in itertools.pairwise(overlapped))


def test_an_over_long_sentence_is_split_at_word_boundaries() -> None:
    count = FakeEmbedder().count_tokens
    doc = next(d for d in read_corpus(FIXTURE_CORPUS) if d.doc_id == "lighthouse-notes")
    chunks = chunk_document(doc, ChunkerConfig(max_tokens=30), count)
    long_start = doc.text.index("The report noted")
    pieces = [c for c in chunks if c.start >= long_start]
    assert len(pieces) > 1
    for piece in pieces:
        assert count(piece.text) <= 30
        assert doc.text[piece.start - 1].isspace() and (
            piece.end == len(doc.text) or doc.text[piece.end].isspace()
        )


def test_a_list_may_exceed_the_prose_budget_to_stay_whole() -> None:
    count = FakeEmbedder().count_tokens
    doc = next(d for d in read_corpus(FIXTURE_CORPUS) if d.doc_id == "harbour-pact")
    whole = chunk_document(doc, ChunkerConfig(max_tokens=30, list_max_tokens=120), count)
    holder = [c for c in whole if "Key provisions of the pact include:" in c.text]
    assert len(holder) == 1 and "standing commission" in holder[0].text
    assert 30 < holder[0].n_tokens <= 120
    cut = chunk_document(doc, ChunkerConfig(max_tokens=30, list_max_tokens=30), count)
    assert all(c.n_tokens <= 30 for c in cut)
    assert not any("include:" in c.text and "standing commission" in c.text for c in cut)


def test_a_list_stays_with_its_lead_in() -> None:
    count = FakeEmbedder().count_tokens
    doc = next(d for d in read_corpus(FIXTURE_CORPUS) if d.doc_id == "harbour-pact")
    chunks = chunk_document(doc, ChunkerConfig(max_tokens=80), count)
    holder = [c for c in chunks if "Key provisions of the pact include:" in c.text]
    assert len(holder) == 1
    assert "Shared patrols" in holder[0].text and "standing commission" in holder[0].text


def test_chunks_carry_their_heading_path_and_are_stable() -> None:
    count = FakeEmbedder().count_tokens
    doc = next(d for d in read_corpus(FIXTURE_CORPUS) if d.doc_id == "harbour-pact")
    first = chunk_document(doc, ChunkerConfig(max_tokens=40), count)
    again = chunk_document(doc, ChunkerConfig(max_tokens=40), count)
    assert [c.chunk_id for c in first] == [c.chunk_id for c in again]
    criticism = next(c for c in first if "too vague" in c.text)
    assert criticism.section == ("The Harbour Pact: A Small Test Treaty", "Criticism")
    assert criticism.n_tokens_cl100k > 0


@pytest.mark.parametrize("budget", [8, 255, 1000])
def test_budgets_past_the_window_are_refused(budget: int) -> None:
    with pytest.raises(InputError, match="max_tokens"):
        ChunkerConfig(max_tokens=budget)


def test_a_hard_wrapped_text_is_cut_into_whole_sentences(tmp_path) -> None:
    from ingest.documents import read_document
    from tests.ingest.test_structure import WRAPPED

    path = tmp_path / "tea.txt"
    path.write_text(WRAPPED, encoding="utf-8")
    doc = read_document(path)
    count = FakeEmbedder().count_tokens
    chunks = chunk_document(doc, ChunkerConfig(max_tokens=40), count)
    check_invariants(doc, chunks, 40, count)
    check_sentences_whole(doc, chunks, set())
    sentences = [
        doc.text[s:e] for chunk in chunks for s, e, heading in units_within(doc.text, chunk.start, chunk.end)
    ]
    # a line break inside a sentence is no end of it (pysbd alone ends one at every line break)
    assert "Boiling water makes\nthe tea bitter." in sentences
    assert "Green tea can be\ninfused several times." in sentences
    assert "Green tea reached Japan in the ninth century, brought by\nBuddhist monks." in sentences
    assert "• Heat the water to eighty degrees and pour it over the leaves in a\n    warmed pot." in sentences
    # the first chunk, title and first heading at its head, is under that heading
    assert chunks[0].text.startswith("Notes on Tea") and chunks[0].section == ("Notes on Tea", "Preparation")


def hard_wrap(text: str, width: int) -> str:
    """`text` with every line of prose longer than `width` broken at spaces, as an editor wraps
    it (titles and headings stay on their lines): each break replaces one space, so every offset
    is kept."""
    headings = {text[b.start : b.end] for b in parse_blocks(text) if b.kind in ("title", "heading")}
    out = []
    for line in text.split("\n"):
        if line.strip() in headings:
            out.append(line)
            continue
        chars, start = list(line), 0
        while len(line) - start > width:
            cut = line.rfind(" ", start, start + width)
            if cut <= start:
                break
            chars[cut] = "\n"
            start = cut + 1
        out.append("".join(chars))
    return "\n".join(out)


@pytest.mark.parametrize("width", [40, 72])
@pytest.mark.parametrize("corpus", [FIXTURE_CORPUS, REAL_CORPUS], ids=["fixture", "real"])
def test_a_hard_wrapped_copy_is_cut_exactly_as_the_original(corpus, width: int) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from ingest.chunking import units_within

    count = FakeEmbedder().count_tokens
    for doc in read_corpus(corpus):
        wrapped = replace(doc, text=hard_wrap(doc.text, width))
        assert wrapped.text != doc.text and len(wrapped.text) == len(doc.text)
        plain = chunk_document(doc, ChunkerConfig(), count)
        rewrapped = chunk_document(wrapped, ChunkerConfig(), count)
        assert [(c.start, c.end, c.section) for c in rewrapped] == [
            (c.start, c.end, c.section) for c in plain
        ]
        for chunk in plain:
            assert units_within(wrapped.text, chunk.start, chunk.end) == units_within(
                doc.text, chunk.start, chunk.end
            )


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("**Writes.** Set the key. Then go.", ["**Writes.**", "Set the key.", "Then go."]),
        ("_Note._ Read this.", ["_Note._ Read this."]),
        ('He said "stop." Then left.', ['He said "stop."', "Then left."]),
        ("It is “done.” Next.", ["It is “done.”", "Next."]),
    ],
)
def test_marks_closing_a_sentence_stay_with_it(text: str, sentences: list[str]) -> None:
    spans = split_sentences(text, offset=3)
    assert [text[s - 3 : e - 3] for s, e in spans] == sentences


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        (
            "- `GET /widgets` lists widgets, 20 per page; pass `?page=2` for more.",
            ["- `GET /widgets` lists widgets, 20 per page; pass `?page=2` for more."],  # was cut at "`?"
        ),
        ("Run `make test`. Then run `ls -la`. Done?", ["Run `make test`.", "Then run `ls -la`.", "Done?"]),
        ("Call `foo()`? Yes. Then `a.b()` now.", ["Call `foo()`?", "Yes.", "Then `a.b()` now."]),
        ("Use ``a ` b? c``! Next one.", ["Use ``a ` b? c``!", "Next one."]),
    ],
)
def test_no_sentence_ends_inside_inline_code(text: str, sentences: list[str]) -> None:
    assert [text[s:e] for s, e in split_sentences(text)] == sentences


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        # session 17: cut at "(a)" and "(b)", the answer about the cap stopped at "the greater of"
        (
            "Our liability is limited to the greater of (a) the fees you paid and (b) €100. Next.",
            ["Our liability is limited to the greater of (a) the fees you paid and (b) €100.", "Next."],
        ),
        (
            '"control" means (i) the power, or (ii) ownership.',
            ['"control" means (i) the power, or (ii) ownership.'],
        ),
        # after a lead-in, or on lines of their own, enumerated parts stay sentences of their own
        ("We may suspend it if: (a) you breach it; (b) you pay late.", None),
        ("We may suspend it if\n(a) you breach it\n(b) you pay late.", None),
    ],
)
def test_an_enumeration_inside_a_sentence_does_not_end_it(text: str, sentences: list[str] | None) -> None:
    found = [text[s:e] for s, e in split_sentences(text)]
    if sentences is None:
        assert len(found) > 1 and any(f.startswith("(b)") for f in found)
    else:
        assert found == sentences


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        # session 18: a lab report's row was cut at "no.", and "Lab no." answered "What is the likely
        # diagnosis according to the lab comment?"
        (
            "Lab no.:      25-155-0371              Reported:  03/06/2025 14:47",
            ["Lab no.:      25-155-0371              Reported:  03/06/2025 14:47"],
        ),
        ("When using phditto/phinows/etc., if you are using a font. Then.", None),
        # a line opening with ":" (a Vim command) stays a sentence of its own
        ("Quit without writing.\n:q!", ["Quit without writing.", ":q!"]),
    ],
)
def test_no_sentence_opens_with_a_colon_or_a_comma(text: str, sentences: list[str] | None) -> None:
    found = [text[s:e] for s, e in split_sentences(text)]
    if sentences is None:
        assert len(found) == 2 and found[0].endswith("a font.")
    else:
        assert found == sentences


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        # pysbd placed "? ?" one mark early, inside the sentence before it
        ("Is it done ? ? ? Yes.", ["Is it done ?", "? ?", "Yes."]),
        ("Wait ! ! ! Go.", ["Wait !", "! !", "Go."]),
        ("Yes. No. Yes. Maybe.", ["Yes.", "No.", "Yes.", "Maybe."]),  # a repeated sentence in its place
    ],
)
def test_sentences_never_overlap(text: str, sentences: list[str]) -> None:
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == sentences
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


def test_a_long_paragraph_is_segmented_in_parts_into_the_same_sentences(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import ingest.sentences as sentences

    sentences._spans.cache_clear()
    seen: list[int] = []
    segment = sentences._segmenter().segment
    monkeypatch.setattr(
        sentences._segmenter(), "segment", lambda text: seen.append(len(text)) or segment(text)
    )
    said = [f"Dr. Smith met {i} U.S. officials in the harbour office today." for i in range(300)]
    text = " ".join(said)  # 18,000 characters, every sentence with an abbreviation a cut must avoid
    assert len(text) > 4 * sentences.SEGMENT_CHARS
    assert [text[s:e] for s, e in split_sentences(text)] == said
    assert len(seen) > 4 and max(seen) <= sentences.SEGMENT_CHARS  # pysbd never saw the whole
    sentences._spans.cache_clear()


def test_cutting_many_documents_reports_progress_in_a_log(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from alliance_qa import progress
    from ingest.chunking import chunk_documents
    from ingest.documents import make_document

    monkeypatch.setattr(progress, "LOG_DELAY", 0.0)
    monkeypatch.setattr(progress, "LOG_EVERY", 0.0)
    docs = [
        make_document(f"d{i}", f"Note {i}\n\nThe harbour froze in {1880 + i}.\n".encode()) for i in range(3)
    ]
    quiet = chunk_documents(docs, ChunkerConfig(), lambda t: len(t.split()))
    shown = chunk_documents(docs, ChunkerConfig(), lambda t: len(t.split()), progress=True)
    assert shown == quiet
    err = capsys.readouterr().err
    assert "Cutting 3 documents:" in err and "3/3" in err.splitlines()[-1]


def test_a_byte_order_mark_shifts_every_chunk_by_one_and_changes_nothing_else() -> None:
    count = FakeEmbedder().count_tokens
    for doc in read_corpus(FIXTURE_CORPUS):
        marked_text = "\ufeff" + doc.text
        marked = make_document(doc.doc_id, marked_text.encode("utf-8"))
        assert marked.title == doc.title
        plain = chunk_document(doc, ChunkerConfig(max_tokens=40), count)
        chunks = chunk_document(marked, ChunkerConfig(max_tokens=40), count)
        assert [(c.text, c.start - 1, c.end - 1, c.line_start, c.line_end, c.section) for c in chunks] == [
            (c.text, c.start, c.end, c.line_start, c.line_end, c.section) for c in plain
        ]
        assert all(marked_text[c.start : c.end] == c.text for c in chunks)


def test_a_table_is_kept_with_its_lead_in_and_a_long_one_cut_between_rows(
    wordpieces: WordPieceCounter,
) -> None:
    rows = "".join(f"| Port {i} | Pier {i}. Berths {i % 7}. | {i * 3} tonnes |\n" for i in range(80))
    text = f"Harbour tables\n\nThe ports we serve:\n| Port | Pier | Limit |\n|---|---|---|\n{rows}\nThat is all.\n"
    doc = make_document("ports", text.encode("utf-8"))
    chunks = chunk_document(doc, ChunkerConfig(), wordpieces)
    check_invariants(doc, chunks, ChunkerConfig().max_tokens, wordpieces)
    row_spans = {(b.start, b.end) for b in parse_blocks(text) if b.kind == "row"}
    assert len(row_spans) == 81
    for chunk in chunks:  # every chunk edge falls between rows, never inside one
        for edge in (chunk.start, chunk.end):
            assert not any(s < edge < e for s, e in row_spans)
    assert chunks[0].text.startswith("Harbour tables\n\nThe ports we serve:\n| Port | Pier | Limit |")
    assert len(chunks) > 2

    small = make_document(
        "small", b"Fees\n\nThe fees are:\n| Size | Fee |\n|---|---|\n| Small | $5 |\n| Large | $9 |\n"
    )
    [whole] = chunk_document(small, ChunkerConfig(max_tokens=16), wordpieces)  # a table stays whole
    assert whole.text.endswith("| Large | $9 |")


def test_a_fields_value_is_cut_into_sentences_but_a_table_row_is_not() -> None:
    text = (
        "FAQ\n\nQ: Which cards do you accept?\nA: We accept Visa. PayPal is not supported.\n\n"
        "| Card | Note |\n|---|---|\n| Visa | Fees apply. Ask first. |\n"
    )
    units = [text[s:e] for s, e, _ in units_within(text, 0, len(text))]
    assert units[1:] == [
        "Q: Which cards do you accept?",
        "A: We accept Visa.",  # "Is PayPal accepted?" is answered by the next sentence alone
        "PayPal is not supported.",
        "| Card | Note |",
        "| Visa | Fees apply. Ask first. |",  # a row's cells are never cut
    ]


def test_a_reference_entry_is_one_unit() -> None:
    # session 18: "[2] Wohlleben, P. (2016)." was cut from its title and publisher, and "who wrote
    # the hidden life of trees" was answered "The Hidden Life of Trees."
    text = "Paper\n\nReferences\n\n[2] Wohlleben, P. (2016). The Hidden Life of Trees. Greystone Books.\n"
    units = [text[s:e] for s, e, _ in units_within(text, 0, len(text))]
    assert units[2:] == ["[2] Wohlleben, P. (2016). The Hidden Life of Trees. Greystone Books."]


def test_a_rule_ends_a_chunk() -> None:
    # session 18: a troubleshooting page's entries, "---" between them, ran into each other's chunks
    # ("Clean the printhead…" over "**Symptom:** Every second label is blank.")
    entry = "**Symptom:** The light blinks {0}.\n**Cause:** The roll is {0}.\n**Fix:** Reseat the {0} roll.\n"
    text = (
        "# LP-400\n\nEntries.\n\n---\n\n"
        + "\n---\n\n".join(entry.format(w) for w in ("red", "blue"))
        + "\n---\n"
    )
    doc = make_document("lp400", text.encode())
    chunks = chunk_document(doc, ChunkerConfig(), lambda t: len(t.split()))
    assert [c.text.split("\n")[0] for c in chunks] == [
        "# LP-400",
        "**Symptom:** The light blinks red.",
        "**Symptom:** The light blinks blue.",
    ]
    # an underline is no rule: "Changes" over "-------" stays with its text
    underlined = make_document("u", b"Notes\n\nChanges\n-------\n\nFixed a crash.\n")
    assert [c.text for c in chunk_document(underlined, ChunkerConfig(), lambda t: len(t.split()))] == [
        "Notes\n\nChanges\n-------\n\nFixed a crash."
    ]


def test_a_question_and_its_answer_share_a_chunk(wordpieces: WordPieceCounter) -> None:
    # session 19: a form's question ended one chunk and its one-line answer opened the next
    filler = " ".join(f"Sentence {i} of the answer goes on about the repair café." for i in range(12))
    text = f"Grant form\n\n1.1 Describe the project (max 250 words)\n{filler}\n\n1.2 How much do you ask for?\n£4,500\n"
    doc = make_document("form", text.encode())
    chunks = chunk_document(doc, ChunkerConfig(max_tokens=64), wordpieces)
    assert any("How much do you ask for?\n£4,500" in c.text for c in chunks)
    assert any("(max 250 words)\nSentence 0 of the answer" in c.text for c in chunks)


def test_a_tables_header_row_and_its_underline_open_a_chunk_with_a_row(wordpieces: WordPieceCounter) -> None:
    # session 19: a fixture list's header row, underlined by a hundred dashes (a hundred word pieces),
    # ended a chunk alone, its rows cut from it
    header = "DATE        DAY  OPPONENT                          H/A  RESULT\n" + "-" * 100 + "\n"
    rows = "".join(
        f"{d:02d}/08/2025  Sat  Ashby Rovers Football Club        H    W {d}-0\n" for d in range(1, 20)
    )
    text = f"Fixtures\n\nKO 3pm unless stated. Any errors let me know!\n\n{header}{rows}"
    chunks = chunk_document(make_document("fixtures", text.encode()), ChunkerConfig(), wordpieces)
    assert any("H/A  RESULT" in c.text and "01/08/2025" in c.text for c in chunks)
    assert not any(c.text.rstrip().endswith(("H/A  RESULT", "-" * 100)) for c in chunks)


def test_a_subtitles_sentence_ends_where_its_cue_does() -> None:
    # session 21: a sentence going on from one cue to the next held the cue's number and timing line
    # ("…its centre at about thirty-five degrees,⏎⏎00:01:03.600 --> 00:01:06.900⏎even when…"), and
    # so did the answer
    srt = (
        "1\n00:00:01,000 --> 00:00:04,000\n[gentle music]\n\n"
        "2\n00:00:46,000 --> 00:00:50,200\nNARRATOR: Honeybees live differently.\nA hive may hold fifty thousand bees\n\n"
        "3\n00:00:50,400 --> 00:00:54,000\nat the height of summer.\n\n"
        "4\n00:00:59,000 --> 00:01:03,400\nThe cluster keeps its centre warm.\n"
    )
    units = [srt[s:e] for s, e, _ in units_within(srt, 0, len(srt))]
    assert units == [
        "[gentle music]",
        "NARRATOR: Honeybees live differently.",
        "A hive may hold fifty thousand bees",
        "at the height of summer.",
        "The cluster keeps its centre warm.",
    ]
    # ... and one paragraph still, which the cues' sentences are read with (`cue_paragraphs`)
    assert [srt[s:e] for s, e in cue_paragraphs(srt)] == [
        "NARRATOR: Honeybees live differently.\nA hive may hold fifty thousand bees\n\n"
        "3\n00:00:50,400 --> 00:00:54,000\nat the height of summer."
    ]
    assert cue_paragraphs("A hive may hold fifty thousand bees\nat the height of summer.\n") == []
    # a chunk ending or opening inside such a paragraph cuts its sentences the same way
    end = srt.index("thousand bees") + len("thousand bees")
    assert [srt[s:e] for s, e, _ in units_within(srt, 0, end)][-1] == "A hive may hold fifty thousand bees"
    start = srt.index("at the height")
    assert [srt[s:e] for s, e, _ in units_within(srt, start, len(srt))] == [
        "at the height of summer.",
        "The cluster keeps its centre warm.",
    ]
