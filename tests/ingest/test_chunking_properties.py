"""Property-based checks of reading and cutting: documents drawn from the shapes people's files have.

Hypothesis writes documents out of headings (ATX and underlined), paragraphs (one line or hard
wrapped), nested lists, Markdown tables (with and without their delimiter row), runs of fields
("Phone: …"), glossaries ("SOFA - …"), numbered clauses under a numbered heading, code fences,
block quotes, rules, inline code, a byte order mark and Windows line ends, and checks on each what
citations depend on: every chunk is its document's exact slice with the right lines, within its
token budget; every letter and digit of the text is in a chunk; and the sentences inside a chunk
are in order, inside it, never overlapping and never padded with blanks.
`PROPERTY_EXAMPLES=2000 pytest tests/ingest/test_chunking_properties.py` digs deeper: with 600 it
finds what a random fuzz of these shapes found first (session 15), pysbd placing a sentence of
marks ("? ?") one character early, inside the sentence before it (`test_sentences_never_overlap`).
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ingest.chunking import ChunkerConfig, chunk_document, units_within
from ingest.documents import make_document
from tests.conftest import FakeEmbedder, property_settings
from tests.ingest.test_chunking import check_invariants

PROPERTIES = property_settings(150)
WORDS = (
    "the", "rent", "Fee", "is", "due", "Tokyo", "alliance", "treaty", "€15", "$10", "3pm",
    "Mon-Fri", "`?page=2`", "e.g.", "U.S.", "Dr.", "No.", "—", "-", ":", "|", "a", "x", "2.1", "1.",
    "?", "!", "? ?", "?!", "**bold**", "_it_", "é", "日本", "\t",
)  # fmt: skip
ENDS = (".", ".", "?", "!", ":", "")

words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=14).map(" ".join)
sentence = st.builds(lambda w, end: w[:1].upper() + w[1:] + end, words, st.sampled_from(ENDS))
paragraph = st.lists(sentence, min_size=1, max_size=30).map(" ".join)
wrapped = st.lists(sentence, min_size=2, max_size=5).map("\n".join)
atx = st.builds(lambda n, s: "#" * n + " " + s, st.integers(1, 6), sentence)
underlined = st.builds(lambda s, mark: f"{s}\n{mark * max(3, len(s))}", sentence, st.sampled_from("=-~"))
MARKERS = ("- ", "* ", "• ", "1. ", "2) ", "  - ", "    - ")
item = st.builds(
    lambda m, s, more: m + s + more, st.sampled_from(MARKERS), sentence, st.sampled_from(["", " Then more."])
)
bullets = st.lists(item, min_size=1, max_size=6).map("\n".join)
cell = sentence.map(lambda s: s.replace("|", "/")[:20])


@st.composite
def table(draw: st.DrawFn) -> str:
    columns = draw(st.integers(1, 4))
    rows = ["| " + " | ".join(draw(cell) for _ in range(columns)) + " |"]
    if draw(st.booleans()) or draw(st.booleans()):  # mostly a real table, sometimes "|tag|" prose
        rows.append(
            "|" + "|".join(draw(st.sampled_from(["---", ":--", "--:", ":-:"])) for _ in range(columns)) + "|"
        )
    for _ in range(draw(st.integers(0, 8))):
        rows.append("| " + " | ".join(draw(cell) for _ in range(draw(st.integers(1, columns + 1)))) + " |")
    return "\n".join(rows)


KEYS = ("Phone", "From", "Date", "Q", "A", "Opening hours", "Key term")
field = st.builds(
    lambda k, s, folded: f"{k}: {s}{folded}",
    st.sampled_from(KEYS),
    paragraph.map(lambda p: p[:160]),
    st.sampled_from(["", "\n   and a folded line."]),
)
fields = st.lists(field, min_size=1, max_size=5).map("\n".join)
definition = st.builds(
    lambda t, d, s: f"{t} {d} {s}",
    st.sampled_from(["SOFA", "Ana Lima", "ACSA"]),
    st.sampled_from("-–—"),
    sentence,
)
glossary = st.lists(definition, min_size=1, max_size=5).map("\n".join)
clauses = st.builds(
    lambda n, title, body: f"{n}. {title}\n" + "\n".join(f"{n}.{i + 1} {s}" for i, s in enumerate(body)),
    st.integers(1, 9),
    st.sampled_from(["RENT", "TERM AND RENT", "Introduction"]),
    st.lists(sentence, min_size=1, max_size=4),
)
fence = st.builds(
    lambda lang, lines, closed: f"```{lang}\n" + "\n".join(lines) + ("\n```" if closed else ""),
    st.sampled_from(["", "python"]),
    st.lists(st.one_of(sentence, sentence.map(lambda s: "# " + s)), max_size=4),
    st.booleans(),
)
other = st.one_of(
    st.sampled_from(["---", "***", "    an indented code line", "<!-- a comment -->"]),
    sentence.map(lambda s: "> " + s),
    st.integers(1, 600).map(lambda n: "x" * n),  # one word longer than any budget
)
block = st.one_of(
    paragraph, wrapped, atx, underlined, bullets, table(), fields, glossary, clauses, fence, other
)


@st.composite
def documents(draw: st.DrawFn) -> str:
    title = draw(sentence)
    parts = draw(
        st.lists(
            st.tuples(st.sampled_from(["\n\n", "\n", "\n\n\n", "\n \n"]), block), min_size=1, max_size=20
        )
    )
    text = title + "".join(gap + part for gap, part in parts) + draw(st.sampled_from(["", "\n"]))
    if draw(st.booleans()) and draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    if draw(st.booleans()) and draw(st.booleans()):
        text = "\ufeff" + text
    return text


@PROPERTIES
@given(text=documents(), budget=st.sampled_from([16, 40, 128]))
def test_any_document_is_cut_into_exact_covering_chunks_of_ordered_sentences(text: str, budget: int) -> None:
    count = FakeEmbedder().count_tokens
    doc = make_document("d", text.encode("utf-8"))
    chunks = chunk_document(doc, ChunkerConfig(max_tokens=budget), count)
    check_invariants(doc, chunks, budget, count, marks=False)
    for chunk in chunks:
        units = units_within(doc.text, chunk.start, chunk.end)
        assert units, chunk.text
        edge = chunk.start
        for start, end, _heading in units:
            assert edge <= start < end <= chunk.end
            assert doc.text[start:end] == doc.text[start:end].strip()
            edge = end
