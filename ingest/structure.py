"""Parse a document's shape: title, headings, paragraphs and (nested) list items, with offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

BlockKind = Literal["title", "heading", "paragraph", "item"]

LIST_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?:[•\-*–]|\d{1,3}[.)])[ \t]+\S")
MAX_HEADING_WORDS = 14
CLOSING_PUNCTUATION = '.!?:;,…"”’)'


@dataclass(frozen=True)
class Block:
    """One structural line-run of a document: `text[start:end]` is its exact content."""

    kind: BlockKind
    start: int  # code-point offset of the first non-blank character
    end: int  # offset after the last non-blank character
    line: int  # 1-based line number of `start`
    depth: int  # list nesting depth (0 for everything that is not an item)
    section: tuple[str, ...]  # heading path: title › heading
    lead_in: bool = False  # a paragraph ending in ':' directly followed by a list


def _is_heading(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= MAX_HEADING_WORDS and not line.rstrip().endswith(tuple(CLOSING_PUNCTUATION))


def parse_blocks(text: str) -> list[Block]:
    """Split `text` into blocks, one per non-blank line, labelled by kind and section."""
    blocks: list[Block] = []
    title: str | None = None
    heading: str | None = None
    offset = 0
    for number, raw in enumerate(text.splitlines(keepends=True), start=1):
        line = raw.rstrip("\r\n")
        stripped = line.strip()
        line_start = offset
        offset += len(raw)
        if not stripped:
            continue
        start = line_start + (len(line) - len(line.lstrip()))
        end = start + len(stripped)
        item = LIST_ITEM.match(line)
        kind: BlockKind
        depth = 0
        if title is None:
            kind, title = "title", stripped
        elif item:
            kind = "item"
            depth = 1 + len(item.group("indent").expandtabs(4)) // 4
        elif _is_heading(stripped):
            kind, heading = "heading", stripped
        else:
            kind = "paragraph"
        section = (title,) if heading is None or kind == "title" else (title, heading)
        blocks.append(Block(kind, start, end, number, depth, section))
    # a paragraph (or item) ending in ':' right before a list is that list's lead-in
    return [
        Block(b.kind, b.start, b.end, b.line, b.depth, b.section, lead_in=True)
        if b.kind in ("paragraph", "item")
        and text[b.end - 1] == ":"
        and i + 1 < len(blocks)
        and blocks[i + 1].kind == "item"
        else b
        for i, b in enumerate(blocks)
    ]
