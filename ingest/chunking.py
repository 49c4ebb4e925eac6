"""Pack whole sentences into chunks under a token budget, keeping exact source offsets."""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from alliance_qa.errors import InputError
from alliance_qa.progress import progress as progress_bar
from ingest.documents import Document
from ingest.sentences import split_sentences
from ingest.structure import REFERENCE_ENTRY, TABLE_ROW, Block, parse_blocks
from ingest.tokens import TokenCounter, count_cl100k

MODEL_WINDOW = 256  # all-MiniLM-L6-v2 reads 256 word pieces, [CLS] and [SEP] included
SPECIAL_TOKENS = 2
LAYOUT = 14  # the version of how documents are read into blocks; see ChunkerConfig.layout
# a reference's entry up to this long is one unit, as a table row is: "[2] Wohlleben, P. (2016). The
# Hidden Life of Trees. Greystone Books." (session 18: cut at "(2016).", its title answered "who wrote
# the hidden life of trees" without the author); a longer one is cut into sentences like any text
MAX_REFERENCE_CHARS = 400


# a Markdown rule between two blocks, "---", "* * *": it ends a chunk as a heading does (session 18:
# a troubleshooting page's entries, "---" between them, ran into each other's chunks)
# a blank line over it: right under a line of text it underlines a heading ("Changes" over "-------")
THEMATIC_BREAK = re.compile(r"\n[ \t]*\r?\n {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*\r?$", re.MULTILINE)


