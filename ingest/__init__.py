"""Read and chunk: corpus folder → `Document` records → `Chunk` records with exact offsets."""

from __future__ import annotations

from ingest.chunking import Chunk, ChunkerConfig, chunk_document, chunk_documents
from ingest.documents import Document, make_document, read_corpus, read_document
from ingest.structure import Block, parse_blocks
from ingest.tokens import WordPieceCounter, cl100k_encoding, count_cl100k

__all__ = [
    "Block",
    "Chunk",
    "ChunkerConfig",
    "Document",
    "WordPieceCounter",
    "chunk_document",
    "chunk_documents",
    "cl100k_encoding",
    "count_cl100k",
    "make_document",
    "parse_blocks",
    "read_corpus",
    "read_document",
]
