"""Progress bars for long evaluation runs, on stderr so stdout keeps only the results."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")


def progress(items: Iterable[T], label: str, *, enabled: bool) -> Iterable[T]:
    """`items`, wrapped in a tqdm bar on stderr when `enabled` (the caller checks for a TTY)."""
    if not enabled:
        return items
    from tqdm import tqdm

    bar: Iterable[T] = tqdm(items, desc=label, file=sys.stderr, leave=False)
    return bar
