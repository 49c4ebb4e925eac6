"""Read a corpus folder into `Document` records, refusing anything we cannot cite exactly."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from alliance_qa.errors import CorpusError, InputError, NoTextError
from ingest.structure import BOM, document_title

SUFFIXES = (".txt", ".md")
DOC_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
_NOT_IN_IDS = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class Document:
    """One source text, exactly as read: offsets into `text` are what citations use."""

    doc_id: str
    title: str
    text: str
    sha256: str  # of the UTF-8 bytes, so a reader can check the file itself
    size: int  # bytes


def check_path(path: object, *, name: str) -> Path:
    """`path` as a `Path`: a `str` or any path-like object is one (a `str` met `/` deep inside)."""
    if isinstance(path, str | os.PathLike):
        return Path(path)
    raise InputError(f"{name} must be a path (str or pathlib.Path), got {path!r:.60} ({type(path).__name__})")


def check_doc_id(doc_id: str) -> str:
    """Return `doc_id` if it is safe to use as a name on disk, else raise `InputError`."""
    if not isinstance(doc_id, str):
        raise InputError(f"a document id must be a str, got {doc_id!r} ({type(doc_id).__name__})")
    if not DOC_ID_PATTERN.fullmatch(doc_id) or doc_id in {".", ".."}:
        # "letters" alone read as if "café" or "日本" were ones; the id a file of that name gets is
        # the nearest that is allowed
        nearest = slug_doc_id(doc_id)
        instead = f" ({nearest!r} would do)" if nearest and not nearest.startswith("doc-") else ""
        raise InputError(
            f"document id {doc_id!r} is not allowed: use 1-128 letters (A-Z, a-z, no accents), digits, "
            f"'-', '_' or '.'{instead}"
        )
    return doc_id


def file_doc_id(name: str) -> str:
    """The document id of the file `name`: its name without the suffix, as it is when that is a
    valid id; otherwise each run of what an id cannot hold (spaces, brackets, accents) becomes one
    '-', accented letters losing their accents ("My notes (draft) é.txt" → "My-notes-draft-e"), and
    a name with no letter or digit left ("日米同盟.md") is "doc-" and 12 hex digits of its hash."""
    return slug_doc_id(Path(name).stem)


def slug_doc_id(stem: str) -> str:
    """`stem` as a document id, as `file_doc_id` makes one of a file name without its suffix."""
    if DOC_ID_PATTERN.fullmatch(stem) and stem not in {".", ".."}:
        return stem
    unaccented = "".join(c for c in unicodedata.normalize("NFKD", stem) if not unicodedata.combining(c))
    slug = _NOT_IN_IDS.sub("-", unaccented)[:128].strip("-.")
    if not any(c.isalnum() for c in slug):
        return f"doc-{hashlib.sha256(stem.encode('utf-8')).hexdigest()[:12]}"
    return slug


def make_document(doc_id: str, data: bytes, *, source: str | None = None) -> Document:
    """Build a `Document` from raw bytes, checking it is non-empty UTF-8 text.

    `source` names where the bytes came from (a path, an upload) for error messages.
    """
    check_doc_id(doc_id)
    where = source or doc_id
    if not isinstance(data, bytes):
        encode = "; encode text first (text.encode('utf-8'))" if isinstance(data, str) else ""
        raise InputError(f"{where}: the document's data must be bytes, got {type(data).__name__}{encode}")
    try:
        # newline-preserving: offsets must index the exact characters of the file, so a byte-order
        # mark stays too, as character 0 (`ingest.structure` reads the text after it)
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(
            f"{where}: not UTF-8 text (byte {exc.start} is invalid); "
            "re-save the file as UTF-8 and ingest again"
        ) from None
    if "\x00" in text:
        raise CorpusError(f"{where}: contains NUL bytes, so it is not a text document")
    if not text.removeprefix(BOM).strip():
        raise CorpusError(f"{where}: the document is empty; give it some text, or leave it out")
    title = document_title(text)
    return Document(
        doc_id=doc_id,
        title=title,
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )


def read_document(path: Path | str) -> Document:
    """Read one `.txt` or `.md` file; its id is the file name without the suffix (`file_doc_id`)."""
    path = check_path(path, name="path")
    if path.suffix.lower() not in SUFFIXES:
        raise CorpusError(
            f"{path}: unsupported file type {path.suffix or '(none)'!r}; "
            f"convert it to {' or '.join(SUFFIXES)}, or leave it out"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot be read ({exc.strerror})") from None
    return make_document(file_doc_id(path.name), data, source=str(path))


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The files of `corpus_dir` that count as documents, sorted: its .txt and .md files, but for
    README.md and hidden files."""
    return sorted(p for p in _visible_files(corpus_dir) if p.suffix.lower() in SUFFIXES)


def unread_files(corpus_dir: Path) -> list[Path]:
    """The files of `corpus_dir` of other types (`faq.md~`, `notes.pdf`, `map.png`), sorted: a
    notes folder holds editor backups and images, and one of them must not stop the ingest."""
    return sorted(p for p in _visible_files(corpus_dir) if p.suffix.lower() not in SUFFIXES)