@dataclass(frozen=True)
class ChunkerConfig:
    """How documents are cut: budget in embedder tokens, and sentences repeated between chunks."""

    max_tokens: int = 128
    overlap_sentences: int = 1  # tuned on the dev questions: hybrid hit@1 .80 → .83, MRR@10 .86 → .88
    # a list with its lead-in (and the section's opening) may grow to this, so it is not cut apart
    list_max_tokens: int = 254
    # how documents are read into blocks (`ingest.structure.parse_blocks`): 2 reads the lines of a
    # hard-wrapped paragraph as one, and Markdown headings by their names (session 10); 3 reads every
    # ATX line as a heading, a fenced code block as one block whose "# comment" lines are no headings,
    # a line indented as code as no heading, and keeps the marks closing a sentence with it
    # ("**Writes.**"; `ingest.sentences`); front matter, HTML comments and tags, and link definitions
    # are no text; an underline under several lines is a rule, not a heading; a numbered line standing
    # alone over text heads a section ("1. Introduction") (session 11); 4 names a title or heading in
    # at most 200 characters (`ingest.structure.heading_label`, session 12); 5 reads each row of a
    # Markdown table as a block of its own, kept with the table and its lead-in like a list, and 6
    # each line of a run of fields ("Phone: 023 9200 1234") or of definitions ("SOFA - Status of
    # Forces Agreement") the same way (its value cut into sentences, where a table row is never cut),
    # a clause numbered by its section ("2.1 The rent is…") as an item and "2. RENT" over it as a
    # heading, and ends no sentence inside inline code ("pass `?page=2`") (session 14); 7 names a
    # heading without Markdown's images and link targets ("## [3.4.0](https://…) (2024-10-08)" is
    # "3.4.0 (2024-10-08)") or inline HTML tags ("<a name=\"set\"></a>"), and cuts a paragraph over
    # 4,000 characters into parts before pysbd (session 15); 8 reads a run of "# comment" lines right
    # under each other as text, not headings, a field listing three or more values standing alone
    # ("Attendees: Priya, Jonas, Maria, Tom") as text, a numbered title right over its text ("1.
    # Postgres upgrade" over "The upgrade…") as a heading, and each line of a run of three or more
    # records (comma-separated values; "Week 1 (Sep 1): …" lines) as a block of its own (session 16);
    # 9 names every heading over a block, not only the innermost ("Tern 4.2.0 › Fixes"), and reads a
    # numbered line a blank line over its first clause ("3. FEES" over "3.1 Plans…") as a heading
    # even under another section's clauses, and ends no sentence at an enumeration inside it ("…the
    # greater of (a) the fees and (b) €100."; `ingest.sentences`); a manual page's section name in
    # capitals over its indented text ("NAME") is a heading, and a line under a comma ("Thanks," over
    # "Dana") never is, nor a field standing alone that gives a date, an address or a figure ("Last
    # updated: 1 February 2025"), and reads each line of a log or of a fixed-width or tab-separated
    # table as a block of its own (session 17); 10 reads each line of a chat ("[10:42] marta.k: …")
    # as a block of its own, as a log's; a sentence inside emphasis ("*Served 12:00–15:00.*") and a
    # Japanese line under its English one ("。" closes a sentence) as no heading; a reference's entry
    # ("[2] Wohlleben, P. (2016). …", one unit) or a note's ("(1) Mesh barriers…") and a statute's
    # "(a)", "(ii)" as list items, nested by indent; "2.1 Study sites" over its text as a heading
    # under "2 Methods"; a bold label ("**Cause:** …") as a field; AsciiDoc's "==" headings by level,
    # its ":icons: font" as a row; a page's footer ("… [Page 2]") and running header as no text; it
    # starts no sentence with ":" or "," ("Lab no.: 25-155", `ingest.sentences`) and ends a chunk at
    # a rule ("---") (session 18); 11 reads a line standing alone closed by an aside ("ERRATA
    # (updated 9 Jan 2024)") as a heading, and one boxed by rules ("-----" over and under it), but
    # never a stage direction ("[MUSIC: gulls, fade under]"), nor a form's answer under its question
    # ("1.6 When was your organisation set up?" over "March 2022"), a block of its own led in by the
    # question; a line in capitals over a figure ("GAUGE" over "20 sts…") or any short line over rows
    # as a heading, and a run of definitions in lower case ("k2tog - knit 2 together") as rows; a line
    # giving an email or web address, a date in emphasis ("*Mar 2018 – May 2021*") or a field with no
    # space after its colon ("…yrs:Yes") as no heading, and a page's number ("Page 2 of 2") as no
    # text; each line of a fixed-width table of two or three columns as a block of its own, a rule
    # inside it (a header's underline, a total's) going on with it; a fixed-width or comma-separated
    # table's header row (underlined, or with no digit over a row with one) named as its rows' header
    # (`ingest.structure.table_header`) and, as a Markdown table's, the lead-in of its rows (session 19);
    # 12 reads a PDF's running headers and footers, subtitle cues, chat exports, Org-mode, LaTeX, saved
    # web pages and BibTeX (session 20); 13 ends a subtitle's sentence where its cue ends, though its
    # paragraph goes on to the next cue (`Block.gaps`), so no sentence holds a timing line (session 21);
    # 14 reads a numbered line boxed by rules ("-----" over "5. DOGS" over "-----") as a heading, as
    # any other boxed line (session 24).
    # An index built before records another (or none), so it is stale and `alliance-qa ingest
    # --if-stale` (and `make run`) rebuild it.
    layout: int = LAYOUT

    def __post_init__(self) -> None:
        if self.layout != LAYOUT:
            raise InputError(
                f"layout={self.layout}: this alliance-qa reads documents one way, layout {LAYOUT}; "
                "rebuild the index with `alliance-qa ingest`"
            )
        if not 16 <= self.max_tokens <= MODEL_WINDOW - SPECIAL_TOKENS:
            raise InputError(
                f"max_tokens={self.max_tokens} is outside 16..{MODEL_WINDOW - SPECIAL_TOKENS}: "
                "the model silently drops text past its 256-token window"
            )
        if not self.max_tokens <= self.list_max_tokens <= MODEL_WINDOW - SPECIAL_TOKENS:
            raise InputError(
                f"list_max_tokens={self.list_max_tokens} is outside {self.max_tokens}.."
                f"{MODEL_WINDOW - SPECIAL_TOKENS}: it is at least max_tokens and within the window"
            )
        if not 0 <= self.overlap_sentences <= 5:
            raise InputError(f"overlap_sentences={self.overlap_sentences} is outside 0..5")


@dataclass(frozen=True)
class Chunk:
    """A passage of one document: `document.text[start:end] == text`, always."""

    doc_id: str
    chunk_id: str  # stable: hash of the document's content and the span
    text: str
    start: int  # code-point offsets into the document text
    end: int
    line_start: int  # 1-based, inclusive
    line_end: int
    section: tuple[str, ...]  # heading path: title › heading
    n_tokens: int  # embedding-model word pieces, no special tokens
    n_tokens_cl100k: int  # tiktoken cl100k_base, for packing LLM prompts


@dataclass(frozen=True)
class _Unit:
    """The smallest piece a chunk boundary may fall between: a sentence, item or heading."""

    start: int
    end: int
    block: Block


