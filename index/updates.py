"""Change the documents of a saved index: add, replace, remove, resync — re-embedding only what changed.

Every change builds a complete new version beside the live one (see `index/store.py`) and swaps it
in atomically; readers holding the old `Index` keep answering from it. Vectors of text that did not
change are reused by content hash (chunks and sentences alike), so an edit to one document costs the
embedding of that document, and a re-chunk of the corpus costs only the chunks whose text changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TypeVar

import numpy as np

from alliance_qa.errors import (
    AllianceQAError,
    ConflictError,
    IndexCorruptError,
    IndexMissingError,
    InputError,
    NotFoundError,
)
from index.answer import sentence_context_text
from index.embedder import Embedder, Vectors
from index.freshness import older_settings
from index.inputs import check_ids, check_path
from index.late import Stored, encode_with_tokens, supports_tokens, token_embedder
from index.lexical import LexicalConfig
from index.manifest import MANIFEST_FILE, Manifest
from index.ranking import SearchConfig
from index.records import DOCUMENTS_FILE, read_documents
from index.retriever import Index
from index.store import (
    CURRENT,
    VERSIONS,
    check_writable,
    finished_versions,
    owning_home,
    relink_version,
    resolve_version,
    write_lock,
)
from ingest.chunking import LAYOUT, Chunk, ChunkerConfig
from ingest.documents import Document, read_corpus
from ingest.structure import table_header

logger = logging.getLogger(__name__)

T = TypeVar("T")  # what a cache holds per text: a vector, or a chunk's piece vectors


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _reuse(
    known: dict[str, T], texts: Sequence[str], embed: Callable[[list[str]], Iterable[T]]
) -> tuple[list[T], int]:
    """Each text's entry in `known` (by content hash), `embed`ding only the missing ones; and how many."""
    keys = [_key(t) for t in texts]
    missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in known}
    if missing:
        known.update(zip(missing, embed(list(missing.values())), strict=True))
    return [known[k] for k in keys], len(missing)


class CachedEmbedder:
    """An embedder that looks texts up by content hash before asking the model."""

    def __init__(
        self, inner: Embedder, known: Mapping[str, Vectors], known_tokens: Mapping[str, Stored] | None = None
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.window = inner.window
        self.path = getattr(inner, "path", "")
        self.gives_tokens = supports_tokens(inner)
        self._known = dict(known)
        self._known_tokens = dict(known_tokens or {})
        self.encoded = 0  # texts the model actually embedded: what a change cost

    def encode(self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False) -> Vectors:
        vectors, embedded = _reuse(
            self._known,
            texts,
            lambda batch: self.inner.encode(batch, batch_size=batch_size, progress=progress),
        )
        self.encoded += embedded
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack(vectors).astype(np.float32, copy=False)

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return self.inner.encode_queries(texts)

    def encode_tokens(self, texts: Sequence[str], *, batch_size: int = 32) -> list[Stored]:
        inner = token_embedder(self.inner)
        pieces, _ = _reuse(
            self._known_tokens, texts, lambda batch: inner.encode_tokens(batch, batch_size=batch_size)
        )
        return pieces

    def encode_with_tokens(
        self, texts: Sequence[str], *, batch_size: int = 32, progress: bool = False
    ) -> tuple[Vectors, list[Stored]]:
        """`encode` and `encode_tokens` at once: the texts missing either go to the model
        together (`index.late.encode_with_tokens`)."""
        keys = [_key(t) for t in texts]
        missing = {
            k: t
            for k, t in zip(keys, texts, strict=True)
            if k not in self._known or k not in self._known_tokens
        }
        if missing:
            vectors, pieces = encode_with_tokens(
                self.inner, list(missing.values()), batch_size=batch_size, progress=progress
            )
            self._known.update(zip(missing, vectors, strict=True))
            self._known_tokens.update(zip(missing, pieces, strict=True))
            self.encoded += len(missing)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32), []
        return np.stack([self._known[k] for k in keys]).astype(np.float32, copy=False), [
            self._known_tokens[k] for k in keys
        ]

    def encode_query_tokens(self, text: str) -> tuple[Vectors, Vectors]:
        return token_embedder(self.inner).encode_query_tokens(text)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)


