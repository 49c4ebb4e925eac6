"""The JSON shapes of the HTTP API (`/v1`): pydantic lives here, at the boundary, and nowhere else."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from index.retriever import Answer, Citation, Hit, Index, Result
from ingest.chunking import Chunk
from ingest.documents import DOC_ID_PATTERN, Document

Mode = Literal["hybrid", "dense", "lexical"]

QUESTION_EXAMPLE = "What is the name of the joint exercise between Japan and India?"
# what the schema tells clients (and fuzzers) the service accepts; the routes check it, with messages
# that name the configured limits, so these are documentation only
NOT_BLANK: dict[str, Any] = {"minLength": 1, "pattern": r"\S"}
K_RANGE: dict[str, Any] = {"minimum": 1, "maximum": 50}
DOC_ID: dict[str, Any] = {"pattern": DOC_ID_PATTERN.pattern}


def whole_number(value: Any) -> Any:
    """A number with no fraction as the integer it is (JSON's 1.0 is 1); one with a fraction refused.

    To JSON Schema, so to the OpenAPI document, 1.0 is an integer, and `GET /v1/ask?k=1.0` was
    answered while `POST` refused `{"k": 1.0}`. Text ("2") and true are left for strict int to refuse.
    """
    if isinstance(value, float):
        if not value.is_integer():  # 1.5, and also inf and nan
            raise PydanticCustomError("whole_number", "Input should be a whole number")
        return int(value)
    return value


def whole_number_text(value: Any) -> Any:
    """A link's "1.0" (or "1e0") as 1 and its "1.5" refused, as `whole_number` reads the body's."""
    if not isinstance(value, str):
        return value
    try:
        int(value)  # "2", " 2", "+2": int parsing reads it exactly (a float could round it)
        return value
    except ValueError:
        pass
    try:
        number = float(value)
    except ValueError:  # no number at all ("five"): int parsing names it
        return value
    return whole_number(number)


class AskRequest(BaseModel):
    """A question, and how to search for it."""

    # an unknown field is a typo the caller wants to hear about, not silently ignore
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"question": QUESTION_EXAMPLE, "k": 5}]}
    )

    question: str = Field(description="1 to 1000 characters once trimmed", json_schema_extra=NOT_BLANK)
    # strict: pydantic would read JSON true as 1 and "3" as 3, which the schema calls invalid
    k: Annotated[int, BeforeValidator(whole_number)] = Field(
        5, strict=True, description="how many passages, 1 to 50", json_schema_extra=K_RANGE
    )
    mode: Mode = Field("hybrid", description="hybrid fuses dense (meaning) and lexical (words) ranks")
    doc_ids: list[str] | None = Field(None, description="search only these documents; null searches all")


class CitationOut(BaseModel):
    """Where a text stands: `GET /v1/documents/{doc_id}` `.text[start:end]` is it, to the character."""

    doc_id: str
    title: str
    section: list[str] = Field(description="heading path; section[0] is the document title")
    start: int = Field(description="code-point offset into the document text")
    end: int
    line_start: int = Field(description="1-based, inclusive")
    line_end: int
    doc_sha256: str = Field(description="SHA-256 of the document's UTF-8 bytes")

    @classmethod
    def of(cls, citation: Citation) -> CitationOut:
        return cls(
            doc_id=citation.doc_id,
            title=citation.title,
            section=list(citation.section),
            start=citation.start,
            end=citation.end,
            line_start=citation.line_start,
            line_end=citation.line_end,
            doc_sha256=citation.doc_sha256,
        )


class Span(BaseModel):
    """Absolute code-point offsets into the document text."""

    start: int
    end: int


class Scores(BaseModel):
    """Per-retriever scores; null when that retriever did not rank the passage."""

    dense: float | None = None
    lexical: float | None = None


class Passage(BaseModel):
    """One ranked passage with its exact citation."""

    rank: int = Field(description="1-based")
    text: str = Field(description="exactly document.text[citation.start:citation.end]")
    score: float
    scores: Scores
    chunk_id: str
    citation: CitationOut
    highlight: Span | None = Field(description="the sentence that best answers, as document offsets")

    @classmethod
    def of(cls, hit: Hit) -> Passage:
        return cls(
            rank=hit.rank,
            text=hit.chunk.text,
            score=hit.score,
            scores=Scores(dense=hit.scores.get("dense"), lexical=hit.scores.get("lexical")),
            chunk_id=hit.chunk.chunk_id,
            citation=CitationOut.of(hit.citation),
            highlight=None if hit.highlight is None else Span(start=hit.highlight[0], end=hit.highlight[1]),
        )


class AnswerOut(BaseModel):
    """The sentence that best answers the question, cited on its own."""

    text: str
    citation: CitationOut

    @classmethod
    def of(cls, answer: Answer) -> AnswerOut:
        return cls(text=answer.text, citation=CitationOut.of(answer.citation))


class SearchResponse(BaseModel):
    """Ranked passages for a question, without choosing an answer."""

    question: str = Field(description="the question as searched (trimmed)")
    passages: list[Passage]
    timings_ms: dict[str, float] = Field(description="milliseconds per stage, and the total")

    @classmethod
    def of(cls, result: Result) -> SearchResponse:
        return cls(
            question=result.question,
            passages=[Passage.of(h) for h in result.hits],
            timings_ms=result.timings_ms,
        )


class AskResponse(SearchResponse):
    """Ranked passages, and the answer sentence when the corpus has one."""

    answerable: bool = Field(description="false when the corpus does not answer the question")
    answer: AnswerOut | None
    refusal: str | None = Field(
        default=None,
        description='why the corpus does not answer the question, for the reader ("the texts never '
        'mention “Malabar”"); null when it does',
    )
    confidence: float | None = Field(
        default=None,
        description="the abstention rule's belief that the corpus answers the question, 0 to 1; it "
        "answers at ALLIANCE_QA_MIN_CONFIDENCE or above (0 when a check before that refused it, null "
        "when no passage was found)",
    )
    language_note: str | None = Field(
        default=None,
        description="the question is in another language than the documents it was matched with, and "
        'what to ask in ("the question is in English and the document chosen is in German (…): …, so ask '
        'in German to search it"); a refusal ends with it too. null otherwise',
    )

    @classmethod
    def of(cls, result: Result) -> AskResponse:
        return cls(
            question=result.question,
            answerable=result.answerable,
            answer=None if result.answer is None else AnswerOut.of(result.answer),
            refusal=result.refusal,
            confidence=result.confidence,
            language_note=result.language_note,
            passages=[Passage.of(h) for h in result.hits],
            timings_ms=result.timings_ms,
        )


class DocumentSummary(BaseModel):
    """A document in the index."""

    doc_id: str
    title: str
    size: int = Field(description="bytes")
    sha256: str
    chunks: int
    languages: list[str] = Field(
        description='ISO 639-1 codes of the languages it is written in, most of it first (["de"], '
        '["ja", "en"]); empty when none is sure'
    )

    @classmethod
    def of(cls, document: Document, *, chunks: int, languages: Sequence[str]) -> DocumentSummary:
        return cls(
            doc_id=document.doc_id,
            title=document.title,
            size=document.size,
            sha256=document.sha256,
            chunks=chunks,
            languages=list(languages),
        )


class DocumentOut(DocumentSummary):
    """A document with its full text: citations' offsets index into exactly this text."""

    text: str

    @classmethod
    def full(cls, document: Document, *, chunks: int, languages: Sequence[str]) -> DocumentOut:
        summary = DocumentSummary.of(document, chunks=chunks, languages=languages)
        return cls(**summary.model_dump(), text=document.text)


class DocumentIn(BaseModel):
    """A document to add or replace: its title is its first line."""

    model_config = ConfigDict(extra="forbid")

    doc_id: str | None = Field(
        None,
        description="letters, digits, '-', '_' or '.', at most 128; required when adding",
        json_schema_extra=DOC_ID,
    )
    text: str = Field(description="the full UTF-8 text", json_schema_extra=NOT_BLANK)


class WriteResult(DocumentSummary):
    """A document after a write, and what the write cost."""

    embedded: int = Field(description="texts the model embedded for this change (unchanged text is reused)")
    index_version: str


class ChunkOut(BaseModel):
    """One stored passage, as the index cut it."""

    chunk_id: str
    doc_id: str
    text: str
    section: list[str]
    n_tokens: int = Field(description="embedding-model word pieces")
    citation: CitationOut

    @classmethod
    def of(cls, chunk: Chunk, index: Index) -> ChunkOut:
        return cls(
            chunk_id=chunk.chunk_id,
            doc_id=chunk.doc_id,
            text=chunk.text,
            section=list(chunk.section),
            n_tokens=chunk.n_tokens,
            citation=CitationOut.of(index.citation(chunk)),
        )


class Health(BaseModel):
    """The process is up."""

    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    """The index is loaded: a summary of its manifest (with `ALLIANCE_QA_OPEN_READS=false`, for the
    key only; the folder, when a key is set, for the key only)."""

    status: Literal["ready"] = "ready"
    folder: str | None = None
    model: str | None = None
    documents: int | None = None
    chunks: int | None = None
    format_version: int | None = None
    created_at: str | None = None
    chunker: dict[str, Any] | None = None
    lexical: dict[str, Any] | None = Field(None, description="the settings its BM25 index is searched with")
    outdated: list[str] | None = Field(
        None,
        description="how it was built by an older alliance-qa (an older layout, a lexical setting added "
        "since); `alliance-qa repair` or the next write brings it up to date",
    )


class Problem(BaseModel):
    """An RFC 9457 problem (`application/problem+json`), the body of every error."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[dict[str, str]] | None = Field(None, description="per-field problems, on validation errors")