def _units(text: str, blocks: Sequence[Block], start: int = 0, end: int | None = None) -> list[_Unit]:
    """The units of `blocks` (in order) inside `[start, end)`: a title, heading, table row or
    reference entry whole, other blocks cut into sentences."""
    end = len(text) if end is None else end
    units: list[_Unit] = []
    for block in blocks:
        if block.start >= end:
            break
        lo, hi = max(block.start, start), min(block.end, end)
        if lo >= hi:
            continue
        # a table row is one unit, whatever its cells hold; a field's value ("A: We accept Visa.
        # PayPal is not supported.") is cut into sentences like any text
        if (
            block.kind in ("title", "heading")
            or (block.kind == "row" and TABLE_ROW.match(text[lo:hi]))
            or (
                block.kind == "item"
                and lo == block.start
                and hi - lo <= MAX_REFERENCE_CHARS
                and REFERENCE_ENTRY.match(text[lo:hi])
            )
        ):
            units.append(_Unit(lo, hi, block))
        else:
            units.extend(
                _Unit(s, e, block)
                for a, b in _cue_texts(block, lo, hi)
                for s, e in split_sentences(text[a:b], offset=a)
            )
    return units


def _cue_texts(block: Block, start: int, end: int) -> list[tuple[int, int]]:
    """The parts of `block` inside `[start, end)` that sentences are cut from: the whole, or, in a
    paragraph of subtitles, each cue's text, so a sentence ends where its cue does (session 21: the
    answer "…its centre at about thirty-five degrees,⏎⏎00:01:03.600 --> 00:01:06.900⏎even when it's
    freezing outside." held a timing line)."""
    parts: list[tuple[int, int]] = []
    for gap_start, gap_end in block.gaps:
        if start < min(gap_start, end):
            parts.append((start, min(gap_start, end)))
        start = max(start, gap_end)
    if start < end:
        parts.append((start, end))
    return parts