def known_vectors(index: Index) -> dict[str, Vectors]:
    """Content hash → vector for every chunk and sentence text the index embedded."""
    known: dict[str, Vectors] = {}
    texts = {d.doc_id: d.text for d in index.documents()}
    table = index.sentences
    for i, (row, start, end) in enumerate(zip(table.rows, table.starts, table.ends, strict=True)):
        chunk = index.chunks[int(row)]
        sentence = texts[chunk.doc_id][int(start) : int(end)]
        known[_key(sentence)] = table.vectors[i]
        if table.context is not None:
            # the text embedded: a table row under its header row, as `build_sentences` frames it
            header = table_header(texts[chunk.doc_id], int(start))
            known[_key(sentence_context_text(chunk.section, sentence, header))] = table.context[i]
    vectors = index.chunk_vectors()
    if vectors is not None:
        # keyed by the text embedded: a chunk whose headings would pass the window went in alone
        known.update(zip(map(_key, index.embedded_texts()), vectors, strict=True))
    return known


def known_tokens(index: Index) -> dict[str, Stored]:
    """Content hash of each chunk's embedded text → its content pieces' vectors (none without a table)."""
    table = index.tokens
    if table is None:
        return {}
    return {
        # views of the table's rows, not copies: a write to a large index held the table twice
        _key(text): table.rows_of(row)
        for row, text in enumerate(index.embedded_texts())
    }


def _version_documents(folder: Path) -> list[Document]:
    """The documents of the version `folder`, read from its documents.jsonl alone: a version this
    code cannot open (another format or model, a damaged vector file) still holds every text."""
    documents = read_documents(folder)
    if wrong := [d.doc_id for d in documents if _key(d.text) != d.sha256]:
        raise IndexCorruptError(
            f"{folder / DOCUMENTS_FILE} is damaged (the text of {wrong[0]!r} does not match its sha256)"
        )
    return documents


def _readable_versions(home: Path, *, before: Path) -> list[tuple[Path, int]]:
    """The versions of `home` older than `before` whose documents can be read, newest first, with
    how many documents each holds."""
    found = []
    for folder in reversed(finished_versions(home)):
        if folder.name < before.name:
            try:
                found.append((folder, len(_version_documents(folder))))
            except (AllianceQAError, OSError):
                continue
    return found


def _recover_documents(home: Path, folder: Path) -> list[Document]:
    """The documents of `home`'s version `folder`, which cannot be opened; or, when they cannot be
    read either, an error naming the folder and the recovery: nothing may be built over them."""
    try:
        return _version_documents(folder)
    except (AllianceQAError, OSError) as exc:
        why = str(exc).split(";")[0]
    older = _readable_versions(home, before=folder)
    fallback = (
        f"; or serve the newest older version, {VERSIONS}/{older[0][0].name} ({older[0][1]} documents; the "
        f"changes made after it are lost): `alliance-qa repair --index {home} --version {older[0][0].name}`"
        if older
        else f"; no other version in {home / VERSIONS} can be read"
    )
    raise IndexCorruptError(
        f"the index at {home} cannot be opened, and the documents of its version {folder} cannot be read "
        f"({why}), so nothing is built over them: fix that folder (its owner and permissions), or "
        f"restore the index from a backup{fallback}"
    )


def _newest_opening(home: Path, embedder: Embedder, *, besides: Path) -> Index | None:
    """The newest version of `home` other than `besides` that opens (its vectors spare embedding)."""
    for folder in reversed(finished_versions(home)):
        if folder.resolve() != besides.resolve():
            try:
                return Index.open(folder, embedder=embedder)
            except (AllianceQAError, OSError):
                continue
    return None


def _open_or_recover(home: Path, embedder: Embedder) -> tuple[Index | None, list[Document]]:
    """The live index at `home` and its documents. When it cannot be opened (a version of another
    format or model, or damaged), its documents as its documents.jsonl holds them, and the newest
    version that opens, whose vectors are reused; when nothing is there, none."""
    try:
        current = Index.open(home, embedder=embedder)
    except IndexMissingError:
        return None, []
    except (AllianceQAError, OSError):
        live = resolve_version(home)  # a home of versions without its `current` link: refused here
        documents = _recover_documents(home, live)
        return _newest_opening(home, embedder, besides=live), documents
    return current, current.documents()


def indexed_ids(home: Path) -> set[str]:
    """The ids of the documents the index at `home` holds, from its manifest, or from its
    documents.jsonl when the manifest cannot be read (another format); empty when neither can be."""
    try:
        folder = resolve_version(home)
    except AllianceQAError:
        return set()
    try:
        return {d.doc_id for d in Manifest.read(folder).documents}
    except AllianceQAError:
        pass
    try:
        return {d.doc_id for d in _version_documents(folder)}
    except (AllianceQAError, OSError):
        return set()


