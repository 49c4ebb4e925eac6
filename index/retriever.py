"""`Index`: build a saved index from a corpus folder, open it, and search it with citations."""

from __future__ import annotations

import importlib.metadata
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from alliance_qa import __version__
from alliance_qa.errors import IndexMismatchError, InputError, NotFoundError
from index.dense import build_dense, load_dense, save_dense, search_dense
from index.embedder import Embedder, SentenceTransformerEmbedder, Vectors
from index.manifest import FORMAT_VERSION, DocumentEntry, Manifest
from index.records import read_chunks, read_documents, write_chunks, write_documents
from index.store import publish_version, resolve_version, write_lock
from ingest.chunking import Chunk, ChunkerConfig, chunk_documents
from ingest.documents import Document, read_corpus
from ingest.sentences import split_sentences

MAX_QUESTION_CHARS = 1000
SECTION_SEPARATOR = " › "


@dataclass(frozen=True)
class Citation:
    """Where a passage stands: `document(doc_id)[start:end]` is the passage, to the character."""

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
    """One ranked passage: the exact chunk, where it stands, and how it scored."""

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


MODES = ("dense", "lexical", "hybrid")


def check_question(question: str) -> str:
    """The trimmed question, or `InputError` if it is empty or too long."""
    trimmed = question.strip()
    if not trimmed:
        raise InputError("the question is empty: ask something about the corpus")
    if len(trimmed) > MAX_QUESTION_CHARS:
        raise InputError(f"the question is {len(trimmed)} characters long; keep it to {MAX_QUESTION_CHARS}")
    return trimmed


def embedding_text(chunk: Chunk, *, context: bool) -> str:
    """What is embedded for a chunk: its heading path as context, then its exact text."""
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


