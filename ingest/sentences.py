"""Sentence boundaries with exact offsets, from pysbd's rule-based segmenter."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from functools import cache, lru_cache

import pysbd
from pysbd.utils import TextSpan

# Texts whose boundaries are remembered. A change to one document rebuilds the index from every
# document's text, and pysbd took 1.2 of a write's 1.5 s re-splitting the unchanged ones (it
# compiles regular expressions per call); remembered, a write splits only the text that changed.
SPLIT_CACHE_SIZE = 8192
LINE_BREAK = re.compile(r"\r\n|\r|\n")
# marks that close the sentence before, left by pysbd at the start of the next one: Markdown's
# "**Writes.** Set the key." came out as "**Writes." and "** Set the key."
CLOSER_MARKS = '*_"”’)]'
CLOSERS = re.compile(rf"[{re.escape(CLOSER_MARKS)}]+(?=\s|$)")


@cache
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def split_sentences(text: str, *, offset: int = 0) -> list[tuple[int, int]]:
    """Return `(start, end)` spans of the sentences in `text`, shifted by `offset`, no outer blanks."""
    return [(start + offset, end + offset) for start, end in _spans(text)]


@lru_cache(maxsize=SPLIT_CACHE_SIZE)
def _spans(text: str) -> tuple[tuple[int, int], ...]:
    """The sentence spans of `text` from 0: pysbd's pieces without their outer blanks.

    `text` is one paragraph or item (`ingest.structure.parse_blocks`), so a line break inside it
    is a hard wrap: pysbd, which ends a sentence at every line break, reads it as a space (of the
    same length, so the offsets stay those of `text`).
    """
    spans: list[tuple[int, int]] = []
    flat = LINE_BREAK.sub(lambda m: " " * len(m.group(0)), text)
    located = 0  # where the last piece ended: the next one starts there or after
    for piece in _segmented(flat):
        start, end = piece.start, piece.end
        if start < located:
            # pysbd places a piece at the first match of its text ending past the piece before,
            # which may start inside that piece ("Is it ? ? ?" → "Is it ?", then "? ?" one mark
            # early): found again from where the piece before ended
            sentence = piece.sent.rstrip()
            start = flat.find(sentence, located)
            if start < 0:
                continue
            end = start + len(sentence)
        located = end
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        closers = CLOSERS.match(text, start, end)
        if spans and closers is not None:
            spans[-1] = (spans[-1][0], closers.end())
            start = closers.end()
            while start < end and text[start].isspace():
                start += 1
        if start < end:
            spans.append((start, end))
    return _enumerations_joined(text, _within_code_joined(text, _continuations_joined(text, spans)))


# marks no sentence opens with: a piece pysbd opens with one goes on the sentence before it, as "Lab
# no." is cut from ":      25-155-0371" (an abbreviation's full stop taken for a sentence's end)
CONTINUING_MARKS = ":;,"


def _continuations_joined(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`spans` with each piece opening with a mark no sentence opens with (`CONTINUING_MARKS`)
    joined to the one before on its line: "Lab no.:      25-155-0371" is one (session 18: a lab report's row was
    cut at "no.", and "Lab no." was the answer to "What is the likely diagnosis…?")."""
    if len(spans) < 2:
        return spans

    def continues(before: tuple[int, int], start: int) -> bool:
        # on the line the piece before ends on: a line opening with ":" is a command (Vim's ":q[uit]!")
        return text[start] in CONTINUING_MARKS and not LINE_BREAK.search(text, before[1], start)

    return list(_joined(spans, continues))


# an enumeration inside a sentence, "(a)", "(ii)", "(3)": pysbd opens a sentence at each one
INLINE_ENUMERATION = re.compile(r"\((?:[a-z]|[ivx]{1,4}|\d{1,2})\)\s")
# how a piece ends when a sentence (or a lead-in) ends with it
SENTENCE_CLOSE = tuple(".!?:;…")