def _built_with(folder: Path) -> dict[str, object]:
    """The settings a version's manifest names, read leniently: one of another format still says
    how its documents were cut and searched."""
    try:
        data = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _chunker_of(settings: Mapping[str, object]) -> ChunkerConfig:
    """The chunker a manifest names, read the current way (`LAYOUT`); the default when it names none."""
    named = settings.get("chunker")
    fields = set(ChunkerConfig.__dataclass_fields__)
    known = {k: v for k, v in named.items() if k in fields} if isinstance(named, dict) else {}
    try:
        return ChunkerConfig(**{**known, "layout": LAYOUT})
    except (TypeError, ValueError):
        return ChunkerConfig()


def repair(
    home: Path | str, *, embedder: Embedder, version: str | None = None, progress: bool = False
) -> tuple[Index, str]:
    """Bring the index at `home` back into service without losing a document; return it and what
    was done, in words.

    - It opens: nothing is done, unless it was built by an older alliance-qa (documents read by an
      older layout, or without a lexical setting added since): then it is rebuilt the current way
      from its own documents, reusing its chunks' vectors, as a write would.
    - Its `current` link is missing (a copy made without links) or names a version that is gone:
      `current` is pointed at the newest version, if that opens.
    - Its live version cannot be opened (another format or model, a damaged file) but its
      documents.jsonl can be read: a new version is built from those documents, reusing the vectors
      of the newest version that opens.
    - Nothing can be read: refused, naming the folder; `version` (a folder name in `versions/`)
      then serves that older version again, a choice that loses the changes made after it.
    """
    home = owning_home(check_path(home, name="home"))
    with write_lock(home) as home:
        finished = finished_versions(home)
        if version is not None:
            chosen = home / VERSIONS / version
            if chosen not in finished:
                names = ", ".join(f.name for f in finished) or "none"
                raise NotFoundError(f"no version {version!r} in {home / VERSIONS}: it holds {names}")
            index = Index.open(chosen, embedder=embedder)  # one that does not open is not served
            check_writable(home)
            relink_version(home, chosen)
            return index, f"`{CURRENT}` now names {VERSIONS}/{version} ({len(index.documents())} documents)"
        link = home / CURRENT
        if link.exists():
            try:
                opened = Index.open(home, embedder=embedder)
            except IndexMissingError:
                raise
            except (AllianceQAError, OSError) as exc:
                why = str(exc).split(";")[0]
            else:
                if not (older := older_settings(opened.manifest)):
                    return opened, "it opens as it is: nothing to repair"
                # it opens, but is searched the old way until a write rebuilds it (after an upgrade,
                # the Japanese of an index built before `cjk` was matched by no word): rebuilt now
                check_writable(home)
                index, embedded = _publish(
                    home,
                    {d.doc_id: d for d in opened.documents()},
                    embedder=embedder,
                    current=opened,
                    progress=progress,
                )
                return index, (
                    f"it was built by an older alliance-qa ({'; '.join(older)}): rebuilt from its "
                    f"{len(index.documents())} documents, {embedded} texts embedded"
                )
            live = resolve_version(home)
        elif finished:
            live = finished[-1]
            try:
                index = Index.open(live, embedder=embedder)
            except (AllianceQAError, OSError) as exc:
                why = f"{CURRENT} was missing, and the newest version does not open: {str(exc).split(';')[0]}"
            else:
                relink_version(home, live)
                return index, (
                    f"`{CURRENT}` was missing: it now names {VERSIONS}/{live.name}, the newest version "
                    f"({len(index.documents())} documents)"
                )
        else:
            resolve_version(home)  # says there is no index, and how to build one
            raise AssertionError("unreachable")  # pragma: no cover
        documents = _recover_documents(home, live)
        check_writable(home)
        base = _newest_opening(home, embedder, besides=live)
        built = _built_with(live)
        index_type = built.get("index_type")
        index, embedded = _publish(
            home,
            {d.doc_id: d for d in documents},
            embedder=embedder,
            current=base,
            chunker=_chunker_of(built),
            index_type=index_type if isinstance(index_type, str) else None,
            progress=progress,
        )
        return index, (
            f"{VERSIONS}/{live.name} could not be opened ({why}): rebuilt from its "
            f"{len(documents)} documents, {embedded} texts embedded"
        )


