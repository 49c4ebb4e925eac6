"""What library callers pass, checked: a wrong type or shape is an `InputError` saying what to pass.

The HTTP layer's request models check the same things for HTTP callers (service/schemas.py); an app
that embeds the library met a TypeError from deep inside the ranking instead, or, for one `str`
where a list of ids belongs, a search of the ids 'f', 'a' and 'q'.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral
from typing import Any

from alliance_qa.errors import InputError
from ingest.documents import check_path as check_path  # ingest reads paths first; one check for both


def check_k(k: object) -> int:
    """`k`, if it is a whole number of at least 1 (a bool is no count, though Python calls it an int)."""
    if isinstance(k, bool) or not isinstance(k, Integral):  # numpy's integers are Integral too
        raise InputError(f"k must be a whole number (an int), got {k!r} ({type(k).__name__})")
    if k < 1:
        raise InputError(f"k must be at least 1, got {k}")
    return int(k)


def check_ids(ids: object, *, name: str) -> list[str]:
    """`ids` as a list of document ids: a list, tuple or set of `str`, never one `str`, whose
    letters would otherwise be taken for ids."""
    if isinstance(ids, str):
        raise InputError(f"{name} is one str ({ids!r}), not a list of ids: pass [{ids!r}]")
    if isinstance(ids, bytes | bytearray) or not hasattr(ids, "__iter__"):
        raise InputError(f"{name} must be a list of document ids (str), got {type(ids).__name__}")
    items = list(ids)
    wrong = [item for item in items if not isinstance(item, str)]
    if wrong:
        raise InputError(f"{name} must hold document ids (str), got {wrong[0]!r} ({type(wrong[0]).__name__})")
    return items


def some_of(items: Sequence[str], *, shown: int = 10) -> str:
    """`items` for a message, the first `shown` of them and a count of the rest ("a, b and 7 more"):
    an index of 294 documents named every id in each 404, and a filter repeating one unknown id
    5,000 times repeated it in the answer."""
    if len(items) <= shown:
        return ", ".join(items)
    return f"{', '.join(items[:shown])} and {len(items) - shown:,} more"


# what `index.Embedder` declares: an embedder of the app's own lacking `window` or `count_tokens`
# met an AttributeError half-way through a build
EMBEDDER_MEMBERS = ("name", "dimension", "window", "encode", "encode_queries", "count_tokens")


def check_embedder(embedder: Any) -> Any:
    """`embedder`, if it is one (it has every member `index.Embedder` declares), or None for the default."""
    if embedder is None:
        return embedder
    missing = [a for a in EMBEDDER_MEMBERS if not hasattr(embedder, a)]
    if not missing:
        return embedder
    if len(missing) < len(EMBEDDER_MEMBERS) - 1:  # most of one: the app's own, lacking a member or two
        raise InputError(
            f"embedder {type(embedder).__name__} lacks {', '.join(missing)}: an index.Embedder has "
            f"{', '.join(EMBEDDER_MEMBERS)} (window: the word pieces its model reads)"
        )
    raise InputError(
        f'embedder must be an Embedder (index.load_embedder("onnx-int8", …)), got {embedder!r:.60} '
        f"({type(embedder).__name__})"
    )
