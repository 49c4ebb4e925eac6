"""`Index`: build a saved index from a corpus folder, open it, and search it with citations."""

from __future__ import annotations

import bisect
import hashlib
import importlib.metadata
import re
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alliance_qa import __version__
from alliance_qa.errors import IndexCorruptError, IndexMismatchError, InputError, NoTextError, NotFoundError
from index.abstention import Signals
from index.answer import SECTION_SEPARATOR, SentenceTable, build_sentences
from index.dense import build_dense, load_dense, save_dense
from index.embedder import Embedder, SentenceTransformerEmbedder, Vectors
from index.inputs import check_embedder, check_ids, check_k, check_path, some_of
from index.languages import note, text_languages
from index.late import TOKEN_VECTORS_FILE, TokenTable, encode_with_tokens, supports_tokens, token_embedder
from index.lexical import LexicalConfig, LexicalIndex
from index.manifest import FORMAT_VERSION, DocumentEntry, Manifest
from index.phrasing import encoding_text
from index.ranking import Ranker, Ranking, SearchConfig, blas
from index.records import DOCUMENTS_FILE, read_chunks, read_documents, write_chunks, write_documents
from index.store import (
    CURRENT,
    index_home,
    publish_version,
    repair_advice,
    resolve_version,
    with_recovery,
    write_lock,
)
from ingest.chunking import Chunk, ChunkerConfig, chunk_documents, line_starts
from ingest.documents import Document, read_corpus

OPEN_ATTEMPTS = 3  # a version pruned while it was read: open the one current now, this often in all
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Citation:
    """Where a passage stands: `index.document(doc_id).text[start:end]` is the passage, to the character."""

    doc_id: str
    title: str
    section: tuple[str, ...]
    start: int
    end: int
    line_start: int
    line_end: int
    doc_sha256: str

    def label(self) -> str:
        """`Title › Section · lines 41–48`, as a person reads it."""
        lines = (
            f"line {self.line_start}"
            if self.line_start == self.line_end
            else f"lines {self.line_start}–{self.line_end}"
        )
        return f"{SECTION_SEPARATOR.join(self.section)} · {lines}"


@dataclass(frozen=True)
class Hit:
    """One ranked passage: the exact chunk, where it stands, and how it scored.

    `highlight` is the answer sentence's span in the document, like `citation.start` and `end`:
    `index.document(hit.citation.doc_id).text[start:end]`; in the passage itself it is
    `hit.chunk.text[start - hit.citation.start : end - hit.citation.start]`. None when no sentence
    of the passage was picked.
    """

    rank: int  # 1-based
    score: float
    chunk: Chunk
    citation: Citation
    scores: dict[str, float | None] = field(default_factory=dict)  # per mode: "dense", "lexical"
    ranks: dict[str, int | None] = field(default_factory=dict)
    highlight: tuple[int, int] | None = None  # absolute offsets of the best-answering sentence


@dataclass(frozen=True)
class Answer:
    """The sentence that best answers the question, with its own citation."""

    text: str
    citation: Citation  # start/end (and lines) of the sentence itself
    score: float


@dataclass(frozen=True)
class Result:
    """What `Index.ask` returns: ranked passages, the answer if the corpus has one, and timings."""

    question: str
    answerable: bool
    answer: Answer | None
    hits: list[Hit]
    timings_ms: dict[str, float]
    # the abstention rule's belief that the corpus answers it, 0..1 (0 when a name, number or office
    # the texts never mention, or another check before the logistic part, refused it)
    confidence: float | None = None
    signals: Signals | None = None  # what the abstention rule decided from
    refusal: str | None = None  # why the corpus does not answer it, for the reader; None when it does
    # the question is in another language than the documents it was matched with, and so may be
    # answered in theirs: "the question is in English and the document chosen is in German (…): …,
    # so ask in German" (`index/languages.py`); a refusal ends with it too
    language_note: str | None = None


MODES = ("dense", "lexical", "hybrid")
RETRIEVERS = ("dense", "lexical")  # the keys of Hit.scores and Hit.ranks
DEFAULT_MODE = "hybrid"


