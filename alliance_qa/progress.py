"""Progress on stderr for long runs (embedding, evaluation), so stdout keeps only the results.

On a terminal, a tqdm bar redrawn in place. Anywhere else (a log file, `docker logs`, CI) a bar
redrawn with carriage returns would pile up on one line, and a run of half an hour would say
nothing for half an hour: there, a run that lasts past `LOG_DELAY` seconds writes one plain line
every `LOG_EVERY` seconds (a quarter-minute) and one at the end, and a short run writes nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import IO, TypeVar

T = TypeVar("T")

LOG_DELAY = 15.0  # seconds before a run not on a terminal says anything
LOG_EVERY = 15.0  # seconds between its lines


class LogLines:
    """A stream for tqdm that turns each redraw into a line of its own (no carriage returns)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self._last = ""

    def write(self, text: str) -> int:
        line = text.replace("\r", "").strip()
        # tqdm draws the final state once more when it closes: a log says it once
        if line and line != self._last:
            self.stream.write(line + "\n")
            self._last = line
        return len(text)

    def flush(self) -> None:
        self.stream.flush()


def progress(
    items: Iterable[T],
    label: str,
    *,
    enabled: bool,
    unit: str = "it",
    stream: IO[str] | None = None,
) -> Iterable[T]:
    """`items`, reporting progress on `stream` (stderr) when `enabled`: a bar on a terminal, lines
    in a log (see the module's docstring)."""
    if not enabled:
        return items
    from tqdm import tqdm

    out = stream if stream is not None else sys.stderr
    if is_terminal(out):
        bar: Iterable[T] = tqdm(items, desc=label, unit=unit, file=out, leave=False)
    else:
        bar = tqdm(
            items,
            desc=label,
            unit=unit,
            file=LogLines(out),
            ascii=True,
            ncols=80,
            delay=LOG_DELAY,
            mininterval=LOG_EVERY,
            maxinterval=LOG_EVERY,
            leave=True,
        )
    return bar


def is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a file
        return False
