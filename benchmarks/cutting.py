"""Time reading and cutting documents (no embedding) by shape and size, to show how the cost grows.

Each shape is written at several sizes and cut with `chunk_document` and the model's own word-piece
counter, as `alliance-qa ingest` cuts it; the seconds are the best of `--rounds`, each with the
sentence splitter's memory of texts it has split emptied first. A cost that grows
with the square of the size shows as ×16 per ×4 of characters; linear as ×4.

    .venv/bin/python benchmarks/cutting.py --out benchmarks/results/cutting.json

Shapes: one long paragraph (a file exported with no blank lines), the same hard-wrapped at 72
columns, a paragraph whose sentences each hold inline code, a list, a Markdown table and a run of
fields ("Key: value" lines).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from textwrap import fill
from typing import Any

from _results import machine_at_start, save_report

from index.embedder import default_model_path
from ingest.chunking import ChunkerConfig, chunk_document
from ingest.documents import make_document
from ingest.sentences import _spans
from ingest.tokens import WordPieceCounter

split_cache_clear = _spans.cache_clear


def _sentences(n: int) -> list[str]:
    return [f"The harbour office reported {i} arrivals on the morning tide." for i in range(n)]


SHAPES: dict[str, Callable[[int], str]] = {
    "paragraph": lambda n: "Notes\n\n" + " ".join(_sentences(n)) + "\n",
    "wrapped": lambda n: "Notes\n\n" + fill(" ".join(_sentences(n)), 72) + "\n",
    "inline code": lambda n: (
        "Notes\n\n" + " ".join(f"Run `tool --day {i}` for day {i}." for i in range(n)) + "\n"
    ),
    "list": lambda n: "Notes\n\n" + "".join(f"- {s}\n" for s in _sentences(n)),
    "table": lambda n: (
        "Notes\n\n| Day | Arrivals |\n|---|---|\n" + "".join(f"| {i} | {i % 40} ships |\n" for i in range(n))
    ),
    "fields": lambda n: "Notes\n\n" + "".join(f"Day {i % 50}: {s}\n" for i, s in enumerate(_sentences(n))),
}
SIZES = (500, 2000, 8000)  # sentences (or rows); the paragraph of 8,000 is 480,000 characters


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/cutting.json"))
    args = parser.parse_args(argv)
    count = WordPieceCounter(default_model_path())
    report: dict[str, Any] = {"machine": machine_at_start(), "rounds": args.rounds, "rows": []}
    for shape, write in SHAPES.items():
        for n in SIZES:
            text = write(n)
            document = make_document("d", text.encode("utf-8"))
            best = float("inf")
            for _ in range(args.rounds):
                split_cache_clear()  # a round that found the sentences remembered would time nothing
                started = time.perf_counter()
                chunks = chunk_document(document, ChunkerConfig(), count)
                best = min(best, time.perf_counter() - started)
            report["rows"].append(
                {
                    "shape": shape,
                    "units": n,
                    "chars": len(text),
                    "chunks": len(chunks),
                    "seconds": round(best, 3),
                }
            )
            print(
                f"{shape:12s} {n:6d} {len(text):9,d} chars {len(chunks):6d} chunks {best:8.2f} s", flush=True
            )
    save_report(report, args.out)


if __name__ == "__main__":
    main()
