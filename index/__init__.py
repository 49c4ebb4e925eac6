r"""Embed, store and search: the retrieval library other apps embed.

from pathlib import Path
from index import Index, apply_changes, load_embedder
from ingest import make_document

index = Index.build(Path("corpus"), Path("var/index"))   # or Index.open(Path("var/index"))
# the embedder defaults to sentence-transformers on torch; the service's faster path (ONNX Runtime,
# questions in int8, documents in float32; the export is cached in the folder given):
#   index = Index.open(Path("var/index"), embedder=load_embedder("onnx-int8", cache_dir=Path("var/cache/onnx")))
result = index.ask("Which exercise do Japan and India hold?", k=3)  # mode="hybrid" by default
if result.answer:
    print(result.answer.text, result.answer.citation.label())
for hit in result.hits:
    print(hit.citation.label(), hit.scores, hit.chunk.text)

# add, replace or remove documents: a new version, swapped in atomically, as the API and CLI do
notes = make_document("port-visits", b"Port visits\n\nThe Kongo called in May 2025.\n")
# base=index: the new index answers with this one's config; `index.refreshed()` follows other writers
index, embedded = apply_changes(Path("var/index"), embedder=index.embedder, upserts=[notes], base=index)
"""

from __future__ import annotations

from index.abstention import DEFAULT_RULE, AbstentionRule, Signals
from index.embedder import Embedder, SentenceTransformerEmbedder, default_model_path, load_embedder
from index.lexical import LexicalConfig
from index.manifest import Manifest
from index.ranking import SearchConfig
from index.retriever import MODES, Answer, Citation, Hit, Index, Result
from index.updates import apply_changes, sync_folder

__all__ = [
    "DEFAULT_RULE",
    "MODES",
    "AbstentionRule",
    "Answer",
    "Citation",
    "Embedder",
    "Hit",
    "Index",
    "LexicalConfig",
    "Manifest",
    "Result",
    "SearchConfig",
    "SentenceTransformerEmbedder",
    "Signals",
    "apply_changes",
    "default_model_path",
    "load_embedder",
    "sync_folder",
]
