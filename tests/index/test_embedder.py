"""The torch embedder as a process outside a terminal loads it: no progress bar in its log."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_loading_the_model_draws_no_bar_in_a_log() -> None:
    load = "from index.embedder import SentenceTransformerEmbedder as E; print(E().encode(['a']).shape)"
    done = subprocess.run(
        [sys.executable, "-c", load], cwd=ROOT, capture_output=True, text=True, timeout=300, check=True
    )
    assert done.stdout.strip() == "(1, 384)"
    assert "Loading weights" not in done.stderr and "\r" not in done.stderr, done.stderr
