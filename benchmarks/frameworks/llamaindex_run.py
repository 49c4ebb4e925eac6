"""LlamaIndex (`llama-index-core`) on the alliance corpus: dense and hybrid retrieval, as its docs build them.

Run by `benchmarks/frameworks.py` in `var/bench-venvs/llamaindex` (see `_common.py` for the protocol):

    var/bench-venvs/llamaindex/bin/python benchmarks/frameworks/llamaindex_run.py INPUT.json OUTPUT.json

`Settings.llm = None` (LlamaIndex then uses its MockLLM; nothing here generates text) and
`Settings.embed_model = HuggingFaceEmbedding(model_name=<MiniLM folder>)`. One
`Document(text=..., id_=doc_id)` per essay, no metadata (so nothing but the text is embedded), then
`VectorStoreIndex.from_documents(documents)`: the default transformation, `SentenceSplitter()` at
chunk_size=1024, chunk_overlap=200, counted in tiktoken cl100k_base tokens (LlamaIndex's default
tokenizer; its wheel ships the cl100k_base file in `llama_index/core/_static/tiktoken_cache`, so
nothing is downloaded), into the default `SimpleVectorStore` (cosine).

- dense: `index.as_retriever(similarity_top_k=10)`.
- hybrid: that retriever and `BM25Retriever.from_defaults(docstore=index.docstore, similarity_top_k=10)`
  (bm25s, English stemmer and stopwords by default) fused by `QueryFusionRetriever(...,
  similarity_top_k=10, num_queries=1, mode="reciprocal_rerank", use_async=True)`, as in the
  "Reciprocal Rerank Fusion Retriever" example (num_queries=1: no LLM-generated queries).
- hybrid-example: the same over that example's own chunks,
  `transformations=[SentenceSplitter(chunk_size=256)]` (chunk_overlap stays at its default 200).

Passages are located by the nodes' own `start_char_idx`/`end_char_idx` (checked against the text).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import _common
from _common import Job, Passages, checked_span, measure, timed

EXAMPLE_CHUNK_SIZE = 256  # the "Reciprocal Rerank Fusion Retriever" example's SentenceSplitter
PACKAGES = (
    "llama-index-core",
    "llama-index-embeddings-huggingface",
    "llama-index-retrievers-bm25",
    "bm25s",
    "pystemmer",
    "tiktoken",
    "sentence-transformers",
    "transformers",
    "torch",
    "numpy",
)


def build(job: Job, chunk_size: int | None = None) -> tuple[Any, dict[str, int], Passages, dict[str, Any]]:
    """A `VectorStoreIndex` over the essays: index, node id → passage, passages, timings.

    `chunk_size=None` builds it with the default transformations; else with
    `transformations=[SentenceSplitter(chunk_size=chunk_size)]`, as the fusion example does.
    """
    from llama_index.core import Document, Settings, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    Settings.llm = None
    embed_model, load_s = timed(lambda: HuggingFaceEmbedding(model_name=job.model_path))
    Settings.embed_model = embed_model
    documents = [Document(text=d["text"], id_=d["doc_id"]) for d in job.documents]
    splitter = Settings.node_parser if chunk_size is None else SentenceSplitter(chunk_size=chunk_size)
    extra = {} if chunk_size is None else {"transformations": [splitter]}
    index, build_s = timed(lambda: VectorStoreIndex.from_documents(documents, **extra))
    passages = Passages()
    by_id: dict[str, int] = {}
    nodes = sorted(index.docstore.docs.values(), key=lambda n: (n.ref_doc_id, n.start_char_idx or 0))
    for node in nodes:
        content = node.get_content()
        found = checked_span(job.text(node.ref_doc_id), content, node.start_char_idx, node.end_char_idx)
        span = (node.ref_doc_id, found[0], found[1]) if found else None
        by_id[node.node_id] = passages.add(span, len(content), found[2] if found else "unlocated")
    timings = {
        "model_load_s": round(load_s, 3),
        "build_s": round(build_s, 3),
        "chunks": len(nodes),
        "splitter": (
            f"{type(splitter).__name__}({'' if chunk_size is None else f'chunk_size={chunk_size}'}): "
            f"chunk_size={getattr(splitter, 'chunk_size', None)}, "
            f"chunk_overlap={getattr(splitter, 'chunk_overlap', None)} tiktoken cl100k_base tokens"
        ),
    }
    return index, by_id, passages, timings


def ranked(nodes: Sequence[Any], by_id: dict[str, int]) -> list[tuple[int, float]]:
    """LlamaIndex's `NodeWithScore`s as (passage index, score)."""
    return [(by_id[n.node.node_id], float(n.score if n.score is not None else 0.0)) for n in nodes]


def dense(job: Job) -> dict[str, Any]:
    """The vector index's own retriever."""
    index, by_id, passages, timings = build(job)
    retriever = index.as_retriever(similarity_top_k=job.k)
    return measure(
        job,
        passages,
        lambda question: ranked(retriever.retrieve(question), by_id),
        **timings,
        retrieval="VectorStoreIndex.as_retriever(similarity_top_k=10): SimpleVectorStore, cosine",
        timed_call="retriever.retrieve(question)",
    )


def hybrid(job: Job, chunk_size: int | None = None) -> dict[str, Any]:
    """BM25 and vector retrievers fused by reciprocal rank, through `QueryFusionRetriever`."""
    from llama_index.core.retrievers import QueryFusionRetriever
    from llama_index.retrievers.bm25 import BM25Retriever

    index, by_id, passages, timings = build(job, chunk_size)

    def make() -> Any:
        bm25 = BM25Retriever.from_defaults(docstore=index.docstore, similarity_top_k=job.k)
        return QueryFusionRetriever(
            [index.as_retriever(similarity_top_k=job.k), bm25],
            similarity_top_k=job.k,
            num_queries=1,
            mode="reciprocal_rerank",
            use_async=True,
        )

    retriever, bm25_s = timed(make)
    timings["build_s"] = round(timings["build_s"] + bm25_s, 3)
    return measure(
        job,
        passages,
        lambda question: ranked(retriever.retrieve(question), by_id),
        **timings,
        retrieval=(
            "QueryFusionRetriever([vector(similarity_top_k=10), BM25Retriever.from_defaults(docstore, "
            "similarity_top_k=10)], mode='reciprocal_rerank', num_queries=1, use_async=True)"
        ),
        timed_call="retriever.retrieve(question)",
    )


if __name__ == "__main__":
    configs = {
        "dense": dense,
        "hybrid": hybrid,
        "hybrid-example": lambda job: hybrid(job, EXAMPLE_CHUNK_SIZE),
    }
    sys.exit(_common.main("llamaindex", PACKAGES, configs))
