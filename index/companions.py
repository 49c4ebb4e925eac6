"""The sentences a sentence is read with, past its own words, where a document cuts what it says apart.

A subtitle file cuts a sentence where each cue ends (`ingest.structure.cue_paragraphs`): "A hive may
hold fifty thousand bees" | "at the height of summer", each read with the rest of its paragraph. A
chat export says a thing over a message's sentences ("Reminder rents are due by 31 March. £42 for a
full plot, £24 for a half plot."), and answers a question in the message after it, another
author's ("Who's doing Cardiff Half?" | "Me! 6th October."; `ingest.structure.chat_messages`).

Sentences are the rows of the index's sentence table: `rows` (each one's chunk row) and `starts`
(its offset in its document), `docs` each chunk row's document, as numbers.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ingest.structure import ChatMessage

Ints = npt.NDArray[np.int64]


def holding_span(
    rows: Sequence[int],
    starts: Sequence[int],
    docs: Sequence[int],
    spans: Sequence[Sequence[tuple[int, int]]],
) -> Ints:
    """Per sentence, which span of its document's (`spans[doc]`, in order, none overlapping) holds
    its start, numbered across documents in order; -1 for a sentence in none."""
    found = np.full(len(rows), -1, dtype=np.int64)
    if not any(spans):  # (most corpora hold no subtitles and no chat)
        return found
    offsets = np.cumsum([0, *(len(held) for held in spans)]).tolist()
    for i, (row, start) in enumerate(zip(rows, starts, strict=True)):
        held = spans[docs[row]]
        at = bisect.bisect_right(held, start, key=lambda span: span[0]) - 1
        if at >= 0 and start < held[at][1]:
            found[i] = offsets[docs[row]] + at
    return found


def together(rows: Sequence[int], groups: Ints) -> list[tuple[int, ...]]:
    """Per sentence, the other sentences of its chunk in its group (`groups`, -1 for none)."""
    members: dict[tuple[int, int], list[int]] = {}
    for i in np.flatnonzero(groups >= 0).tolist():
        members.setdefault((rows[i], int(groups[i])), []).append(i)
    mates: list[tuple[int, ...]] = [()] * len(rows)
    for group in members.values():
        for i in group:
            mates[i] = tuple(j for j in group if j != i)
    return mates


def replied_to(chats: Sequence[Sequence[ChatMessage]]) -> list[int]:
    """Per message of the chats (numbered across documents, as `holding_span` numbers them), the
    message it replies to: another author's, right before it or before the run of its author's
    messages right after each other that it is in; -1 for none."""
    replies: list[int] = []
    for chat in chats:
        for k, message in enumerate(chat):
            at = len(replies)
            if k and message.follows and chat[k - 1].author == message.author:
                replies.append(replies[at - 1])  # the author goes on
            else:
                replies.append(at - 1 if k and message.follows else -1)
    return replies


def asked_in_chat(asks: Sequence[bool], rows: Sequence[int], message: Ints, replied: Ints) -> Ints:
    """Per sentence of a chat's message (`message`, -1 for a sentence of none), the question it
    answers: the last sentence that `asks`, in its chunk, of the message it replies to (`replied`,
    per sentence); -1 for any other."""
    asked = np.full(len(rows), -1, dtype=np.int64)
    questions: dict[tuple[int, int], int] = {}  # (chunk row, message): its last question so far
    for i in np.flatnonzero(message >= 0).tolist():
        if asks[i]:
            questions[(rows[i], int(message[i]))] = i
        elif replied[i] >= 0:
            asked[i] = questions.get((rows[i], int(replied[i])), -1)
    return asked
