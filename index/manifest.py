"""The manifest of a saved index: what it was built from and with, checked on every open."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from alliance_qa.errors import IndexCorruptError, IndexMismatchError
from index.inputs import check_path

FORMAT_VERSION = 2  # 2: lexical/ (BM25) and the sentence arrays
MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True)
class DocumentEntry:
    """What the index knows of one source document."""

    doc_id: str
    title: str
    sha256: str
    size: int
    chunks: int
    # ISO 639-1 codes of the languages it is written in, most of it first (`index/languages.py`); ()
    # when none is sure; None in an index from before they were recorded (read from the text then)
    languages: tuple[str, ...] | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DocumentEntry:
        """An entry as `Manifest.to_json` wrote it (JSON has lists, not tuples)."""
        if not isinstance(data, dict):  # TypeError: `Manifest.read` calls the manifest damaged
            raise TypeError(f"a document entry is a {type(data).__name__}, not an object")
        languages = data.get("languages")
        if languages is not None and (
            not isinstance(languages, list) or not all(isinstance(code, str) for code in languages)
        ):
            raise TypeError(f"languages of {data.get('doc_id')!r} is {languages!r}, not a list of codes")
        return cls(**{**data, "languages": None if languages is None else tuple(languages)})


@dataclass(frozen=True)
class Manifest:
    """Everything needed to tell whether an index still matches its corpus, model and settings."""

    format_version: int
    model_name: str
    model_path: str
    dimension: int
    window: int
    chunker: dict[str, Any]  # ChunkerConfig fields
    embed_context: bool  # whether the heading path was embedded with each chunk
    index_type: str
    documents: tuple[DocumentEntry, ...]
    created_at: str
    versions: dict[str, str] = field(default_factory=dict)
    lexical: dict[str, Any] = field(default_factory=dict)  # LexicalConfig fields, num_docs, vocabulary
    sentences: int = 0  # rows of sentences.npy / sentence_spans.npy
    # rows of tokens.npy (late interaction); 0 when the embedder gives none, None in an index from
    # before late interaction existed
    tokens: int | None = None

    @property
    def chunk_count(self) -> int:
        return sum(d.chunks for d in self.documents)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["counts"] = {
            "documents": len(self.documents),
            "chunks": self.chunk_count,
            "sentences": self.sentences,
            "tokens": self.tokens,
        }
        return data

    def write(self, folder: Path) -> None:
        (folder / MANIFEST_FILE).write_text(
            json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )

    @classmethod
    def read(cls, folder: Path | str) -> Manifest:
        """The manifest of an index version folder, or of the version a home's `current` names.

        A home was read as a version of its own: "var/index/manifest.json is missing: the index is
        incomplete; rebuild it", of an intact index (`alliance-qa info` reads the home's).
        """
        folder = check_path(folder, name="folder")
        if not (folder / MANIFEST_FILE).exists():
            from index.store import CURRENT  # the store reads manifests: imported here, not above

            if (folder / CURRENT).exists():
                folder = (folder / CURRENT).resolve()
        path = folder / MANIFEST_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise IndexCorruptError(
                f"{path} is missing: the index is incomplete; rebuild it with `alliance-qa ingest`"
            ) from None
        except (OSError, ValueError) as exc:
            raise IndexCorruptError(
                f"{path} is unreadable ({exc}); rebuild the index with `alliance-qa ingest`"
            ) from None
        version = data.get("format_version") if isinstance(data, dict) else None
        if version != FORMAT_VERSION:
            raise IndexMismatchError(
                f"{folder}: index format {version!r}, this alliance-qa reads format {FORMAT_VERSION}; "
                "rebuild it with `alliance-qa ingest`"
            )
        try:
            data.pop("counts", None)
            data["documents"] = tuple(DocumentEntry.from_json(d) for d in data["documents"])
            return cls(**data)
        except (KeyError, TypeError) as exc:
            raise IndexCorruptError(
                f"{path} does not have the expected fields ({exc}); rebuild with `alliance-qa ingest`"
            ) from None
