"""txtai on the alliance corpus: dense and hybrid `Embeddings`, as its docs build them.

Run by `benchmarks/frameworks.py` in `var/bench-venvs/txtai` (see `_common.py` for the protocol):

    var/bench-venvs/txtai/bin/python benchmarks/frameworks/txtai_run.py INPUT.json OUTPUT.json

txtai indexes whatever texts it is given and does not chunk, so each essay goes through txtai's own
`Segmentation(paragraphs=True)` pipeline (split on blank lines, runs of spaces collapsed, ends
stripped; headings are paragraphs of their own). `Segmentation(sentences=True)` would need NLTK's
punkt data, which is downloaded at run time and cannot be here. Each segment is indexed as
`(id, text, None)`.

- dense: `Embeddings(path=<MiniLM folder>, content=True)`: txtai's defaults (mean pooling through
  transformers, normalised, FAISS inner product, content in SQLite).
- hybrid: `Embeddings(path=<MiniLM folder>, content=True, hybrid=True)`: the same plus txtai's BM25
  term index, scores combined by txtai's default convex weighting.

The timed call is `embeddings.search(question, 10)`. Segments are located in their essay by
`str.find` from the end of the previous one (else with flexible whitespace); the count of each is in
the output, and a segment not found counts as never relevant.
"""

from __future__ import annotations

import sys
from typing import Any

import _common
from _common import Job, Passages, locate, measure, timed

PACKAGES = ("txtai", "faiss-cpu", "transformers", "torch", "numpy")


def segments(job: Job) -> tuple[list[str], Passages]:
    """Every essay cut into paragraphs by txtai's `Segmentation`; the texts and where each stands."""
    from txtai.pipeline import Segmentation

    segment = Segmentation(paragraphs=True)
    texts: list[str] = []
    passages = Passages()
    for document in job.documents:
        cursor = 0
        for paragraph in segment(document["text"]):
            found = locate(document["text"], paragraph, cursor)
            if found is not None:
                cursor = found[1]
            span = (document["doc_id"], found[0], found[1]) if found else None
            index = passages.add(span, len(paragraph), found[2] if found else "unlocated")
            if index == len(texts):  # a new passage (the same span twice is indexed once)
                texts.append(paragraph)
    return texts, passages


def run(job: Job, *, hybrid: bool) -> dict[str, Any]:
    """Build txtai `Embeddings` over the paragraphs and ask the questions."""
    from txtai import Embeddings

    texts, passages = segments(job)
    settings: dict[str, Any] = {"path": job.model_path, "content": True}
    if hybrid:
        settings["hybrid"] = True
    embeddings, load_s = timed(lambda: Embeddings(**settings))
    _, build_s = timed(lambda: embeddings.index([(str(i), text, None) for i, text in enumerate(texts)]))

    def search(question: str) -> list[tuple[int, float]]:
        return [(int(hit["id"]), float(hit["score"])) for hit in embeddings.search(question, job.k)]

    return measure(
        job,
        passages,
        search,
        model_load_s=round(load_s, 3),
        build_s=round(build_s, 3),
        chunks=len(texts),
        splitter="txtai Segmentation(paragraphs=True): blank-line paragraphs, whitespace collapsed",
        retrieval=(
            f"Embeddings(path=<model>, content=True{', hybrid=True' if hybrid else ''}).search(q, 10); "
            f"config after indexing: {embeddings.config}"
        ),
        timed_call="embeddings.search(question, 10)",
    )


if __name__ == "__main__":
    sys.exit(
        _common.main(
            "txtai",
            PACKAGES,
            {"dense": lambda job: run(job, hybrid=False), "hybrid": lambda job: run(job, hybrid=True)},
        )
    )