def _enumerations_joined(text: str, spans: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    """`spans` with a piece opening with an enumeration on the line of the piece before joined to
    it when that one ends mid-sentence: "…limited to the greater of (a) the fees you paid and (b)
    €100." is one sentence (session 17: pysbd cut it in three, and the answer to "what is the cap on
    liability?" stopped at "the greater of"). An enumeration on a line of its own, or after a
    lead-in ("…without notice if:"), stays a sentence of its own."""
    if "(" not in text or len(spans) < 2:
        return spans

    def mid_sentence(before: tuple[int, int], start: int) -> bool:
        return (
            INLINE_ENUMERATION.match(text, start) is not None
            and not text[before[0] : before[1]].rstrip(CLOSER_MARKS).endswith(SENTENCE_CLOSE)
            and not LINE_BREAK.search(text, before[1], start)
        )

    return _joined(spans, mid_sentence)


# pysbd's time grows with the square of a text's length (its abbreviation pass rescans the text
# for every sentence): a paragraph of 160,000 characters took 15 s, a data file read as one block
# longer. A text longer than this is cut first, where a sentence surely ends (`SURE_END`), and
# each part is segmented alone; no paragraph of the essays comes near it (the longest is 895)
SEGMENT_CHARS = 4000
# a sentence end pysbd cannot mistake for an abbreviation: a lower-case word of three letters or
# more, its mark, a blank, and a capital or a digit ("…the treaty. The…", not "Dr. Smith", "U.S. Army")
SURE_END = re.compile(r"(?<=[a-z]{3}[.!?])\s+(?=[A-Z0-9])")
BLANKS = re.compile(r"\s+")


def _segmented(flat: str) -> list[TextSpan]:
    """pysbd's pieces of `flat` (a text without line breaks), a long text segmented part by part."""
    if len(flat) <= SEGMENT_CHARS:
        return list(_segmenter().segment(flat))
    pieces: list[TextSpan] = []
    start = 0
    while start < len(flat):
        cut = _cut(flat, start)
        for piece in _segmenter().segment(flat[start:cut]):
            pieces.append(TextSpan(piece.sent, piece.start + start, piece.end + start))
        start = cut
    return pieces


def _cut(flat: str, start: int) -> int:
    """Where the part of `flat` from `start` ends: past the last sure sentence end (or else the last
    blank) of its first `SEGMENT_CHARS` characters, at the end of the text if it is no longer."""
    limit = start + SEGMENT_CHARS
    if limit >= len(flat):
        return len(flat)
    window = flat[start + SEGMENT_CHARS // 2 : limit]
    for pattern in (SURE_END, BLANKS):
        ends = [match.end() for match in pattern.finditer(window)]
        if ends:
            return start + SEGMENT_CHARS // 2 + ends[-1]
    blank = BLANKS.search(flat, limit)  # one word longer than the window: cut after it
    return blank.end() if blank else len(flat)


# Markdown inline code, "`?page=2`" or "``a ` b``": pysbd ends sentences inside it (at "?", at
# "e.g." in a path), so a boundary inside one is no boundary
CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)


def _joined(
    spans: Sequence[tuple[int, int]], joins: Callable[[tuple[int, int], int], bool]
) -> tuple[tuple[int, int], ...]:
    """`spans` with each one joined to the (joined) span before it when `joins(before, start)`."""
    joined = [spans[0]]
    for start, end in spans[1:]:
        if joins(joined[-1], start):
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return tuple(joined)


def _within_code_joined(text: str, spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """`spans` with each pair whose boundary falls inside an inline code span joined."""
    if "`" not in text or len(spans) < 2:
        return tuple(spans)
    code = [(m.start(), m.end()) for m in CODE_SPAN.finditer(text)]
    opens = [lo for lo, _ in code]

    def inside_code(before: tuple[int, int], start: int) -> bool:
        # code spans do not overlap, so only the last one opening before `start` can hold the
        # boundary (one walk over all of them per sentence was quadratic in a long paragraph)
        last = bisect_left(opens, start) - 1
        return last >= 0 and before[1] < code[last][1]

    return _joined(spans, inside_code)