def units_within(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """The units of the document `text` inside `[start, end)` (a chunk), cut as the chunker cuts
    them: `(start, end, is_heading)` for each sentence, item, heading or title."""
    blocks, ends = _blocks(text)
    after = blocks[bisect.bisect_right(ends, start) :]  # the blocks ending after `start`, in order
    return [(u.start, u.end, u.block.kind in ("title", "heading")) for u in _units(text, after, start, end)]


def has_passages(text: str) -> bool:
    """Does `chunk_document` cut any passage from the document `text`: a sentence, item, heading or
    title? Not when it holds only punctuation, symbols, emoji or markup (".", "---", "🚢🚢🚢")."""
    return bool(_units(text, _blocks(text)[0]))


@lru_cache(maxsize=64)
def _blocks(text: str) -> tuple[tuple[Block, ...], list[int]]:
    """`parse_blocks(text)` and the blocks' ends, remembered: every chunk of a document reads them."""
    blocks = tuple(parse_blocks(text))
    return blocks, [b.end for b in blocks]


def _atoms(text: str, units: list[_Unit]) -> list[list[_Unit]]:
    """Group units that should stay together when they fit: a list with its lead-in, an item; never
    across a rule ("---")."""
    atoms: list[list[_Unit]] = []
    for unit in units:
        previous = atoms[-1][-1] if atoms else None
        glue = (
            previous is not None
            and THEMATIC_BREAK.search(text, previous.end, unit.start) is None
            and (
                previous.block.kind == "title"
                or previous.block.kind == "heading"
                or (previous.block.lead_in and previous.block is not unit.block)
                or (previous.block is unit.block and unit.block.kind == "item")
                or (unit.block.kind == "item" and previous.block.kind == "item")
                or (unit.block.kind == "row" and previous.block.kind == "row")  # a table
            )
        )
        if glue:
            atoms[-1].append(unit)
        else:
            atoms.append([unit])
    return atoms


def _split_long(
    text: str, unit: _Unit, fits: Callable[[int, int], bool], *, anchor: int | None = None
) -> list[_Unit]:
    """Cut an over-long sentence at word boundaries into pieces that fit.

    With `anchor`, the first piece is sized to fit after the text from `anchor` (an open chunk).
    """
    words = [
        (m.start() + unit.start, m.end() + unit.start)
        for m in re.finditer(r"\S+", text[unit.start : unit.end])
    ]
    pieces: list[_Unit] = []
    first = 0
    while first < len(words):
        last = first
        origin = anchor if anchor is not None and not pieces else words[first][0]
        while last + 1 < len(words) and fits(origin, words[last + 1][1]):
            last += 1
        # a single word longer than the budget still becomes its own piece
        pieces.append(_Unit(words[first][0], words[last][1], unit.block))
        first = last + 1
    return pieces


def chunk_document(document: Document, config: ChunkerConfig, count_tokens: TokenCounter) -> list[Chunk]:
    """Cut `document` into chunks of whole sentences, at most `config.max_tokens` tokens each."""
    text = document.text
    blocks = parse_blocks(text)

    def fits(start: int, end: int, budget: int = config.max_tokens) -> bool:
        return count_tokens(text[start:end]) <= budget

    groups: list[list[_Unit]] = []
    current: list[_Unit] = []

    def flush() -> None:
        # a group inside the previous one is only carried-over overlap: it adds nothing
        if current and not (
            groups and groups[-1][0].start <= current[0].start and current[-1].end <= groups[-1][-1].end
        ):
            groups.append(list(current))

    for atom in _atoms(text, _units(text, blocks)):
        if current and (
            atom[0].block.kind in ("title", "heading")
            or THEMATIC_BREAK.search(text, current[-1].end, atom[0].start)
        ):
            flush()
            current = []
        budget = (
            config.list_max_tokens
            if any(u.block.kind in ("item", "row") for u in atom)
            else config.max_tokens
        )
        if current and fits(current[0].start, atom[-1].end, budget):
            current.extend(atom)
            continue
        # the atom opens a new chunk, carrying the last sentences of the old one as overlap
        carried: list[_Unit] = []
        if current:
            flush()
            tail = [u for u in current if u.block.kind not in ("title", "heading")]
            carried = tail[-config.overlap_sentences :] if config.overlap_sentences else []
            if carried and carried[0].block.section != atom[0].block.section:
                carried = []
        if fits(atom[0].start, atom[-1].end, budget):
            current = carried + atom if carried and fits(carried[0].start, atom[-1].end, budget) else atom
            continue
        # too big as a whole: pack its units one by one, splitting over-long sentences
        current = carried
        for unit in atom:
            if fits(unit.start, unit.end):
                pieces = [unit]
            else:
                # start the cut inside the open chunk when its first word still fits there
                anchor = current[0].start if current else None
                first_word = re.match(r"\S+", text[unit.start : unit.end])
                if anchor is not None and first_word and not fits(anchor, unit.start + first_word.end()):
                    anchor = None
                pieces = _split_long(text, unit, fits, anchor=anchor)
            for piece in pieces:
                # a lead-in alone takes the item it introduces within the list's budget: a table's
                # header row and the dashed rule under it cost a hundred word pieces
                led = all(u.block.lead_in for u in current)
                if current and fits(current[0].start, piece.end, budget if led else config.max_tokens):
                    current.append(piece)
                    continue
                # a lead-in never ends a chunk: it moves on with the item it introduces
                moved = current[-1:] if len(current) > 1 and current[-1].block.lead_in else []
                if moved and fits(moved[0].start, piece.end, budget):
                    current = current[:-1]
                else:
                    moved = []
                flush()
                current = [*moved, piece]
    flush()
    lines = line_starts(text)  # once per document: a chunk finds its line numbers by bisection
    return [_make_chunk(document, group, count_tokens, lines) for group in groups]


def line_starts(text: str) -> list[int]:
    """Where each line of `text` starts: after \\r\\n, \\r or \\n, the one rule of every citation's lines."""
    starts = [0]
    starts.extend(m.end() for m in re.finditer(r"\r\n|\r|\n", text))
    return starts


def _make_chunk(
    document: Document, group: list[_Unit], count_tokens: TokenCounter, lines: list[int]
) -> Chunk:
    start, end = group[0].start, group[-1].end
    text = document.text[start:end]
    digest = hashlib.sha256(f"{document.sha256}:{start}:{end}".encode()).hexdigest()
    return Chunk(
        doc_id=document.doc_id,
        chunk_id=digest[:16],
        text=text,
        start=start,
        end=end,
        line_start=bisect.bisect_right(lines, start),
        line_end=bisect.bisect_right(lines, end - 1),
        # the section of its text: a chunk opening with the title and the first heading is under that heading
        section=next(
            (u.block.section for u in group if u.block.kind not in ("title", "heading")),
            group[0].block.section,
        ),
        n_tokens=count_tokens(text),
        n_tokens_cl100k=count_cl100k(text),
    )


def chunk_documents(
    documents: Sequence[Document],
    config: ChunkerConfig,
    count_tokens: TokenCounter,
    *,
    progress: bool = False,
    known: Mapping[tuple[str, str], Sequence[Chunk]] | None = None,
) -> list[Chunk]:
    """Chunk every document, in order; with `progress`, say how far (6 MB of text takes a minute).

    `known` holds the chunks of documents already cut with this `config` and `count_tokens`, by
    `(doc_id, sha256)`: those are taken as they are, not cut again (a write to an index of 40
    documents spent 1.1 s of its 2.7 s re-counting the others' word pieces; session 19).
    """
    label = f"Cutting {len(documents):,} documents"
    each = progress_bar(documents, label, enabled=progress, unit="doc")
    known = known or {}
    return [
        c
        for doc in each
        for c in (known.get((doc.doc_id, doc.sha256)) or chunk_document(doc, config, count_tokens))
    ]
