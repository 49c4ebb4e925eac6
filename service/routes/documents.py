"""Documents and chunks: the texts citations point into, and (with a key) adding, replacing, removing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from index.retriever import Index
from service.auth import ReaderDep, WriterDep
from service.deps import IndexDep, SettingsDep, install_index
from service.problems import documented
from service.schemas import DOC_ID, ChunkOut, DocumentIn, DocumentOut, DocumentSummary, WriteResult
from service.uploads import read_document_upload

# 401/403 on reads only when they are closed (ALLIANCE_QA_OPEN_READS=false)
router = APIRouter(prefix="/v1", tags=["documents"], responses=documented(401, 403, 404, 503))

# the write endpoints read JSON or multipart themselves; this tells OpenAPI (and clients) both shapes
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": DocumentIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "a .txt or .md file; on POST without `doc_id` its name gives "
                            "the id (`My notes (draft).txt` is `My-notes-draft`), on PUT the path does",
                        },
                        "doc_id": {"type": "string", **DOC_ID},
                    },
                }
            },
        },
    }
}
WRITE_ERRORS = documented(400, 401, 403, 409, 413, 415, 422)
DocId = Annotated[str, Path(description="the document's id", json_schema_extra=DOC_ID)]


def _chunk_counts(index: Index) -> dict[str, int]:
    return {entry.doc_id: entry.chunks for entry in index.manifest.documents}


@router.get("/documents")
@router.head("/documents", include_in_schema=False)  # as `routes/health.py`
def list_documents(index: IndexDep, _: ReaderDep) -> list[DocumentSummary]:
    """Every document in the index, with its size, hash, chunk count and languages."""
    counts = _chunk_counts(index)
    return [
        DocumentSummary.of(d, chunks=counts.get(d.doc_id, 0), languages=index.languages(d.doc_id))
        for d in index.documents()
    ]


@router.get("/documents/{doc_id}")
@router.head("/documents/{doc_id}", include_in_schema=False)  # as `routes/health.py`
def get_document(doc_id: DocId, index: IndexDep, _: ReaderDep) -> DocumentOut:
    """One document with its full text: `text[start:end]` is what a citation quotes."""
    document = index.document(doc_id)
    return DocumentOut.full(
        document, chunks=_chunk_counts(index).get(doc_id, 0), languages=index.languages(doc_id)
    )


@router.get("/chunks/{chunk_id}")
@router.head("/chunks/{chunk_id}", include_in_schema=False)  # as `routes/health.py`
def get_chunk(chunk_id: str, index: IndexDep, _: ReaderDep) -> ChunkOut:
    """One passage as the index cut it, with its citation."""
    return ChunkOut.of(index.chunk(chunk_id), index)


async def _write(request: Request, index: Index, **changes: Any) -> tuple[Index, int]:
    """Apply a change as a new index version and make it the one every later request reads."""
    from index.updates import apply_changes

    settings = request.app.state.settings
    updated, embedded = await run_in_threadpool(
        apply_changes, settings.index_dir, embedder=index.embedder, base=index, **changes
    )
    install_index(request.app.state, updated)  # a reference swap: requests already running keep the old one
    return updated, embedded


def _result(index: Index, doc_id: str, embedded: int) -> WriteResult:
    summary = DocumentSummary.of(
        index.document(doc_id), chunks=_chunk_counts(index).get(doc_id, 0), languages=index.languages(doc_id)
    )
    return WriteResult(**summary.model_dump(), embedded=embedded, index_version=index.folder.name)


@router.post("/documents", status_code=201, openapi_extra=UPLOAD_BODY, responses=WRITE_ERRORS)
async def add_document(
    request: Request, response: Response, index: IndexDep, settings: SettingsDep, _: WriterDep
) -> WriteResult:
    """Add a document (JSON or a .txt/.md upload); 409 if its id exists. Needs the write key."""
    document = await read_document_upload(request, settings, doc_id=None)
    updated, embedded = await _write(request, index, upserts=[document], create_only=True)
    response.headers["Location"] = f"/v1/documents/{document.doc_id}"
    return _result(updated, document.doc_id, embedded)


@router.put("/documents/{doc_id}", openapi_extra=UPLOAD_BODY, responses=WRITE_ERRORS)
async def replace_document(
    doc_id: DocId, request: Request, index: IndexDep, settings: SettingsDep, _: WriterDep
) -> WriteResult:
    """Replace a document's text (or add it under this id). Needs the write key."""
    document = await read_document_upload(request, settings, doc_id=doc_id)
    updated, embedded = await _write(request, index, upserts=[document])
    return _result(updated, document.doc_id, embedded)


@router.delete("/documents/{doc_id}", status_code=204, responses=WRITE_ERRORS)
async def delete_document(doc_id: DocId, request: Request, index: IndexDep, _: WriterDep) -> Response:
    """Remove a document and its passages. Needs the write key."""
    index.document(doc_id)  # 404 before any work when it is not there
    await _write(request, index, removals=[doc_id])
    return Response(status_code=204)