def _publish(
    home: Path,
    documents: Mapping[str, Document],
    *,
    embedder: Embedder,
    current: Index | None,
    chunker: ChunkerConfig | None = None,
    index_type: str | None = None,
    late_interaction: bool | None = None,
    progress: bool = False,
    config: SearchConfig | None = None,
) -> tuple[Index, int]:
    if not documents:
        raise InputError("that would leave the index with no documents; add one before removing the last")
    manifest = current.manifest if current else None
    # the index's chunk sizes, documents read the current way (`ChunkerConfig.layout`): a write
    # also brings an index from before a layout up to date, cutting every document again; with
    # the layout and sizes unchanged, a document kept as it was keeps its chunks
    chunker = chunker or (
        ChunkerConfig(**{**manifest.chunker, "layout": LAYOUT}) if manifest else ChunkerConfig()
    )
    known_chunks: dict[tuple[str, str], list[Chunk]] = {}
    if current is not None and manifest is not None and manifest.chunker == asdict(chunker):
        shas = {d.doc_id: d.sha256 for d in manifest.documents}
        for chunk in current.chunks:
            known_chunks.setdefault((chunk.doc_id, shas[chunk.doc_id]), []).append(chunk)
    cached = CachedEmbedder(
        embedder, known_vectors(current) if current else {}, known_tokens(current) if current else {}
    )
    updated = Index.build_from_documents(
        [documents[d] for d in sorted(documents)],
        home,
        embedder=cached,
        chunker=chunker,
        known_chunks=known_chunks,
        index_type=index_type or (manifest.index_type if manifest else "flat"),
        embed_context=manifest.embed_context if manifest else True,
        lexical=LexicalConfig.rebuilt(manifest.lexical) if manifest else None,
        # a change keeps the index's choice; one from before late interaction (None) gains it
        late_interaction=late_interaction
        if late_interaction is not None
        else (manifest is None or manifest.tokens != 0),
        config=config if config is not None else (current.config if current else None),
        progress=progress,
        # documents without passages that an index took before they were refused stay, unchanged
        held={(e.doc_id, e.sha256) for e in manifest.documents if e.chunks == 0} if manifest else (),
        # a document kept as it was keeps the languages read in it (none: an index from before them)
        known_languages={
            (e.doc_id, e.sha256): e.languages for e in manifest.documents if e.languages is not None
        }
        if manifest
        else None,
    )
    updated.embedder = embedder  # queries go straight to the model, not through the cache
    return updated, cached.encoded


def _check_consistent(upserts: Sequence[Document], removals: Sequence[str]) -> None:
    """Refuse changes that contradict each other, rather than pick one silently: an id both
    upserted and removed, or upserted twice (as the folder reader refuses two files of one id)."""
    seen: set[str] = set()
    for document in upserts:
        if document.doc_id in seen:
            raise InputError(
                f"document {document.doc_id!r} is upserted twice, so one would replace the other; "
                "upsert it once"
            )
        seen.add(document.doc_id)
    if both := sorted(seen & set(removals)):
        raise InputError(
            f"document {both[0]!r} is both upserted and removed; pass it in one of upserts or removals"
        )
    if twice := sorted(d for d, n in Counter(removals).items() if n > 1):
        raise InputError(f"document {twice[0]!r} is removed twice; name it once")


