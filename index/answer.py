"""Answer sentences: every chunk's sentences, embedded at build time, scored per query without the model.

    versions/<v>/sentences.npy        float32 (m, dimension): one unit vector per sentence
    versions/<v>/sentence_spans.npy   int64 (m, 3): chunk row, start, end (absolute offsets)
    versions/<v>/sentence_context.npy float32 (m, dimension): each sentence embedded after its
                                      heading path (optional; indexes built before it lack it)

Sentences are the units the chunker cut each chunk into (`ingest.chunking.units_within`), so a
list item is a sentence of its own and a hard-wrapped sentence is one sentence. A heading line is
not an answer, so it is left out unless the chunk has nothing else. At query time the sentences of the returned passages are scored by a dot product
with the query vector already computed for retrieval, plus a share of the query's content words
they contain (weighted by idf): one small matrix product, no extra model call.

A sentence alone often leaves out what it is about ("These procedures provide a structured
approach to managing disagreements" under "Compliance and enforcement mechanisms"), so each is
also embedded after its heading path, as chunks are. Ranking scores a chunk's sentences by the
better of the two cosines; answer sentences and abstention keep the plain sentence cosine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from alliance_qa.errors import IndexCorruptError
from index.embedder import Embedder
from index.lexical import LexicalIndex
from ingest.chunking import Chunk, units_within
from ingest.structure import table_header

SENTENCE_VECTORS_FILE = "sentences.npy"
SENTENCE_SPANS_FILE = "sentence_spans.npy"
SENTENCE_CONTEXT_FILE = "sentence_context.npy"
SECTION_SEPARATOR = " › "
OVERLAP_WEIGHT = 0.25  # how much the share of query words adds to the cosine; tuned on dev (session 8)


def chunk_sentences(chunk: Chunk, text: str) -> list[tuple[int, int]]:
    """Absolute spans of the answerable sentences (and list items) of `chunk` of the document `text`:
    the units the chunker cut it into (`ingest.chunking.units_within`), headings left out unless the
    chunk has nothing else."""
    units = units_within(text, chunk.start, chunk.end)
    body = [(s, e) for s, e, heading in units if not heading]
    return body or [(s, e) for s, e, _ in units]


def sentence_context_text(section: Sequence[str], sentence: str, header: str | None = None) -> str:
    """What is embedded for a sentence in context: its heading path, then the sentence; a table
    row after its table's header row (`ingest.structure.table_header`), which names its cells.

    A heading line (a sentence that opens with its own heading) is embedded as it is.
    """
    if not section or sentence.startswith(section[-1]):
        return sentence
    above = f"{header}\n" if header else ""
    return f"{SECTION_SEPARATOR.join(section)}\n{above}{sentence}"


@dataclass(frozen=True)
class SentenceTable:
    """All sentences of all chunks, grouped by chunk row, with their unit vectors."""

    rows: npt.NDArray[np.int64]  # chunk row of each sentence
    starts: npt.NDArray[np.int64]
    ends: npt.NDArray[np.int64]
    pointers: npt.NDArray[np.int64]  # sentences of chunk i are pointers[i]:pointers[i + 1]
    vectors: npt.NDArray[np.float32]
    # each sentence embedded after its heading path; None for an index built without them
    context: npt.NDArray[np.float32] | None = None

    def __len__(self) -> int:
        return len(self.rows)

    @classmethod
    def from_spans(
        cls,
        rows: npt.NDArray[np.int64],
        spans: npt.NDArray[np.int64],
        vectors: npt.NDArray[np.float32],
        n: int,
        context: npt.NDArray[np.float32] | None = None,
    ) -> SentenceTable:
        pointers = np.searchsorted(rows, np.arange(n + 1)).astype(np.int64)
        return cls(rows, spans[:, 0].copy(), spans[:, 1].copy(), pointers, vectors, context)

    def of_rows(self, chunk_rows: Sequence[int]) -> npt.NDArray[np.int64]:
        """Sentence indices belonging to `chunk_rows`, grouped in that order."""
        if not chunk_rows:
            return np.empty(0, dtype=np.int64)
        return np.concatenate([np.arange(self.pointers[r], self.pointers[r + 1]) for r in chunk_rows])

    def save(self, folder: Path) -> None:
        spans = np.stack([self.rows, self.starts, self.ends], axis=1).astype(np.int64)
        np.save(folder / SENTENCE_SPANS_FILE, spans, allow_pickle=False)
        np.save(folder / SENTENCE_VECTORS_FILE, self.vectors.astype(np.float32), allow_pickle=False)
        if self.context is not None:
            np.save(folder / SENTENCE_CONTEXT_FILE, self.context.astype(np.float32), allow_pickle=False)

    @classmethod
    def load(cls, folder: Path, *, chunks: int, dimension: int) -> SentenceTable:
        """Read the two arrays and check they fit an index of `chunks` chunks and `dimension`."""
        try:
            spans = np.load(folder / SENTENCE_SPANS_FILE, allow_pickle=False)
            vectors = np.load(folder / SENTENCE_VECTORS_FILE, allow_pickle=False)
            context_path = folder / SENTENCE_CONTEXT_FILE
            context = np.load(context_path, allow_pickle=False) if context_path.exists() else None
        except (OSError, ValueError) as exc:
            raise IndexCorruptError(
                f"{folder}: the sentence files are missing or damaged ({exc}); rebuild with `alliance-qa ingest`"
            ) from None
        fits = (
            spans.ndim == 2
            and spans.shape[1] == 3
            and vectors.shape == (len(spans), dimension)
            and (len(spans) == 0 or (np.all(np.diff(spans[:, 0]) >= 0) and spans[-1, 0] < chunks))
            and (context is None or context.shape == vectors.shape)
        )
        if not fits:
            raise IndexCorruptError(
                f"{folder}: {SENTENCE_SPANS_FILE} {spans.shape} and {SENTENCE_VECTORS_FILE} {vectors.shape} "
                f"do not fit {chunks} chunks of dimension {dimension}; rebuild with `alliance-qa ingest`"
            )
        return cls.from_spans(
            spans[:, 0].astype(np.int64), spans[:, 1:].astype(np.int64), vectors, chunks, context
        )


def build_sentences(
    chunks: Sequence[Chunk],
    texts: Mapping[str, str],
    embedder: Embedder,
    *,
    context: bool = True,
    progress: bool = False,
) -> SentenceTable:
    """Split every chunk into sentences and embed them; `texts` maps doc_id to document text.

    With `context`, each sentence is embedded a second time after its heading path.
    """
    rows: list[int] = []
    spans: list[tuple[int, int]] = []
    for row, chunk in enumerate(chunks):
        for span in chunk_sentences(chunk, texts[chunk.doc_id]):
            rows.append(row)
            spans.append(span)
    sentences = [texts[chunks[r].doc_id][s:e] for r, (s, e) in zip(rows, spans, strict=True)]

    def embed(batch: list[str]) -> npt.NDArray[np.float32]:
        vectors = (
            embedder.encode(batch, progress=progress)
            if batch
            else np.zeros((0, embedder.dimension), dtype=np.float32)
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    contextual = None
    if context:
        framed = [
            sentence_context_text(chunks[r].section, t, table_header(texts[chunks[r].doc_id], start))
            for r, t, (start, _) in zip(rows, sentences, spans, strict=True)
        ]
        # context must never push the sentence out of the window
        fits = [
            t if embedder.count_tokens(t) <= embedder.window - 2 else s
            for t, s in zip(framed, sentences, strict=True)
        ]
        contextual = embed(fits)
    return SentenceTable.from_spans(
        np.asarray(rows, dtype=np.int64),
        np.asarray(spans, dtype=np.int64).reshape(-1, 2),
        embed(sentences),
        len(chunks),
        contextual,
    )


@dataclass(frozen=True)
class SentenceWords:
    """Which stems of the lexical index each sentence holds, as flat arrays for vectorised overlap.

    The (sentence, stem) pairs are kept in column order, as posting lists: a question's shares read
    only the pairs of its own stems, not every pair of the corpus (58,862 sentences of 294 files
    hold 472,328 pairs, 975,125 with their heading paths: 5.0 ms a question to weigh both).
    """

    owner: npt.NDArray[np.int64]  # the sentence of each (sentence, stem) pair, by column, then sentence
    columns: npt.NDArray[np.int64]  # the stem's column in the lexical index, ascending
    count: int  # sentences

    @classmethod
    def build(cls, found: Sequence[Set[int]]) -> SentenceWords:
        """From each sentence's stem columns (`columns_in`)."""
        owner = np.asarray([i for i, held in enumerate(found) for _ in held], dtype=np.int64)
        columns = np.asarray([c for held in found for c in held], dtype=np.int64)
        order = np.lexsort((owner, columns))
        return cls(owner[order], columns[order], len(found))

    @staticmethod
    def columns_in(text: str, lexical: LexicalIndex) -> frozenset[int]:
        """The columns of the lexical index's stems that `text` holds."""
        return frozenset(lexical.columns_of(lexical.stems(lexical.words_of(text))).tolist()) - {-1}

    def shares(
        self,
        columns: npt.NDArray[np.int64],
        weights: npt.NDArray[np.float64],
        *,
        total: float | None = None,
    ) -> npt.NDArray[np.float64]:
        """Per sentence, the weighted share of the query stems (`columns`, `weights`) it holds.

        `total` is the weight to divide by (default: the sum of `weights`); a column of -1 (a stem
        the index lacks) is held by no sentence. Each sentence's weights are added in ascending
        column order.
        """
        total = float(weights.sum()) if total is None else total
        if total <= 0 or len(columns) == 0:
            return np.zeros(self.count, dtype=np.float64)
        order = np.argsort(columns, kind="stable")
        columns, weights = columns[order], weights[order]
        first = np.searchsorted(self.columns, columns, side="left")
        lengths = np.where(columns >= 0, np.searchsorted(self.columns, columns, side="right") - first, 0)
        # the pairs of every query column, one posting list after another
        ends = np.cumsum(lengths)
        pairs = np.arange(int(ends[-1]), dtype=np.int64) + np.repeat(first - (ends - lengths), lengths)
        held: npt.NDArray[np.float64] = np.bincount(
            self.owner[pairs], weights=np.repeat(weights, lengths), minlength=self.count
        ).astype(np.float64)
        return held / total


def best_per_chunk(
    values: npt.NDArray[np.float64], pointers: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """The maximum of `values` (one per sentence) within each chunk; -1 for a chunk with none."""
    best = np.full(len(pointers) - 1, -1.0, dtype=np.float64)
    filled = pointers[1:] > pointers[:-1]
    if len(values):
        best[filled] = np.maximum.reduceat(values, pointers[:-1][filled])
    return best
