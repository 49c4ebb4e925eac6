"""Late interaction on a BEIR run: the head of the fused documents re-scored by MaxSim, weight tuned on train.

The same re-ranking the product's hybrid mode does for chunks (`index/late.py`, `index/ranking.py`),
applied to whole documents: each of the first `head` fused documents gets `+ weight · maxsim`
(the question's content word pieces against the document's, as the model reads it: "title text",
cut at its window); the rest keep their order below them. The weight is chosen on the training
split from a grid that includes 0, so on the split it was tuned on it can only help.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from alliance_qa.progress import progress as progress_bar
from evals.beir import cache_path
from evals.metrics import MAIN_METRIC, Qrels, RunDict, mean_scores, score_queries
from index.late import TokenEmbedder, TokenTable

TOKEN_BATCH = 256  # documents per progress step when encoding their word pieces

WEIGHTS = (0.0, 0.1, 0.2, 0.35, 0.5, 1.0, 2.0)
HEAD = 50  # of the 100 documents a BEIR run keeps

Pieces = npt.NDArray[np.float32]


@dataclass(frozen=True)
class LateChoice:
    """The weight late interaction gets, the head it re-scores, and where it was chosen."""

    weight: float
    head: int
    tuned_on: str | None = None
    train_score: float | None = None  # MAIN_METRIC of the re-ranked training run

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def encode_corpus_tokens(
    texts: Sequence[str],
    embedder: TokenEmbedder,
    *,
    name: str,
    cache_dir: Path | None,
    progress: bool = False,
) -> TokenTable:
    """Every document's content word-piece vectors, reusing `cache_dir/<model>-tokens-<sha256>/`;
    with `progress`, reported batch by batch (SciFact's first run: 9 minutes, silent before session 16)."""
    folder = cache_path(cache_dir, f"{name}-tokens", texts)
    if folder is not None and (folder / "token_pointers.npy").is_file():
        pointers = np.load(folder / "token_pointers.npy", allow_pickle=False)
        if len(pointers) == len(texts) + 1:
            vectors = np.load(folder / "tokens.npy", allow_pickle=False)
            return TokenTable(vectors.astype(np.float32), pointers.astype(np.int64))
    batches = [list(texts[i : i + TOKEN_BATCH]) for i in range(0, len(texts), TOKEN_BATCH)]
    stored = [
        pieces
        for batch in progress_bar(batches, "token vectors", enabled=progress, unit="batch")
        for pieces in embedder.encode_tokens(batch, batch_size=32)
    ]
    table = TokenTable.of(stored, _width(embedder))
    if folder is not None:
        partial = folder.with_name(folder.name + ".partial")
        partial.mkdir(parents=True, exist_ok=True)
        table.save(partial)
        partial.replace(folder)  # a crash never leaves half a cache
    return table


def rerank(
    run: RunDict,
    pieces: Mapping[str, Pieces],  # query id => its content pieces
    table: TokenTable,
    rows: Mapping[str, int],  # doc id => row in `table`
    *,
    weight: float,
    head: int = HEAD,
) -> RunDict:
    """`run` with each query's first `head` documents re-scored by + weight · maxsim and re-sorted."""
    out: RunDict = {}
    for query_id, docs in run.items():
        ranked = sorted(docs.items(), key=lambda item: -item[1])
        top, rest = ranked[:head], ranked[head:]
        if weight and top and query_id in pieces:
            late = table.maxsim(pieces[query_id], np.asarray([rows[d] for d, _ in top], dtype=np.int64))
            top = sorted(
                ((d, s + weight * float(m)) for (d, s), m in zip(top, late, strict=True)),
                key=lambda item: -item[1],
            )
        # below the head the order stands: scores are kept under the lowest head score
        floor = min((s for _, s in top), default=0.0)
        out[query_id] = dict(top) | {d: min(s, floor) - 1e-9 * (i + 1) for i, (d, s) in enumerate(rest)}
    return out


def tune_late(
    qrels: Qrels,
    run: RunDict,
    pieces: Mapping[str, Pieces],
    table: TokenTable,
    rows: Mapping[str, int],
    *,
    split: str,
    metric: str = MAIN_METRIC,
    progress: bool = False,
) -> LateChoice:
    """The weight in `WEIGHTS` whose re-ranking of the training `run` scores best (ties keep the smaller)."""
    best: LateChoice | None = None
    for weight in progress_bar(WEIGHTS, "tuning late interaction", enabled=progress, unit="weight"):
        reranked = rerank(run, pieces, table, rows, weight=weight)
        score = mean_scores(score_queries(qrels, reranked, [metric]), [metric])[metric]
        if best is None or score > (best.train_score or 0.0):
            best = LateChoice(weight, HEAD, split, round(score, 4))
    assert best is not None  # WEIGHTS is never empty
    return best


def query_pieces(
    queries: Mapping[str, str], embedder: TokenEmbedder, *, progress: bool = False
) -> tuple[dict[str, Pieces], dict[str, float]]:
    """Each query's content pieces, and how long each took to encode (ms)."""
    pieces: dict[str, Pieces] = {}
    latency: dict[str, float] = {}
    for query_id, text in progress_bar(queries.items(), "query word pieces", enabled=progress):
        started = time.perf_counter()
        pieces[query_id] = embedder.encode_query_tokens(text)[1]
        latency[query_id] = (time.perf_counter() - started) * 1000
    return pieces, latency


def _width(embedder: TokenEmbedder) -> int:
    return int(getattr(embedder, "dimension", 0))