def hidden_documents(corpus_dir: Path) -> list[Path]:
    """The hidden .txt and .md files of `corpus_dir` (`.draft.md`), sorted: not read, like every
    hidden file, but unlike `.gitkeep` they look like documents, so their skipping is said."""
    return sorted(
        p
        for p in corpus_dir.iterdir()
        if p.name.startswith(".") and p.is_file() and p.suffix.lower() in SUFFIXES
    )


def _visible_files(corpus_dir: Path) -> list[Path]:
    return [
        p for p in corpus_dir.iterdir() if p.is_file() and not p.name.startswith(".") and not _is_readme(p)
    ]


OTHER_TYPES_NOTE = f"only {' and '.join(SUFFIXES)} files are read; convert one to index it"


def describe_files(paths: list[Path]) -> str:
    """ "faq.md~, notes.pdf and 3 more": files for a message."""
    shown = ", ".join(p.name for p in paths[:5])
    return shown + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")


def unread_readmes(corpus_dir: Path) -> list[Path]:
    """The README.md of `corpus_dir`, which is taken as notes about the folder and not read."""
    return sorted(p for p in corpus_dir.iterdir() if p.is_file() and _is_readme(p))


def _is_readme(path: Path) -> bool:
    """A folder's README.md (any case): notes about the folder, not one of its documents."""
    return path.name.lower() == "readme.md"


README_NOTE = "a folder's README.md is taken as notes about it; rename it (say, overview.md) to index it"


def unread_folders(corpus_dir: Path) -> dict[Path, int]:
    """The subfolders of `corpus_dir` holding .txt/.md files (at any depth), with how many: a
    corpus is the folder's own files, so these are not read."""
    found: dict[Path, int] = {}
    for sub in sorted(p for p in corpus_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        count = sum(1 for f in sub.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES)
        if count:
            found[sub] = count
    return found


def describe_unread(folders: dict[Path, int]) -> str:
    """ "sub/ (2 files), notes/ (1 file)": the unread folders, for a message."""
    return ", ".join(f"{p.name}/ ({n} file{'s' if n != 1 else ''})" for p, n in folders.items())


def read_corpus(corpus_dir: Path | str) -> list[Document]:
    """Read every document in `corpus_dir` (files of other types, README.md and hidden files are
    skipped: `unread_files`, `unread_readmes`), sorted by id."""
    corpus_dir = check_path(corpus_dir, name="corpus_dir")
    if corpus_dir.is_file():  # `alliance-qa ingest notes/faq.md`
        raise CorpusError(
            f"{corpus_dir}: is a file, and a folder of documents is read; pass its folder "
            f"({corpus_dir.parent}), or add the one file to an index with `alliance-qa add {corpus_dir}`"
        )
    if not corpus_dir.is_dir():
        raise CorpusError(f"{corpus_dir}: no such folder; pass the folder that holds your .txt/.md files")
    paths = corpus_files(corpus_dir)
    if not paths:
        unread = unread_folders(corpus_dir)
        raise CorpusError(
            f"{corpus_dir}: holds no documents; add .txt or .md files"
            + (
                f" (subfolders are not read: {describe_unread(unread)}; pass one of them, or move its files up)"
                if unread
                else ""
            )
            + (f" ({README_NOTE})" if unread_readmes(corpus_dir) else "")
            + (
                f" (files of other types are not read: {describe_files(others)}; {OTHER_TYPES_NOTE})"
                if (others := unread_files(corpus_dir))
                else ""
            )
        )
    from ingest.chunking import has_passages  # chunking reads documents: imported here, not above

    read: dict[Path, Document] = {}
    problems: dict[Path, str] = {}
    for path in paths:  # every bad file in one go: one a run took a run each to find
        try:
            read[path] = read_document(path)
        except CorpusError as exc:
            problems[path] = str(exc)
    if problems:
        # a file with nothing to index is refused later, by the index (`NoTextError`: it keeps one it
        # took before they were refused); named here too, or an empty file and a "---" one took two runs
        problems |= {
            path: str(NoTextError([doc.doc_id], names=[str(path)]))
            for path, doc in read.items()
            if not has_passages(doc.text)
        }
        messages = [problems[path] for path in paths if path in problems]
        if len(messages) == 1:
            raise CorpusError(messages[0])
        raise CorpusError(
            f"{len(messages)} files of {corpus_dir} are refused, so nothing was indexed:\n  "
            + "\n  ".join(messages)
        )
    seen: dict[str, Path] = {}
    for path, doc in read.items():
        if doc.doc_id in seen:
            raise CorpusError(
                f"{path} and {seen[doc.doc_id]} both give document id {doc.doc_id!r}; rename one"
            )
        seen[doc.doc_id] = path
    # by id, as promised and as a write stores them: "日本の城.md" is "doc-…" and sorts among the d's,
    # not after "z.md", so a folder built or written gives its documents and chunks in one order
    return sorted(read.values(), key=lambda doc: doc.doc_id)
