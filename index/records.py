"""Chunks and documents on disk as JSON lines: plain files a person can read."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

from alliance_qa.errors import IndexCorruptError
from ingest.chunking import Chunk
from ingest.documents import Document

CHUNKS_FILE = "chunks.jsonl"
DOCUMENTS_FILE = "documents.jsonl"


def _write_lines(path: Path, rows: Iterable[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def _read_lines(path: Path) -> list[dict[str, object]]:
    try:
        with path.open(encoding="utf-8") as lines:
            return [json.loads(line) for line in lines if line.strip()]
    except FileNotFoundError:
        raise IndexCorruptError(f"{path} is missing; rebuild the index with `alliance-qa ingest`") from None
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(
            f"{path} is damaged ({exc}); rebuild the index with `alliance-qa ingest`"
        ) from None


def write_chunks(folder: Path, chunks: Iterable[Chunk]) -> None:
    _write_lines(folder / CHUNKS_FILE, (asdict(c) for c in chunks))


def read_chunks(folder: Path) -> list[Chunk]:
    try:
        return [
            Chunk(**{**row, "section": tuple(row["section"])})  # type: ignore[arg-type]
            for row in _read_lines(folder / CHUNKS_FILE)
        ]
    except (KeyError, TypeError) as exc:
        raise IndexCorruptError(
            f"{folder / CHUNKS_FILE} has rows of the wrong shape ({exc}); rebuild with `alliance-qa ingest`"
        ) from None


def write_documents(folder: Path, documents: Iterable[Document]) -> None:
    _write_lines(folder / DOCUMENTS_FILE, (asdict(d) for d in documents))


def read_documents(folder: Path) -> list[Document]:
    try:
        return [Document(**row) for row in _read_lines(folder / DOCUMENTS_FILE)]  # type: ignore[arg-type]
    except TypeError as exc:
        raise IndexCorruptError(
            f"{folder / DOCUMENTS_FILE} has rows of the wrong shape ({exc}); rebuild with `alliance-qa ingest`"
        ) from None
