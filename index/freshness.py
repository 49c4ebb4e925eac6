"""Is a saved index still what the corpus and settings would build? Says why not."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from pathlib import Path
from typing import Any

from alliance_qa.errors import AllianceQAError
from index.answer import SENTENCE_CONTEXT_FILE
from index.embedder import default_model_path, model_name
from index.lexical import LexicalConfig
from index.manifest import Manifest
from index.store import resolve_version
from ingest.chunking import LAYOUT, ChunkerConfig
from ingest.documents import corpus_files, file_doc_id


def _corpus_hashes(corpus_dir: Path) -> dict[str, str]:
    return {file_doc_id(p.name): hashlib.sha256(p.read_bytes()).hexdigest() for p in corpus_files(corpus_dir)}


def shares_documents(index_dir: Path, corpus_dir: Path) -> bool:
    """Does the index at `index_dir` hold a document of the folder `corpus_dir` (by id)? An index
    built from another folder holds none, and that folder's files are no news about it."""
    try:
        manifest = Manifest.read(resolve_version(index_dir))
    except AllianceQAError:
        return False
    if not corpus_dir.is_dir():
        return False
    indexed = {d.doc_id for d in manifest.documents}
    # ids are file names: no file needs reading (stale_reasons has just hashed them all)
    return any(file_doc_id(p.name) in indexed for p in corpus_files(corpus_dir))


def _chunker_changes(built: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """What differs between the chunker settings an index was built with and those wanted, in
    words: "documents are read a newer way (layout 4 → 6)", "chunker max_tokens 128 → 64"."""
    changes = []
    for key, value in wanted.items():
        if built.get(key) == value:
            continue
        if key == "layout":
            newer = "a newer way" if (built.get(key) or 0) < value else "another way"
            changes.append(f"documents are read {newer} (layout {built.get(key)} → {value})")
        else:
            changes.append(f"chunker {key} {built.get(key)} → {value}")
    return changes


# what an index built before a lexical setting lacks until it is rebuilt, for the note `serve` gives
MISSED_BY_OLDER_LEXICAL = {
    "cjk": "Japanese, Chinese and Korean text is not matched by its words",
    "cjk_unigrams": 'a question of one Chinese or Japanese character or Hangul syllable ("犬") matches no passage',
    "hyphens": "a word hyphenated across a line break (text taken from a PDF) is not matched whole",
    "numbers": "version numbers, dates and lone digits are not matched as words",
}


def older_settings(manifest: Manifest) -> list[str]:
    """How an index that opens was built by an older alliance-qa, in words: documents read an older
    way ("documents are read a newer way (layout 11 → 12)"), or without a lexical setting added
    since, which it is searched without until it is rebuilt ("lexical cjk None → True"). A write
    rebuilds it the current way, and so does `repair` (`index.updates.repair`) with no change."""
    reasons = _chunker_changes(manifest.chunker, {"layout": LAYOUT})
    current = asdict(LexicalConfig.rebuilt(manifest.lexical))  # its own settings, newer ones at their default
    reasons += [
        f"lexical {key} None → {value}" for key, value in current.items() if key not in manifest.lexical
    ]
    return reasons


def stale_reasons(
    index_dir: Path,
    corpus_dir: Path,
    *,
    chunker: ChunkerConfig,
    model_path: Path | None = None,
    index_type: str = "flat",
    lexical: LexicalConfig | None = None,
) -> list[str]:
    """Why the index at `index_dir` should be rebuilt from `corpus_dir`; empty when it is fresh."""
    try:
        folder = resolve_version(index_dir)
        manifest = Manifest.read(folder)
    except AllianceQAError as exc:
        return [str(exc).split(";")[0]]
    reasons: list[str] = []
    if manifest.embed_context and manifest.sentences and not (folder / SENTENCE_CONTEXT_FILE).is_file():
        # built before sentences were also embedded after their headings: it ranks, but worse
        reasons.append("no heading-framed sentence vectors (an index from an older version)")
    if manifest.tokens is None:
        # built before late interaction: it ranks, but without the word-by-word match
        reasons.append("no token vectors for late interaction (an index from an older version)")
    wanted_model = model_name(model_path or default_model_path())
    if manifest.model_name != wanted_model:
        reasons.append(f"model {manifest.model_name} → {wanted_model}")
    reasons += _chunker_changes(manifest.chunker, asdict(chunker))
    if manifest.index_type != index_type:
        reasons.append(f"index type {manifest.index_type} → {index_type}")
    wanted_lexical = asdict(lexical or LexicalConfig())
    reasons += [
        f"lexical {key} {manifest.lexical.get(key)} → {value}"
        for key, value in wanted_lexical.items()
        if manifest.lexical.get(key) != value
    ]
    if corpus_dir.is_dir():
        indexed = {d.doc_id: d.sha256 for d in manifest.documents}
        on_disk = _corpus_hashes(corpus_dir)
        changed = sorted(d for d in on_disk.keys() & indexed.keys() if on_disk[d] != indexed[d])
        added = sorted(on_disk.keys() - indexed.keys())
        removed = sorted(indexed.keys() - on_disk.keys())
        for label, ids in (("changed", changed), ("added", added), ("removed", removed)):
            if ids:
                reasons.append(f"{label}: {', '.join(ids)}")
    return reasons
