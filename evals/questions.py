"""Question sets: load and validate `*.jsonl` files, and decide which passages answer a question.

One record per line:

    {"id": "q001", "question": "...", "kind": "factoid", "split": "dev" | "test",
     "answerable": true, "gold": [{"doc_id": "...", "start": 17830, "end": 18024, "quote": "..."}]}

Gold answers are exact spans of the source (code-point offsets into `Index.document(doc_id).text`),
never chunk ids, so every chunking is scored against the same labels: `is_relevant` turns spans
into passage relevance for whatever passages an index returns.

For a question set of one's own, only `id`, `question` and `gold` are needed: `answerable`
defaults to whether `gold` names an answer, `kind` to "unanswerable" for a question without one and
"unlabelled" otherwise, and a file that gives no question a `split` is one set, evaluated whole
whatever split is asked for. A gold answer may also be given by its exact text alone,
`{"quote": "..."}`, with or without its `doc_id`: easier to write for one's own documents than offsets. `resolve_gold` finds it in the
indexed documents and makes every place it occurs a gold span (the texts repeat themselves, and a
reader is as well served by any of them); a quote found nowhere is an error naming the question.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from alliance_qa.errors import InputError

SPLITS = ("dev", "test")
UNLABELLED = "unlabelled"  # the kind of an answerable question whose record names none
MIN_COVER = 0.5  # a passage holding at least half of a gold span answers it


@dataclass(frozen=True)
class GoldSpan:
    """Where an answer stands: `document(doc_id).text[start:end] == quote`."""

    doc_id: str
    start: int
    end: int
    quote: str


@dataclass(frozen=True)
class GoldQuote:
    """A gold answer by its exact text, in one document (`doc_id`) or in any (None)."""

    quote: str
    doc_id: str | None = None


@dataclass(frozen=True)
class Question:
    """One evaluation question, its kind and split, and the spans that answer it (none if unanswerable)."""

    id: str
    question: str
    kind: str
    split: str | None  # None: the file has no splits
    answerable: bool
    gold: tuple[GoldSpan, ...]
    source: str = ""  # "file:line", for error messages
    # gold answers given by their text alone, turned into spans by `resolve_gold`
    quotes: tuple[GoldQuote, ...] = ()


def is_relevant(doc_id: str, start: int, end: int, gold: GoldSpan) -> bool:
    """Whether the passage `doc_id[start:end]` answers `gold`: the relevance rule of every eval.

    A passage is relevant when it overlaps the gold span substantially: it contains the whole
    span, or it covers at least half of the span's characters. Passages are chunks, so a long
    gold span cut across two chunks still counts for the chunk holding most of it, while a chunk
    that merely touches the span's edge does not.
    """
    if doc_id != gold.doc_id:
        return False
    if start <= gold.start and gold.end <= end:
        return True
    overlap = _overlap(start, end, gold)
    return overlap > 0 and overlap >= MIN_COVER * (gold.end - gold.start)


def _overlap(start: int, end: int, gold: GoldSpan) -> int:
    """Characters `[start, end)` shares with the gold span (negative when they are apart)."""
    return min(end, gold.end) - max(start, gold.start)


def answers_gold(doc_id: str, start: int, end: int, gold: GoldSpan) -> bool:
    """Whether the answer sentence `doc_id[start:end]` gives `gold`: the rule for `answer` figures.

    A passage's rule (`is_relevant`) plus its mirror: at least half of the sentence lies inside the
    span. A sentence is shorter than most passages, so one of a gold span's several sentences
    (a list, a two-sentence answer) is right without covering half of the span.
    """
    if is_relevant(doc_id, start, end, gold):
        return True
    overlap = _overlap(start, end, gold)
    return doc_id == gold.doc_id and overlap > 0 and overlap >= MIN_COVER * (end - start)


def relevant_passages(
    passages: Iterable[tuple[str, str, int, int]], gold: Iterable[GoldSpan]
) -> dict[str, int]:
    """Qrels for one question: `{passage_id: 1}` for every `(passage_id, doc_id, start, end)` that is relevant."""
    spans = list(gold)
    return {
        passage_id: 1
        for passage_id, doc_id, start, end in passages
        if any(is_relevant(doc_id, start, end, span) for span in spans)
    }


def load_questions(path: Path, *, split: str | None = None) -> list[Question]:
    """Read and validate a question set; `split` keeps only "dev" or "test" questions (None: all).

    A file that gives no question a split is one set: every question is kept whatever `split` says
    (`has_splits` tells the two apart). A file that splits some questions must split them all.
    """
    if split is not None and split not in SPLITS:
        raise InputError(f"unknown split {split!r} for a question set: choose one of {', '.join(SPLITS)}")
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()  # a byte-order mark (Notepad) is no text
    except FileNotFoundError:
        raise InputError(f"{path}: no such question file; pass --questions with a *.jsonl file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the question file ({exc})") from None
    questions: list[Question] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except ValueError as exc:
            # a pretty-printed file (a JSON array, or objects over several lines) fails on its first line
            spread = line.strip() in ("[", "{")
            hint = "; write each question as one JSON object on one line (JSON Lines)" if spread else ""
            raise InputError(f"{where}: not valid JSON ({exc}){hint}") from None
        question = _parse(record, where)
        if question.id in seen:
            raise InputError(f"{where}: question id {question.id!r} is used twice; ids must be unique")
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise InputError(f"{path}: the question file holds no questions")
    if has_splits(questions):
        unsplit = next((q for q in questions if q.split is None), None)
        if unsplit is not None:
            raise InputError(
                f"{unsplit.source}: question {unsplit.id} has no 'split' while others have one; give "
                f"every question a split ({', '.join(SPLITS)}) or none (the file is then one set)"
            )
        kept = [q for q in questions if split is None or q.split == split]
        if not kept:
            counts = Counter(q.split for q in questions)
            has = ", ".join(f"{name} {counts[name]}" for name in SPLITS if counts[name])
            raise InputError(
                f"{path}: no question has split {split!r} (it has {has}); pass --split with one it has, "
                "or all"
            )
        return kept
    return questions


def has_splits(questions: Iterable[Question]) -> bool:
    """Whether the questions are divided into dev and test (a file of one's own need not be)."""
    return any(q.split is not None for q in questions)


def resolve_gold(questions: Iterable[Question], texts: Mapping[str, str]) -> list[Question]:
    """`questions` with every gold answer as spans of `texts` (doc_id => text); `InputError` otherwise.

    A span must quote its document exactly; a quote becomes a span at every place it occurs.
    """
    resolved = []
    for question in questions:
        for span in question.gold:
            _check_document(question, span.doc_id, texts)
            found = texts[span.doc_id][span.start : span.end]
            if found != span.quote:
                raise InputError(
                    f"{question.source}: question {question.id}: {span.doc_id}[{span.start}:{span.end}] is "
                    f"{found[:60]!r}, not the quote {span.quote[:60]!r}; the document changed since the "
                    "question was written, so fix the offsets or the corpus"
                )
        located = [_locate(question, quote, texts) for quote in question.quotes]
        gold = question.gold + tuple(span for spans in located for span in spans)
        resolved.append(replace(question, gold=gold, quotes=()) if question.quotes else question)
    return resolved


def _check_document(question: Question, doc_id: str, texts: Mapping[str, str]) -> None:
    if doc_id not in texts:
        raise InputError(
            f"{question.source}: question {question.id} cites document {doc_id!r}, which the "
            f"index lacks (it holds {', '.join(sorted(texts))}); evaluate against the index built "
            "from the corpus the questions were written for"
        )


def _locate(question: Question, quote: GoldQuote, texts: Mapping[str, str]) -> list[GoldSpan]:
    """A span for every place `quote` occurs, in its document or, without one, in any."""
    if quote.doc_id is not None:
        _check_document(question, quote.doc_id, texts)
    # any run of white space matches any other: a quote copied as one line matches the source's
    # hard-wrapped lines ("two\nto three minutes"), and the span keeps the source's own text
    pattern = re.compile(r"\s+".join(re.escape(word) for word in quote.quote.split()))
    spans: list[GoldSpan] = []
    for doc_id in [quote.doc_id] if quote.doc_id is not None else sorted(texts):
        text = texts[doc_id]
        spans.extend(GoldSpan(doc_id, m.start(), m.end(), m.group(0)) for m in pattern.finditer(text))
    if not spans:
        where = f"document {quote.doc_id!r}" if quote.doc_id is not None else "any document of the index"
        elsewhere = [d for d in sorted(texts) if d != quote.doc_id and pattern.search(texts[d])]
        fix = (
            f"it is in {', '.join(map(repr, elsewhere[:5]))}: fix its doc_id, or leave doc_id out"
            if quote.doc_id is not None and elsewhere
            else "copy it from the text exactly (its quotation marks, dashes and bullets included; line "
            "breaks and spaces may differ)"
        )
        raise InputError(
            f"{question.source}: question {question.id}: the quote {quote.quote[:60]!r} is not in {where}; {fix}"
        )
    return spans


def _parse(record: Any, where: str) -> Question:
    if not isinstance(record, dict):
        raise InputError(f"{where}: each line must be a JSON object, got {type(record).__name__}")
    missing = [k for k in ("id", "question", "gold") if k not in record]
    if missing:
        raise InputError(
            f"{where}: missing field(s) {', '.join(missing)} (a question needs an id, the question and "
            "its gold answers: [] for a question the documents do not answer)"
        )
    for key in ("id", "question", "kind"):
        if key in record and (not isinstance(record[key], str) or not record[key].strip()):
            raise InputError(f"{where}: {key!r} must be a non-empty string")
    split = record.get("split")
    if split is not None and split not in SPLITS:
        raise InputError(
            f"{where}: split must be one of {', '.join(SPLITS)} (or left out), got {record['split']!r}"
        )
    if not isinstance(record["gold"], list):
        raise InputError(f"{where}: 'gold' must be a list of spans")
    given = [_parse_span(span, f"{where}: gold[{i}]") for i, span in enumerate(record["gold"])]
    gold = tuple(g for g in given if isinstance(g, GoldSpan))
    quotes = tuple(g for g in given if isinstance(g, GoldQuote))
    answerable = record.get("answerable", bool(given))
    if not isinstance(answerable, bool):
        raise InputError(f"{where}: 'answerable' must be true or false")
    if answerable and not given:
        raise InputError(f"{where}: an answerable question needs at least one gold span")
    if not answerable and given:
        raise InputError(f"{where}: an unanswerable question must have no gold spans")
    if record.get("kind") == "unanswerable" and given:  # else scored as answerable, under that kind
        raise InputError(
            f"{where}: kind 'unanswerable' but gold answers are given; leave gold [] for a question the "
            "documents do not answer, or give it another kind"
        )
    return Question(
        id=record["id"],
        question=record["question"],
        kind=record.get("kind", UNLABELLED if answerable else "unanswerable"),
        split=split,
        answerable=answerable,
        gold=gold,
        source=where,
        quotes=quotes,
    )


def _parse_span(span: Any, where: str) -> GoldSpan | GoldQuote:
    if not isinstance(span, dict):
        raise InputError(f"{where} must be an object with doc_id, start, end and quote, or a quote alone")
    doc_id, start, end, quote = (span.get(k) for k in ("doc_id", "start", "end", "quote"))
    if start is None and end is None:  # the answer by its text alone
        if not isinstance(quote, str) or not quote.strip():
            raise InputError(f"{where}: 'quote' must be the exact text of the answer")
        if doc_id is not None and (not isinstance(doc_id, str) or not doc_id):
            raise InputError(
                f"{where}: 'doc_id' must be a non-empty string, or left out to search every document"
            )
        return GoldQuote(quote, doc_id)
    if not isinstance(doc_id, str) or not doc_id:
        raise InputError(f"{where}: 'doc_id' must be a non-empty string")
    # bool is an int in Python; a span offset of `true` is a mistake
    if (
        not isinstance(start, int)
        or not isinstance(end, int)
        or isinstance(start, bool)
        or isinstance(end, bool)
    ):
        raise InputError(
            f"{where}: 'start' and 'end' must be integers (code-point offsets), or both left out to give "
            "the answer by its quote alone"
        )
    if not 0 <= start < end:
        raise InputError(f"{where}: need 0 <= start < end, got start={start}, end={end}")
    if not isinstance(quote, str) or len(quote) != end - start:
        raise InputError(f"{where}: 'quote' must be the exact text of [start:end] ({end - start} characters)")
    return GoldSpan(doc_id, start, end, quote)
