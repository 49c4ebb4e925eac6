"""Progress of long runs: a bar on a terminal, plain lines in a log, nothing for a short run."""

from __future__ import annotations

import io

import pytest

from alliance_qa import progress as module
from alliance_qa.progress import progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_disabled_returns_the_items_themselves() -> None:
    items = [1, 2, 3]
    assert progress(items, "x", enabled=False) is items


def test_a_short_run_in_a_log_writes_nothing() -> None:
    log = io.StringIO()
    assert list(progress(range(50), "Embedding", enabled=True, stream=log)) == list(range(50))
    assert log.getvalue() == ""


def test_a_long_run_in_a_log_writes_whole_lines_ending_at_100_percent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(module, "LOG_DELAY", 0.0)
    monkeypatch.setattr(module, "LOG_EVERY", 0.0)
    log = io.StringIO()
    assert list(progress(range(5), "Embedding", enabled=True, unit="batch", stream=log)) == list(range(5))
    text = log.getvalue()
    assert "\r" not in text and text.endswith("\n")
    lines = text.splitlines()
    assert len(lines) >= 2 and all(line.startswith("Embedding:") for line in lines)
    assert "100%" in lines[-1] and "5/5" in lines[-1] and "batch" in lines[-1]


def test_a_log_gets_the_last_line_once() -> None:
    """tqdm draws its final state again when it closes (`leave=True`): a log wrote "Embedding:
    100%|…| 4/4" twice whenever the last update had been drawn already."""
    log = io.StringIO()
    lines = module.LogLines(log)
    for text in ("\rEmbedding: 50%| 2/4", "\rEmbedding: 100%| 4/4", "\rEmbedding: 100%| 4/4", "\n"):
        lines.write(text)
    assert log.getvalue() == "Embedding: 50%| 2/4\nEmbedding: 100%| 4/4\n"


def test_a_terminal_gets_a_bar_redrawn_in_place() -> None:
    screen = Terminal()
    list(progress(range(5), "Embedding", enabled=True, stream=screen))
    assert "\r" in screen.getvalue() and "Embedding" in screen.getvalue()


def test_a_closed_stream_counts_as_no_terminal() -> None:
    closed = io.StringIO()
    closed.close()
    assert not module.is_terminal(closed)
