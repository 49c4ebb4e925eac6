"""Embed, store and search: the retrieval library other apps embed.

from pathlib import Path
from index import Index

index = Index.build(Path("corpus"), Path("var/index"))   # or Index.open(Path("var/index"))
for hit in index.search("Which exercise do Japan and India hold?", k=3):
    print(hit.citation.label(), hit.chunk.text)
"""

from __future__ import annotations

from index.embedder import Embedder, SentenceTransformerEmbedder, default_model_path
from index.manifest import Manifest
from index.retriever import Answer, Citation, Hit, Index, Result

__all__ = [
    "Answer",
    "Citation",
    "Embedder",
    "Hit",
    "Index",
    "Manifest",
    "Result",
    "SentenceTransformerEmbedder",
    "default_model_path",
]