def _library_versions() -> dict[str, str]:
    versions = {"alliance-qa": __version__}
    for package in ("faiss-cpu", "sentence-transformers", "torch", "bm25s", "tiktoken"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


class Index:
    """A searchable, cited index over a corpus: the library API other apps embed."""

    def __init__(
        self,
        folder: Path,
        manifest: Manifest,
        documents: Sequence[Document],
        chunks: Sequence[Chunk],
        dense: object,
        embedder: Embedder,
    ) -> None:
        self.folder = folder
        self.manifest = manifest
        self.embedder = embedder
        self.chunks = list(chunks)
        self._documents = {d.doc_id: d for d in documents}
        self._chunk_rows = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        self._dense = dense

    # ---- building and opening -------------------------------------------------------------

    @classmethod
    def build(
        cls,
        corpus_dir: Path,
        out_dir: Path,
        *,
        embedder: Embedder | None = None,
        chunker: ChunkerConfig | None = None,
        index_type: str = "flat",
        embed_context: bool = True,
        progress: bool = False,
    ) -> Index:
        """Read `corpus_dir`, chunk, embed and save a new index version under `out_dir`."""
        documents = read_corpus(corpus_dir)
        return cls.build_from_documents(
            documents,
            out_dir,
            embedder=embedder,
            chunker=chunker,
            index_type=index_type,
            embed_context=embed_context,
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
        progress: bool = False,
    ) -> Index:
        """Like `build`, from documents already read."""
        embedder = embedder or SentenceTransformerEmbedder()
        chunker = chunker or ChunkerConfig()
        if chunker.max_tokens > embedder.window - 2:
            raise InputError(
                f"max_tokens={chunker.max_tokens} exceeds the model's window of {embedder.window} "
                f"(minus 2 special tokens); use at most {embedder.window - 2}"
            )
        chunks = chunk_documents(documents, chunker, embedder.count_tokens)
        texts = []
        for chunk in chunks:
            text = embedding_text(chunk, context=embed_context)
            # context must never push source text out of the window
            texts.append(text if embedder.count_tokens(text) <= embedder.window - 2 else chunk.text)
        vectors = embedder.encode(texts, progress=progress)
        dense = build_dense(vectors, index_type=index_type)
        per_doc = {d.doc_id: 0 for d in documents}
        for chunk in chunks:
            per_doc[chunk.doc_id] += 1
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
                DocumentEntry(d.doc_id, d.title, d.sha256, d.size, per_doc[d.doc_id]) for d in documents
            ),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            versions=_library_versions(),
        )

        def fill(folder: Path) -> None:
            write_documents(folder, documents)
            write_chunks(folder, chunks)
            save_dense(dense, folder)
            manifest.write(folder)  # last: a folder with a manifest is complete

        with write_lock(out_dir):
            folder = publish_version(out_dir, fill)
        return cls(folder, manifest, documents, chunks, dense, embedder)

    @classmethod
    def open(cls, path: Path, *, embedder: Embedder | None = None) -> Index:
        """Open the index at `path`, checking its manifest against this code and the model."""
        folder = resolve_version(path)
        manifest = Manifest.read(folder)
        embedder = embedder or SentenceTransformerEmbedder()
        if manifest.model_name != embedder.name or manifest.dimension != embedder.dimension:
            raise IndexMismatchError(
                f"{path}: built with model {manifest.model_name} ({manifest.dimension} dimensions), "
                f"but the configured model is {embedder.name} ({embedder.dimension} dimensions); "
                "rebuild it with `alliance-qa ingest` or configure the model it was built with"
            )
        documents = read_documents(folder)
        chunks = read_chunks(folder)
        if len(chunks) != manifest.chunk_count or len(documents) != len(manifest.documents):
            raise IndexMismatchError(
                f"{folder}: the manifest counts {manifest.chunk_count} chunks in {len(manifest.documents)} "
                f"documents, the files hold {len(chunks)} in {len(documents)}; rebuild with `alliance-qa ingest`"
            )
        dense = load_dense(folder, expected=len(chunks), dimension=manifest.dimension)
        return cls(folder, manifest, documents, chunks, dense, embedder)

    # ---- reading ----------------------------------------------------------------------------

    def documents(self) -> list[Document]:
        """Every document in the index, in id order."""
        return list(self._documents.values())

    def document(self, doc_id: str) -> Document:
        """The full document: citations' offsets index into `document(doc_id).text`."""
        try:
            return self._documents[doc_id]
        except KeyError:
            raise NotFoundError(
                f"no document {doc_id!r}; known ids: {', '.join(sorted(self._documents))}"
            ) from None

    def chunk(self, chunk_id: str) -> Chunk:
        """The chunk with this id."""
        try:
            return self.chunks[self._chunk_rows[chunk_id]]
        except KeyError:
            raise NotFoundError(f"no chunk {chunk_id!r} in this index") from None

    def citation(self, chunk: Chunk) -> Citation:
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

    # ---- searching --------------------------------------------------------------------------

    def encode_query(self, question: str) -> Vectors:
        return self.embedder.encode([question])[0:1]

    def search(
        self, question: str, *, k: int = 5, mode: str = "dense", doc_ids: Sequence[str] | None = None
    ) -> list[Hit]:
        """The `k` passages that best match `question`, best first, each with its citation."""
        return self.ask(question, k=k, mode=mode, doc_ids=doc_ids).hits

    def ask(
        self, question: str, *, k: int = 5, mode: str = "dense", doc_ids: Sequence[str] | None = None
    ) -> Result:
        """Search, then pick the answer sentence; `answerable` is False when nothing fits."""
        question = check_question(question)
        if k < 1:
            raise InputError(f"k must be at least 1, got {k}")
        if mode not in MODES:
            raise InputError(f"unknown mode {mode!r}: choose one of {', '.join(MODES)}")
        if mode != "dense":
            raise InputError(f"mode {mode!r} is not available yet: use 'dense'")
        allowed = self._check_doc_ids(doc_ids)
        timings: dict[str, float] = {}
        started = time.perf_counter()
        query = self.encode_query(question)
        timings["encode"] = (time.perf_counter() - started) * 1000
        # ask FAISS for more when filtering, so k survive the filter
        wanted = len(self.chunks) if allowed is not None else k
        scores, rows = search_dense(self._dense, query, wanted)  # type: ignore[arg-type]
        hits: list[Hit] = []
        for score, row in zip(scores.tolist(), rows.tolist(), strict=True):
            chunk = self.chunks[row]
            if allowed is not None and chunk.doc_id not in allowed:
                continue
            hits.append(
                Hit(
                    rank=len(hits) + 1,
                    score=float(score),
                    chunk=chunk,
                    citation=self.citation(chunk),
                    scores={"dense": float(score), "lexical": None},
                    ranks={"dense": len(hits) + 1, "lexical": None},
                )
            )
            if len(hits) == k:
                break
        timings["dense"] = (time.perf_counter() - started) * 1000 - timings["encode"]
        mark = time.perf_counter()
        hits = [replace(h, highlight=self._first_sentence(h.chunk)) for h in hits]
        answer = None
        if hits and hits[0].highlight is not None:
            start, end = hits[0].highlight
            top = hits[0]
            document = self._documents[top.chunk.doc_id]
            answer = Answer(
                text=document.text[start:end],
                citation=replace(
                    top.citation,
                    start=start,
                    end=end,
                    line_start=document.text.count("\n", 0, start) + 1,
                    line_end=document.text.count("\n", 0, end) + 1,
                ),
                score=top.score,
            )
        timings["answer"] = (time.perf_counter() - mark) * 1000
        timings["total"] = (time.perf_counter() - started) * 1000
        return Result(question, answer is not None, answer, hits, timings)

    @staticmethod
    def _first_sentence(chunk: Chunk) -> tuple[int, int] | None:
        # interim: the passage's first sentence; the retrieval-quality work picks the best one
        spans = split_sentences(chunk.text, offset=chunk.start)
        return spans[0] if spans else None

    def _check_doc_ids(self, doc_ids: Sequence[str] | None) -> set[str] | None:
        if doc_ids is None:
            return None
        unknown = [d for d in doc_ids if d not in self._documents]
        if unknown:
            raise InputError(
                f"unknown doc_ids: {', '.join(map(repr, unknown))}; known ids: {', '.join(sorted(self._documents))}"
            )
        return set(doc_ids)