def apply_changes(
    home: Path | str,
    *,
    embedder: Embedder,
    upserts: Iterable[Document] = (),
    removals: Iterable[str] = (),
    create_only: bool = False,
    base: Index | None = None,
    config: SearchConfig | None = None,
    progress: bool = False,
) -> tuple[Index, int]:
    """Publish a new version of the index at `home` with these changes; return it and texts embedded.

    `create_only` refuses an upsert whose id exists (ConflictError). The current version is read
    under the write lock, so concurrent changes apply one after another and none is lost.

    The returned index answers with `config` (a `SearchConfig`), or else with that of `base`, the
    index the caller holds and replaces with the one returned; with neither, with the defaults. An
    app that opened its index with a config of its own passes one of them, or its abstention
    threshold and other settings are gone from the index it gets back.

    With `progress`, cutting and embedding say how far they are on stderr, as `sync_folder` and
    `Index.build` do: embedding runs at a few kB of text a second on two cores (a 100 kB
    document took 33 s), so a 5 MB one holds the call for half an hour or more.
    """
    home = check_path(home, name="home")
    removals = check_ids(removals, name="removals")
    if isinstance(upserts, Document):
        raise InputError(f"upserts is one Document ({upserts.doc_id!r}), not a list of them: pass [document]")
    upserts = list(upserts)
    if wrong := [u for u in upserts if not isinstance(u, Document)]:
        raise InputError(
            f"upserts must be Documents (ingest.make_document or read_document), got {wrong[0]!r:.60} "
            f"({type(wrong[0]).__name__})"
        )
    _check_consistent(upserts, removals)
    # no index there: say so before the lock makes the folder and its .lock, which a failed call
    # would leave behind (the check is made again, under the lock, by Index.open)
    resolve_version(home)
    with write_lock(home) as home:
        current = _live(home, embedder, base, config)
        documents = {d.doc_id: d for d in current.documents()}
        for doc_id in removals:
            if doc_id not in documents:
                raise NotFoundError(f"no document {doc_id!r} to remove")
            del documents[doc_id]
        for document in upserts:
            if create_only and document.doc_id in documents:
                raise ConflictError(
                    f"document {document.doc_id!r} exists; replace it (PUT /v1/documents/{document.doc_id} "
                    "or `alliance-qa add --replace`)"
                )
        unchanged = (
            not removals
            and current.manifest.chunker.get("layout") == LAYOUT  # else a write brings it up to date
            and all((held := documents.get(d.doc_id)) is not None and held.text == d.text for d in upserts)
        )
        if unchanged:  # a PUT of the same text again: nothing to build, no new version
            return current, 0
        check_writable(home)  # before the embedding, which a read-only or full disk would waste
        if older := older_settings(current.manifest):
            # the write rebuilds it the current way (an older layout: every document cut again),
            # so a one-line PUT can take as long as a rebuild; the log said only "replaced or added"
            logger.info(
                "%s was built by an older alliance-qa (%s): this write brings it up to date",
                home,
                "; ".join(older),
            )
        documents.update((d.doc_id, d) for d in upserts)
        return _publish(home, documents, embedder=embedder, current=current, progress=progress)


def _live(home: Path, embedder: Embedder, base: Index | None, config: SearchConfig | None = None) -> Index:
    """The live version of the index at `home`, answering with `config` (else `base`'s): `base`
    itself when it is that version, opened with this model and config (a service's write: opening
    it again built a second ranker, 0.46 s of a one-line PUT's 1.1 s at 43 documents, session 20);
    opened otherwise."""
    if (
        base is not None
        and base.folder.resolve() == resolve_version(home).resolve()
        and (base.manifest.model_name, base.manifest.dimension) == (embedder.name, embedder.dimension)
        and (config is None or config is base.config)
    ):
        return base
    return Index.open(
        home, embedder=embedder, config=config if config is not None else (base.config if base else None)
    )


def sync_folder(
    home: Path | str,
    corpus_dir: Path | str,
    *,
    embedder: Embedder,
    chunker: ChunkerConfig,
    index_type: str = "flat",
    keep_extra: bool = False,
    late_interaction: bool = True,
    progress: bool = False,
    config: SearchConfig | None = None,
) -> tuple[Index, int]:
    """Make the index at `home` hold the documents of `corpus_dir`, with these settings.

    The returned index answers with `config` (a `SearchConfig`; the defaults when None), as
    `apply_changes` does.

    With `keep_extra`, documents the index has beyond the folder (added through the API or
    `alliance-qa add`) are kept; without it the index mirrors the folder exactly. An index this
    code cannot open (another format or model, damaged) is rebuilt from its own documents.jsonl;
    when that cannot be read either, nothing is built (`IndexCorruptError` names the folder).
    """
    home, corpus_dir = check_path(home, name="home"), check_path(corpus_dir, name="corpus_dir")
    folder_documents = {d.doc_id: d for d in read_corpus(corpus_dir)}
    with write_lock(home) as home:
        # an index that cannot be opened still holds its documents: they are kept (or, mirroring,
        # named as removed) as an open one's are; one whose documents cannot be read is refused
        current, held = _open_or_recover(home, embedder)
        if current is not None or held:
            check_writable(home)  # before the embedding (a first build has nothing to lose by trying)
        documents = dict(folder_documents)
        if keep_extra:
            documents = {d.doc_id: d for d in held} | folder_documents
        return _publish(
            home,
            documents,
            embedder=embedder,
            current=current,
            chunker=chunker,
            index_type=index_type,
            late_interaction=late_interaction,
            progress=progress,
            config=config,
        )
