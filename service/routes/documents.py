"""Documents and chunks: the texts citations point into."""

from __future__ import annotations

from fastapi import APIRouter

from index.retriever import Index
from service.deps import IndexDep
from service.problems import documented
from service.schemas import ChunkOut, DocumentOut, DocumentSummary

router = APIRouter(prefix="/v1", tags=["documents"], responses=documented(404, 503))


def _chunk_counts(index: Index) -> dict[str, int]:
    return {entry.doc_id: entry.chunks for entry in index.manifest.documents}


@router.get("/documents")
def list_documents(index: IndexDep) -> list[DocumentSummary]:
    """Every document in the index, with its size, hash and chunk count."""
    counts = _chunk_counts(index)
    return [DocumentSummary.of(d, chunks=counts.get(d.doc_id, 0)) for d in index.documents()]


@router.get("/documents/{doc_id}")
def get_document(doc_id: str, index: IndexDep) -> DocumentOut:
    """One document with its full text: `text[start:end]` is what a citation quotes."""
    document = index.document(doc_id)
    return DocumentOut.full(document, chunks=_chunk_counts(index).get(doc_id, 0))


@router.get("/chunks/{chunk_id}")
def get_chunk(chunk_id: str, index: IndexDep) -> ChunkOut:
    """One passage as the index cut it, with its citation."""
    return ChunkOut.of(index.chunk(chunk_id), index)