def check_question(question: str, *, limit: int) -> str:
    """The trimmed question, or `InputError` if it is empty, too long, or holds a lone surrogate
    (JSON's "\\ud800" escape decodes to one: it is half of a character, no text the model can read,
    and crashed the tokenizer with a 500 before session 16)."""
    if not isinstance(question, str):
        decode = "; decode it first (question.decode('utf-8'))" if isinstance(question, bytes) else ""
        raise InputError(f"the question must be a str, got {type(question).__name__}{decode}")
    trimmed = question.strip()
    if not trimmed:
        raise InputError("the question is empty: ask something about the corpus")
    if len(trimmed) > limit:
        raise InputError(f"the question is {len(trimmed)} characters long; keep it to {limit}")
    if (surrogate := LONE_SURROGATE.search(trimmed)) is not None:
        raise InputError(
            f"the question holds a lone surrogate (U+{ord(surrogate.group()):04X}) at character "
            f"{surrogate.start() + 1}, half of a character and no text: send the question as UTF-8"
        )
    return trimmed


def embedding_text(chunk: Chunk, *, context: bool) -> str:
    """What is embedded for a chunk: its heading path as context, then its exact text.

    Tried in session 15 and not kept: Markdown's link and image targets left out of every embedded
    text ("[3.4.0](https://github.com/…/compare/3.3.2...3.4.0) (2024-10-08)" read as "3.4.0
    (2024-10-08)"). Over 53 of the 294 files of session 11 (the 23 files with links that 23 of its
    check questions are about, and 30 others), both indexes built whole: dense hit@1 .565 → .652,
    nDCG@10 .644 → .717 (3 questions better, 1 worse, p = .25), but hybrid hit@1 .609 → .696 and
    nDCG .723 → .750 with 3 better and 4 worse (p = .69): not enough to change what every index
    embeds (and which vectors an update may reuse).
    """
    if not context:
        return chunk.text
    heading = chunk.section[-1]
    prefix = SECTION_SEPARATOR.join(chunk.section)
    # a chunk that opens with its heading already carries it
    return (
        chunk.text
        if chunk.text.startswith(heading) and len(chunk.section) == 1
        else f"{prefix}\n{chunk.text}"
    )


def embedded_texts(chunks: Sequence[Chunk], embedder: Embedder, *, context: bool) -> list[str]:
    """Per chunk, the text its vector (and its token vectors) are embedded from."""
    texts = []
    for chunk in chunks:
        text = embedding_text(chunk, context=context)
        # context must never push source text out of the window
        texts.append(text if embedder.count_tokens(text) <= embedder.window - 2 else chunk.text)
    return texts


