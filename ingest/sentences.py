"""Sentence boundaries with exact offsets, from pysbd's rule-based segmenter."""

from __future__ import annotations

import re
from functools import cache, lru_cache

import pysbd

# Texts whose boundaries are remembered. A change to one document rebuilds the index from every
# document's text, and pysbd took 1.2 of a write's 1.5 s re-splitting the unchanged ones (it
# compiles regular expressions per call); remembered, a write splits only the text that changed.
SPLIT_CACHE_SIZE = 8192
LINE_BREAK = re.compile(r"\r\n|\r|\n")
# marks that close the sentence before, left by pysbd at the start of the next one: Markdown's
# "**Writes.** Set the key." came out as "**Writes." and "** Set the key."
CLOSERS = re.compile(r"[*_\"”’)\]]+(?=\s|$)")


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
    for piece in _segmenter().segment(LINE_BREAK.sub(lambda m: " " * len(m.group(0)), text)):
        start, end = piece.start, piece.end
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
    return tuple(spans)
