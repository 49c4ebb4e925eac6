"""Haystack 2 (`haystack-ai`) on the alliance corpus: dense and hybrid retrieval, as its docs build them.

Run by `benchmarks/frameworks.py` in `var/bench-venvs/haystack` (see `_common.py` for the protocol):

    var/bench-venvs/haystack/bin/python benchmarks/frameworks/haystack_run.py INPUT.json OUTPUT.json

Indexing (both configurations): `Document(content=text, meta={"doc_id"})` per essay →
`DocumentSplitter()` at its defaults (split_by="word", split_length=200, split_overlap=0: 200
space-separated words) → `SentenceTransformersDocumentEmbedder(model=<MiniLM folder>)` →
`DocumentWriter` into an `InMemoryDocumentStore()` (dot product; the model normalises, so cosine).
No `DocumentCleaner`: the essays are already plain text, and cleaning would move the offsets.

- dense: `SentenceTransformersTextEmbedder` → `InMemoryEmbeddingRetriever(top_k=10)`.
- hybrid: the same, plus `InMemoryBM25Retriever(top_k=10)` (the store's default BM25L), both into
  `DocumentJoiner(join_mode="reciprocal_rank_fusion", top_k=10)`: the hybrid-retrieval tutorial
  without its cross-encoder ranker (that would be a second model).
- hybrid-example: the same hybrid over the chunks of the hybrid tutorial's indexing pipeline,
  `DocumentSplitter(split_by="word", split_length=512, split_overlap=32)`.

Passages are located by the splitter's own `split_idx_start` (checked against the text).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import _common
from _common import Job, Passages, checked_span, measure, timed

PACKAGES = ("haystack-ai", "sentence-transformers", "transformers", "torch", "numpy")


DEFAULT_SPLITTER: dict[str, Any] = {}  # DocumentSplitter() itself: split_by="word", split_length=200
EXAMPLE_SPLITTER = {"split_by": "word", "split_length": 512, "split_overlap": 32}  # hybrid tutorial's


def build(job: Job, splitter: dict[str, Any]) -> tuple[Any, dict[str, int], Passages, dict[str, Any]]:
    """Split, embed and write the documents: the store, split id → passage, the passages, timings."""
    from haystack import Document, Pipeline
    from haystack.components.embedders import SentenceTransformersDocumentEmbedder
    from haystack.components.preprocessors import DocumentSplitter
    from haystack.components.writers import DocumentWriter
    from haystack.document_stores.in_memory import InMemoryDocumentStore

    store = InMemoryDocumentStore()
    indexing = Pipeline()
    indexing.add_component("splitter", DocumentSplitter(**splitter))
    indexing.add_component(
        "embedder", SentenceTransformersDocumentEmbedder(model=job.model_path, progress_bar=False)
    )
    indexing.add_component("writer", DocumentWriter(document_store=store))
    indexing.connect("splitter", "embedder")
    indexing.connect("embedder", "writer")
    _, load_s = timed(indexing.warm_up)  # loads the model, so the build time is the indexing alone
    documents = [Document(content=d["text"], meta={"doc_id": d["doc_id"]}) for d in job.documents]
    _, build_s = timed(lambda: indexing.run({"splitter": {"documents": documents}}))
    passages = Passages()
    by_id: dict[str, int] = {}
    splits = sorted(
        store.filter_documents(), key=lambda d: (d.meta["doc_id"], d.meta.get("split_idx_start", 0))
    )
    for split in splits:
        doc_id, content = split.meta["doc_id"], split.content or ""
        found = checked_span(job.text(doc_id), content, split.meta.get("split_idx_start"), None)
        span = (doc_id, found[0], found[1]) if found else None
        by_id[split.id] = passages.add(span, len(content), found[2] if found else "unlocated")
    used = indexing.get_component("splitter")
    timings = {
        "model_load_s": round(load_s, 3),
        "build_s": round(build_s, 3),
        "chunks": len(splits),
        "splitter": (
            f"DocumentSplitter({', '.join(f'{k}={v!r}' for k, v in splitter.items())}): "
            f"split_by={used.split_by!r}, split_length={used.split_length}, split_overlap={used.split_overlap}"
        ),
    }
    return store, by_id, passages, timings


def ranked(documents: Sequence[Any], by_id: dict[str, int]) -> list[tuple[int, float]]:
    """Haystack's returned documents as (passage index, score)."""
    return [(by_id[d.id], float(d.score if d.score is not None else 0.0)) for d in documents]


def dense(job: Job) -> dict[str, Any]:
    """Embedding retrieval over the splitter's default chunks."""
    from haystack import Pipeline
    from haystack.components.embedders import SentenceTransformersTextEmbedder
    from haystack.components.retrievers.in_memory import InMemoryEmbeddingRetriever

    store, by_id, passages, timings = build(job, DEFAULT_SPLITTER)
    query = Pipeline()
    query.add_component(
        "text_embedder", SentenceTransformersTextEmbedder(model=job.model_path, progress_bar=False)
    )
    query.add_component("retriever", InMemoryEmbeddingRetriever(document_store=store, top_k=job.k))
    query.connect("text_embedder.embedding", "retriever.query_embedding")
    query.warm_up()

    def search(question: str) -> list[tuple[int, float]]:
        result = query.run({"text_embedder": {"text": question}})
        return ranked(result["retriever"]["documents"], by_id)

    return measure(
        job,
        passages,
        search,
        **timings,
        retrieval="SentenceTransformersTextEmbedder → InMemoryEmbeddingRetriever(top_k=10), dot product",
        timed_call="query_pipeline.run(...)",
    )


def hybrid(job: Job, splitter: dict[str, Any] = DEFAULT_SPLITTER) -> dict[str, Any]:
    """BM25 and embedding retrieval joined by reciprocal rank fusion, as in Haystack's hybrid tutorial."""
    from haystack import Pipeline
    from haystack.components.embedders import SentenceTransformersTextEmbedder
    from haystack.components.joiners import DocumentJoiner
    from haystack.components.retrievers.in_memory import InMemoryBM25Retriever, InMemoryEmbeddingRetriever

    store, by_id, passages, timings = build(job, splitter)
    query = Pipeline()
    query.add_component(
        "text_embedder", SentenceTransformersTextEmbedder(model=job.model_path, progress_bar=False)
    )
    query.add_component("embedding_retriever", InMemoryEmbeddingRetriever(document_store=store, top_k=job.k))
    query.add_component("bm25_retriever", InMemoryBM25Retriever(document_store=store, top_k=job.k))
    query.add_component("joiner", DocumentJoiner(join_mode="reciprocal_rank_fusion", top_k=job.k))
    query.connect("text_embedder.embedding", "embedding_retriever.query_embedding")
    query.connect("embedding_retriever", "joiner")
    query.connect("bm25_retriever", "joiner")
    query.warm_up()

    def search(question: str) -> list[tuple[int, float]]:
        result = query.run({"text_embedder": {"text": question}, "bm25_retriever": {"query": question}})
        return ranked(result["joiner"]["documents"], by_id)

    return measure(
        job,
        passages,
        search,
        **timings,
        retrieval=(
            "InMemoryBM25Retriever(top_k=10, BM25L) + InMemoryEmbeddingRetriever(top_k=10) → "
            "DocumentJoiner(join_mode='reciprocal_rank_fusion', top_k=10)"
        ),
        timed_call="query_pipeline.run(...)",
    )


if __name__ == "__main__":
    configs = {"dense": dense, "hybrid": hybrid, "hybrid-example": lambda job: hybrid(job, EXAMPLE_SPLITTER)}
    sys.exit(_common.main("haystack", PACKAGES, configs))