def _library_versions() -> dict[str, str]:
    versions = {"alliance-qa": __version__}
    for package in ("faiss-cpu", "sentence-transformers", "torch", "bm25s", "tiktoken", "py3langid"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def _check_texts(folder: Path, manifest: Manifest, documents: Sequence[Document]) -> None:
    """Is each document's text the one the manifest hashed? Citations index into it and give its
    sha256, so a text edited in place would cite characters that were never indexed."""
    hashes = {entry.doc_id: entry.sha256 for entry in manifest.documents}
    for document in documents:
        expected = hashes.get(document.doc_id)
        if expected is None:
            problem = "is not in the manifest"
        elif document.sha256 != expected:
            problem = "has another sha256 than the manifest gives it"
        elif hashlib.sha256(document.text.encode("utf-8")).hexdigest() != expected:
            problem = "has a text that does not match its sha256 in the manifest (edited after the build?)"
        else:
            continue
        raise IndexCorruptError(
            f"{folder / DOCUMENTS_FILE}: document {document.doc_id!r} {problem}; rebuild with "
            "`alliance-qa ingest`"
        )


class Index:
    """A searchable, cited index over a corpus: the library API other apps embed.

    An `Index` answers from the version it was opened on (a snapshot), whatever is published at its
    home afterwards; `refreshed()` gives the version live now.
    """

    def __init__(
        self,
        folder: Path,
        manifest: Manifest,
        documents: Sequence[Document],
        chunks: Sequence[Chunk],
        dense: object,
        embedder: Embedder,
        *,
        lexical: LexicalIndex,
        sentences: SentenceTable,
        tokens: TokenTable | None = None,
        config: SearchConfig | None = None,
    ) -> None:
        self.folder = folder
        self.manifest = manifest
        self.embedder = embedder
        self.chunks = list(chunks)
        self.lexical = lexical
        self.sentences = sentences
        self.tokens = tokens
        self._documents = {d.doc_id: d for d in documents}
        # each document's languages as the manifest records them; read from the text on first use
        # in an index from before they were (`languages`)
        self._languages = {e.doc_id: e.languages for e in manifest.documents}
        self._chunk_rows = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        # where each document's lines start, found on its first answer (26 ms for a 2.7 MB text)
        self._line_starts: dict[str, list[int]] = {}
        self._ranker = Ranker(
            documents=documents,
            chunks=self.chunks,
            dense=dense,
            lexical=lexical,
            sentences=sentences,
            tokens=tokens,
        )
        self.config = config or SearchConfig()
        # where new versions are published, and the one this is (`refreshed`); None: a pinned version
        self._home: Path | None = None
        self._version = folder.resolve()

    # ---- building and opening -------------------------------------------------------------

    @classmethod
    def build(
        cls,
        corpus_dir: Path | str,
        out_dir: Path | str,
        *,
        embedder: Embedder | None = None,
        chunker: ChunkerConfig | None = None,
        index_type: str = "flat",
        embed_context: bool = True,
        lexical: LexicalConfig | None = None,
        late_interaction: bool = True,
        config: SearchConfig | None = None,
        progress: bool = False,
    ) -> Index:
        """Read `corpus_dir`, chunk, embed and save a new index version under `out_dir`.

        `late_interaction` keeps each chunk's word-piece vectors (when the embedder gives them) for
        hybrid re-ranking (`index/late.py`); a very large corpus may do without their memory.
        """
        documents = read_corpus(check_path(corpus_dir, name="corpus_dir"))
        return cls.build_from_documents(
            documents,
            check_path(out_dir, name="out_dir"),
            embedder=embedder,
            chunker=chunker,
            index_type=index_type,
            embed_context=embed_context,
            lexical=lexical,
            late_interaction=late_interaction,
            config=config,
            progress=progress,
        )

    @classmethod
    def build_from_documents(
        cls,
        documents: Sequence[Document],
        out_dir: Path,
        *,
        embedder: Embedder | None = None,
        chunker: ChunkerConfig | None = None,
        index_type: str = "flat",
        embed_context: bool = True,
        lexical: LexicalConfig | None = None,
        late_interaction: bool = True,
        config: SearchConfig | None = None,
        progress: bool = False,
        held: Collection[tuple[str, str]] = (),
        known_chunks: Mapping[tuple[str, str], Sequence[Chunk]] | None = None,
        known_languages: Mapping[tuple[str, str], tuple[str, ...]] | None = None,
    ) -> Index:
        """Like `build`, from documents already read.

        A document the chunker cuts no passage from is refused (`NoTextError`), unless its
        `(doc_id, sha256)` is in `held`: one an index took before such documents were refused.
        `known_chunks` are chunks already cut with this `chunker` and `embedder`, by `(doc_id,
        sha256)`, taken as they are (`ingest.chunking.chunk_documents`); `known_languages` the
        languages read in such documents (`index/languages.py`).
        """
        embedder = check_embedder(embedder) or SentenceTransformerEmbedder()
        chunker = chunker or ChunkerConfig()
        lexical_config = lexical or LexicalConfig()
        if chunker.max_tokens > embedder.window - 2:
            raise InputError(
                f"max_tokens={chunker.max_tokens} exceeds the model's window of {embedder.window} "
                f"(minus 2 special tokens); use at most {embedder.window - 2}"
            )
        chunks = chunk_documents(
            documents, chunker, embedder.count_tokens, progress=progress, known=known_chunks
        )
        cut = {c.doc_id for c in chunks}
        if empty := [d.doc_id for d in documents if d.doc_id not in cut and (d.doc_id, d.sha256) not in held]:
            raise NoTextError(empty)  # before any embedding, and nothing is written
        texts = embedded_texts(chunks, embedder, context=embed_context)
        tokens: TokenTable | None = None
        if late_interaction and supports_tokens(embedder):
            # the chunks' pooled and word-piece vectors, from one model run where it can
            vectors, pieces = encode_with_tokens(embedder, texts, progress=progress)
            tokens = TokenTable.of(pieces, embedder.dimension)
        else:
            vectors = embedder.encode(texts, progress=progress)
        dense = build_dense(vectors, index_type=index_type)
        lexical_index = LexicalIndex.build(
            [embedding_text(c, context=lexical_config.headings) for c in chunks], config=lexical_config
        )
        sentences = build_sentences(
            chunks, {d.doc_id: d.text for d in documents}, embedder, context=embed_context, progress=progress
        )
        per_doc = {d.doc_id: 0 for d in documents}
        for chunk in chunks:
            per_doc[chunk.doc_id] += 1
        known_languages = known_languages or {}
        languages = {
            d.doc_id: known
            if (known := known_languages.get((d.doc_id, d.sha256))) is not None
            else text_languages(d.text)
            for d in documents
        }
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            model_name=embedder.name,
            model_path=str(getattr(embedder, "path", "")),
            dimension=embedder.dimension,
            window=embedder.window,
            chunker=asdict(chunker),
            embed_context=embed_context,
            index_type=index_type,
            documents=tuple(
                DocumentEntry(d.doc_id, d.title, d.sha256, d.size, per_doc[d.doc_id], languages[d.doc_id])
                for d in documents
            ),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            versions=_library_versions(),
            lexical=lexical_index.params(),
            sentences=len(sentences),
            tokens=0 if tokens is None else len(tokens.vectors),
        )

        def fill(folder: Path) -> None:
            write_documents(folder, documents)
            write_chunks(folder, chunks)
            save_dense(dense, folder)
            lexical_index.save(folder)
            sentences.save(folder)
            if tokens is not None:
                tokens.save(folder)
            manifest.write(folder)  # last: a folder with a manifest is complete

        with write_lock(out_dir) as home:
            folder = publish_version(home, fill)
        index = cls(
            folder,
            manifest,
            documents,
            chunks,
            dense,
            embedder,
            lexical=lexical_index,
            sentences=sentences,
            tokens=tokens,
            config=config,
        )
        index._home = home.absolute()  # an app may change its working folder after
        return index

    @classmethod
    def open(
        cls, path: Path | str, *, embedder: Embedder | None = None, config: SearchConfig | None = None
    ) -> Index:
        """Open the index at `path`, checking its manifest against this code and the model.

        A writer publishing while this reads may prune the version `current` named when it began
        (two newer ones published, `KEEP_VERSIONS`): the version now current is opened instead.
        Session 18: 2 of 1,332 opens beside a writer in a loop were told the intact index was
        damaged and to rebuild it.
        """
        path = check_path(path, name="path")
        embedder = check_embedder(embedder) or SentenceTransformerEmbedder()
        config = _check_config(config)
        for attempt in range(OPEN_ATTEMPTS):
            folder = resolve_version(path)
            try:
                index = cls._open_version(path, folder, embedder=embedder, config=config)
                # a version folder named itself stays that version; a home (or its link) is followed
                home = index_home(path)
                index._home = None if home == path and folder == path else home.absolute()
                return index
            except (IndexCorruptError, IndexMismatchError) as exc:
                if folder.exists() or attempt == OPEN_ATTEMPTS - 1:
                    # the advice keeps the documents: a rebuild from the corpus folder drops those
                    # added over HTTP or with `add`
                    raise with_recovery(exc, path) from None
            except OSError as exc:
                if folder.exists() or attempt == OPEN_ATTEMPTS - 1:
                    raise IndexCorruptError(
                        f"{folder} cannot be read ({exc}); {repair_advice(path)}"
                    ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    @classmethod
    def _open_version(
        cls, path: Path, folder: Path, *, embedder: Embedder, config: SearchConfig | None
    ) -> Index:
        """Open the version `folder` of the index at `path`."""
        manifest = Manifest.read(folder)
        if manifest.model_name != embedder.name or manifest.dimension != embedder.dimension:
            raise IndexMismatchError(
                f"{path}: built with model {manifest.model_name} ({manifest.dimension} dimensions), "
                f"but the configured model is {embedder.name} ({embedder.dimension} dimensions); open it "
                "with its own model (`embedder=` in Python, ALLIANCE_QA_MODEL_PATH for the service), or "
                "rebuild it with `alliance-qa ingest`"
            )
        documents = read_documents(folder)
        chunks = read_chunks(folder)
        if len(chunks) != manifest.chunk_count or len(documents) != len(manifest.documents):
            raise IndexMismatchError(
                f"{folder}: the manifest counts {manifest.chunk_count} chunks in {len(manifest.documents)} "
                f"documents, the files hold {len(chunks)} in {len(documents)}; rebuild with `alliance-qa ingest`"
            )
        _check_texts(folder, manifest, documents)
        dense = load_dense(folder, expected=len(chunks), dimension=manifest.dimension)
        lexical = LexicalIndex.load(
            folder, config=LexicalConfig.from_json(manifest.lexical), expected=len(chunks)
        )
        if lexical.params()["vocabulary"] != manifest.lexical.get("vocabulary"):
            raise IndexCorruptError(
                f"{folder}: the lexical index has {lexical.params()['vocabulary']} terms, the manifest says "
                f"{manifest.lexical.get('vocabulary')}; rebuild with `alliance-qa ingest`"
            )
        sentences = SentenceTable.load(folder, chunks=len(chunks), dimension=manifest.dimension)
        if len(sentences) != manifest.sentences:
            raise IndexCorruptError(
                f"{folder}: {len(sentences)} sentence rows, the manifest says {manifest.sentences}; "
                "rebuild with `alliance-qa ingest`"
            )
        tokens = None
        if (folder / TOKEN_VECTORS_FILE).exists():  # an index from before late interaction has none
            tokens = TokenTable.load(
                folder, chunks=len(chunks), dimension=manifest.dimension, count=manifest.tokens or 0
            )
        return cls(
            folder,
            manifest,
            documents,
            chunks,
            dense,
            embedder,
            lexical=lexical,
            sentences=sentences,
            tokens=tokens,
            config=config,
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # its model session, FAISS index and tables do not pickle: a ProcessPoolExecutor given
        # `index.ask` failed with "cannot pickle 'mappingproxy' object" or an onnxruntime type
        raise TypeError(
            f"an Index is not sent to another process: open it there, Index.open({str(self._home or self.folder)!r}, "
            "embedder=…) (in a pool's initializer, say), and send questions and results, which pickle"
        )

    def refreshed(self) -> Index:
        """This index, or the version live at its home now if a writer has published one since.

        A writer in another process (`alliance-qa add`, the HTTP API, `apply_changes`) publishes a
        new version beside this one; this `Index` goes on answering from its own until dropped, even
        once the writer has pruned it. Call this before a question, or on a timer: when nothing was
        published it costs one link lookup and returns `self`, else it opens the live version with
        this index's embedder and config. An index opened from a version folder itself
        (`versions/NAME`) keeps that version.
        """
        if self._home is None:
            return self
        try:
            live = (self._home / CURRENT).resolve(strict=True)
        except OSError:  # the home lost its link: Index.open says what is wrong and what to run
            live = None
        if live == self._version:
            return self
        return Index.open(self._home, embedder=self.embedder, config=self.config)

    # ---- reading ----------------------------------------------------------------------------

    def documents(self) -> list[Document]:
        """Every document in the index, in id order."""
        return list(self._documents.values())

    def document(self, doc_id: str) -> Document:
        """The full document: citations' offsets index into `document(doc_id).text`."""
        if not isinstance(doc_id, str):
            raise InputError(
                f"doc_id must be one document id (str), got {doc_id!r:.60} ({type(doc_id).__name__})"
            )
        try:
            return self._documents[doc_id]
        except KeyError:
            raise NotFoundError(
                f"no document {doc_id!r}; known ids: {some_of(sorted(self._documents))}"
            ) from None

    def languages(self, doc_id: str) -> tuple[str, ...]:
        """The ISO 639-1 codes of the languages a document is written in, most of it first
        (`("de",)`, `("ja", "en")`); () when none is sure, as for a table of figures."""
        languages = self._languages.get(doc_id)
        if languages is None:
            languages = self._languages[doc_id] = text_languages(self.document(doc_id).text)
        return languages

    def chunk(self, chunk_id: str) -> Chunk:
        """The chunk with this id."""
        if not isinstance(chunk_id, str):  # a list met "unhashable type" in the lookup
            raise InputError(
                f"chunk_id must be one chunk id (str), got {chunk_id!r:.60} ({type(chunk_id).__name__})"
            )
        try:
            return self.chunks[self._chunk_rows[chunk_id]]
        except KeyError:
            raise NotFoundError(f"no chunk {chunk_id!r} in this index") from None

    def citation(self, chunk: Chunk) -> Citation:
        """Where `chunk`, one of this index's (`index.chunk(chunk_id)`), stands in its document."""
        if not isinstance(chunk, Chunk):
            raise InputError(f"chunk must be an ingest.Chunk, got {chunk!r:.60} ({type(chunk).__name__})")
        if chunk.chunk_id not in self._chunk_rows or chunk.doc_id not in self._documents:
            # a chunk cut elsewhere met a bare KeyError naming its document id
            raise NotFoundError(f"chunk {chunk.chunk_id!r} of document {chunk.doc_id!r} is not in this index")
        document = self._documents[chunk.doc_id]
        return Citation(
            doc_id=chunk.doc_id,
            title=document.title,
            section=chunk.section,
            start=chunk.start,
            end=chunk.end,
            line_start=chunk.line_start,
            line_end=chunk.line_end,
            doc_sha256=document.sha256,
        )

    def chunk_vectors(self) -> Vectors | None:
        """The chunk vectors as embedded, row by row; None when the index keeps only lossy codes."""
        return self._ranker.vectors if self._ranker.exact else None

    # ---- searching --------------------------------------------------------------------------

    def embedded_texts(self) -> list[str]:
        """Per chunk, the text its vectors were embedded from."""
        return embedded_texts(self.chunks, self.embedder, context=self.manifest.embed_context)

    def encode_query(self, question: str) -> Vectors:
        """The question's vector, one row, as the dense search reads it (the question as given)."""
        if not isinstance(question, str):  # the tokenizer said "TextInputSequence must be str"
            raise InputError(f"the question must be a str, got {type(question).__name__}")
        return self.embedder.encode_queries([question])[0:1]

    def _encode(self, text: str) -> tuple[Vectors, Vectors | None]:
        """The question's vector, and its content pieces' vectors when the index can use them."""
        if self.tokens is not None and supports_tokens(self.embedder):
            pooled, pieces = token_embedder(self.embedder).encode_query_tokens(text)
            return pooled[0], pieces
        return self.encode_query(text)[0], None

    def search(
        self, question: str, *, k: int = 5, mode: str = DEFAULT_MODE, doc_ids: Iterable[str] | None = None
    ) -> list[Hit]:
        """The `k` passages that best match `question`, best first, each with its citation."""
        return self.ask(question, k=k, mode=mode, doc_ids=doc_ids).hits

    def ask(
        self, question: str, *, k: int = 5, mode: str = DEFAULT_MODE, doc_ids: Iterable[str] | None = None
    ) -> Result:
        """Search, then pick each passage's answer sentence; `answerable` is False when nothing fits.

        `mode` is "dense" (embeddings), "lexical" (BM25) or "hybrid" (both, fused). A question is
        1 to `config.max_question_chars` (1,000) characters once trimmed.
        """
        question = check_question(question, limit=self.config.max_question_chars)
        k = check_k(k)
        if mode not in MODES:
            raise InputError(f"unknown mode {mode!r}: choose one of {', '.join(MODES)}")
        if doc_ids is not None:
            doc_ids = check_ids(doc_ids, name="doc_ids")
            if not doc_ids:  # as HTTP says it (service/routes/ask.py): an empty filter matches nothing
                raise InputError("doc_ids is empty: leave it out (or None) to search every document")
            if unknown := [d for d in dict.fromkeys(doc_ids) if d not in self._documents]:
                raise InputError(
                    f"unknown doc_ids: {some_of([repr(d) for d in unknown])}; "
                    f"known ids: {some_of(sorted(self._documents))}"
                )
        allowed = self._ranker.allowed_rows(doc_ids)
        timings: dict[str, float] = {}
        started = mark = time.perf_counter()

        def lap(stage: str) -> None:
            nonlocal mark
            now = time.perf_counter()
            timings[stage] = (now - mark) * 1000
            mark = now

        # "can you tell me what gsomia is" → "what GSOMIA is" → "what General Security … Agreement is"
        searched = self._ranker.read(question)
        query, pieces = self._encode(encoding_text(searched))  # without "What is the … ?"
        lap("encode")
        # numpy's BLAS on one thread meanwhile: every product here is small, and a second BLAS thread
        # made them slower; with the other core busy (a second worker, the encoder's threads) the
        # late-interaction products took 21 ms instead of 0.6 (measured)
        with blas().limit(limits=1, user_api="blas"):
            ranking = self._ranker.rank(
                searched, query, k=k, mode=mode, allowed=allowed, lap=lap, pieces=pieces
            )
        hits = [self._hit(ranking, i) for i in range(len(ranking.picked))]
        answer = None
        if hits and (sentence := ranking.answers[ranking.answer_from]) is not None and ranking.answerable:
            answer = self._answer(
                hits[ranking.answer_from],
                self._ranker.answer_span(sentence),
                ranking.answer_scores[ranking.answer_from],
            )
        language_note = None
        # a question in a script the texts never use is refused as such, "…: ask in their language"
        if ranking.signals is None or ranking.signals.script is None:
            scope = list(dict.fromkeys(doc_ids)) if doc_ids is not None else list(self._documents)
            language_note = note(
                question,
                {d: self.languages(d) for d in scope},
                [hit.citation.doc_id for hit in hits],
                answered=answer is not None,
                chosen=doc_ids is not None,
                closest=ranking.signals.closest if ranking.signals is not None else (),
            )
        lap("answer")
        timings["total"] = (time.perf_counter() - started) * 1000
        refusal = None if answer is not None else ranking.refusal or "no passage matches it"
        if refusal is not None and language_note is not None:
            refusal = f"{refusal} — {language_note}"
        return Result(
            question,
            answer is not None,
            answer,
            hits,
            timings,
            ranking.confidence,
            ranking.signals,
            refusal,
            language_note,
        )

    @property
    def config(self) -> SearchConfig:
        """The query-time settings (fusion weights, de-duplication, abstention); assignable."""
        return self._ranker.config

    @config.setter
    def config(self, config: SearchConfig | None) -> None:
        # checked here as in `open`: a wrong value failed only at the next question, far from its cause
        self._ranker.config = _check_config(config) or SearchConfig()

    def _hit(self, ranking: Ranking, i: int) -> Hit:
        row = int(ranking.picked.rows[i])
        chunk = self.chunks[row]
        sentence = ranking.answers[i]
        return Hit(
            rank=i + 1,
            score=float(ranking.picked.scores[i]),
            chunk=chunk,
            citation=self.citation(chunk),
            scores={**dict.fromkeys(RETRIEVERS), **ranking.mode_scores(row)},
            ranks={**dict.fromkeys(RETRIEVERS), **ranking.mode_ranks(row)},
            highlight=None if sentence is None else self._ranker.sentence_span(sentence),
        )

    def _answer(self, hit: Hit, span: tuple[int, int], score: float) -> Answer:
        start, end = span
        document = self._documents[hit.chunk.doc_id]
        # lines counted as a chunk's are (\r\n, \r or \n): an answer cites the lines its passage does
        starts = self._line_starts.get(document.doc_id)
        if starts is None:
            starts = self._line_starts[document.doc_id] = line_starts(document.text)
        line_start = bisect.bisect_right(starts, start)
        line_end = bisect.bisect_right(starts, max(start, end - 1))
        return Answer(
            text=document.text[start:end],
            citation=replace(
                hit.citation,
                start=start,
                end=end,
                line_start=line_start,
                line_end=line_end,
            ),
            score=score,
        )


def _check_config(config: object) -> SearchConfig | None:
    """`config`, if it is a SearchConfig or None: a dict failed at the first question, and `{}` was
    taken for no config at all."""
    if config is None or isinstance(config, SearchConfig):
        return config
    raise InputError(
        f"config must be an index.SearchConfig (or None for the defaults), got {config!r:.60} "
        f"({type(config).__name__})"
    )
