"""BEIR-format benchmarks: load a folder, and retrieve whole documents densely or with BM25.

A BEIR folder holds `corpus.jsonl` ({"_id", "title", "text"}), `queries.jsonl` ({"_id", "text"})
and `qrels/<split>.tsv` (a header row, then query-id, corpus-id, score; CRLF line endings allowed).

Retrieval here is document-level, as the published BEIR and MTEB figures are: each document is
"title text" joined by a space (the model truncates at its window, as MTEB did), queries are the
query text, and every document of the corpus is scored (exact cosine / full BM25).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from alliance_qa.errors import InputError
from alliance_qa.progress import progress as progress_bar
from evals.evaluation import ModeRun
from evals.metrics import Qrels, RunDict
from index.embedder import Embedder

# BM25 as Elasticsearch scores it by default (the BEIR paper's baseline): Lucene idf, k1=1.2, b=0.75
BM25_PARAMS: dict[str, Any] = {
    "k1": 1.2,
    "b": 0.75,
    "method": "lucene",
    "stemmer": "english",
    "stopwords": "en",
}


@dataclass(frozen=True)
class BeirSet:
    """One BEIR split: the whole corpus, the judged queries of the split, and their relevant docs."""

    name: str
    corpus: dict[str, tuple[str, str]]  # doc id => (title, text)
    queries: dict[str, str]  # query id => text; only queries with a relevant doc in `qrels`
    qrels: Qrels  # query id => {doc id: relevance > 0}


def load_beir(folder: Path, *, split: str = "test") -> BeirSet:
    """Read a BEIR folder for `split`, keeping the queries that have at least one relevant doc (as MTEB does)."""
    qrels_path = folder / "qrels" / f"{split}.tsv"
    if not qrels_path.is_file():
        available = sorted(p.stem for p in (folder / "qrels").glob("*.tsv"))
        lacks = [name for name in ("corpus.jsonl", "queries.jsonl", "qrels/") if not (folder / name).exists()]
        raise InputError(
            f"{qrels_path}: no qrels for split {split!r}"
            + (
                f"; available splits: {', '.join(available)}"
                if available
                else f"; {folder} has no {', no '.join(lacks)}: a BEIR folder holds corpus.jsonl, "
                "queries.jsonl and qrels/<split>.tsv"
                if lacks
                else "; qrels/ holds no <split>.tsv file"
            )
        )
    qrels = read_qrels(qrels_path)
    corpus_path = folder / "corpus.jsonl"
    corpus = {
        str(row["_id"]): (str(row.get("title") or ""), str(row.get("text") or ""))
        for row in _read_jsonl(corpus_path, required=("_id", "text"))
    }
    # nothing to retrieve: BM25 would fail deep inside bm25s ("max() arg is an empty sequence")
    if not corpus:
        raise InputError(
            f'{corpus_path}: holds no documents; it needs one {{"_id", "title", "text"}} object a line'
        )
    if not any(title.strip() or text.strip() for title, text in corpus.values()):
        raise InputError(
            f"{corpus_path}: every document's title and text are empty, so there is nothing to retrieve"
        )
    queries = {
        str(row["_id"]): str(row["text"])
        for row in _read_jsonl(folder / "queries.jsonl", required=("_id", "text"))
    }
    missing = sorted(set(qrels) - set(queries))
    if missing:
        raise InputError(f"{qrels_path}: queries {', '.join(missing[:5])} are not in queries.jsonl")
    # BM25 fails deep inside bm25s on an empty query (IndexError), after the dense run is done
    blank = sorted(q for q in qrels if not queries[q].strip())
    if blank:
        raise InputError(
            f"{folder / 'queries.jsonl'}: judged quer{'y' if len(blank) == 1 else 'ies'} "
            f"{', '.join(blank[:5])} {'has' if len(blank) == 1 else 'have'} no text; give each its "
            f"text, or drop its judgements from {qrels_path}"
        )
    # a judged document the corpus lacks could never be retrieved: it would only lower recall and
    # nDCG, by an amount that looks plausible (a typo in an id, a truncated corpus.jsonl)
    unknown_ids = {doc_id for judged in qrels.values() for doc_id in judged} - set(corpus)
    if unknown_ids:
        lines = _first_lines(qrels_path, doc_ids=unknown_ids)
        unknown = sorted(unknown_ids, key=lines.__getitem__)  # in the file's order
        listed = ", ".join(f"{d} (line {lines[d]})" for d in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise InputError(
            f"{qrels_path}:{lines[unknown[0]]}: "
            + (
                f"document {unknown[0]} is not in corpus.jsonl, so no run could retrieve it"
                if len(unknown) == 1
                else f"documents {listed}{more} are not in corpus.jsonl, so no run could retrieve them"
            )
            + "; correct the id, or add the document to corpus.jsonl"
        )
    return BeirSet(
        name=folder.resolve().name,
        corpus=corpus,
        queries={q: queries[q] for q in qrels},
        qrels=qrels,
    )


def read_qrels(path: Path) -> Qrels:
    """Relevant docs per query from a BEIR qrels TSV; judgements with score <= 0 are dropped."""
    qrels: Qrels = {}
    first: dict[tuple[str, str], tuple[int, int]] = {}  # (query, doc) => (line, score) of its judgement
    for number, query_id, doc_id, score in _judgements(path):
        # a second score for the same pair would replace the first without a word, as a repeated _id did
        line, earlier = first.setdefault((query_id, doc_id), (number, score))
        if earlier != score:
            raise InputError(
                f"{path}:{number}: query {query_id} judges document {doc_id} again, {score} here and "
                f"{earlier} on line {line}; keep one judgement per pair"
            )
        if score > 0:
            qrels.setdefault(query_id, {})[doc_id] = score
    if not qrels:
        raise InputError(f"{path}: holds no judgement with a positive score")
    return qrels


def _judgements(path: Path) -> Iterable[tuple[int, str, str, int]]:
    """(line number, query id, doc id, score) of each judgement of a BEIR qrels TSV."""
    # splitlines() takes CRLF and LF alike
    lines = path.read_text(encoding="utf-8-sig").splitlines()  # a byte-order mark (Notepad) is no text
    for number, line in enumerate(lines, start=1):
        fields = line.strip().split("\t")
        if not line.strip() or (number == 1 and not _is_int(fields[-1])):
            continue  # the header row ("query-id corpus-id score")
        if len(fields) != 3 or not _is_int(fields[2]):
            raise InputError(f"{path}:{number}: expected 'query-id<TAB>corpus-id<TAB>score', got {line!r}")
        yield number, fields[0], fields[1], int(fields[2])


def _first_lines(path: Path, *, doc_ids: Collection[str]) -> dict[str, int]:
    """The line of `path` (a qrels TSV) where each of `doc_ids` is first judged relevant."""
    lines: dict[str, int] = {}
    for number, _, doc_id, score in _judgements(path):
        if score > 0 and doc_id in doc_ids:
            lines.setdefault(doc_id, number)
    return lines


def document_texts(beir: BeirSet) -> tuple[list[str], list[str]]:
    """Doc ids and the text each is retrieved by: "title text", as MTEB encodes BEIR documents."""
    ids = list(beir.corpus)
    return ids, [f"{title} {text}".strip() for title, text in beir.corpus.values()]


def cache_path(cache_dir: Path | None, what: str, texts: Sequence[str]) -> Path | None:
    """Where the cache of `what` (model and kind, e.g. "all-MiniLM-L6-v2-384") for `texts` lives:
    `cache_dir/<what>-<sha256 of the texts>`, so other texts or another model never read it."""
    if cache_dir is None:
        return None
    digest = hashlib.sha256("\x00".join(texts).encode("utf-8")).hexdigest()[:32]
    return cache_dir / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', what)}-{digest}"


def encode_corpus(
    texts: Sequence[str], embedder: Embedder, *, cache_dir: Path | None, progress: bool = False
) -> npt.NDArray[np.float32]:
    """Embed `texts`, reusing `cache_dir/<model>-<dimension>-<sha256 of the texts>.npy` when it exists."""
    stem = cache_path(cache_dir, f"{embedder.name}-{embedder.dimension}", texts)
    path = None if stem is None else stem.with_name(f"{stem.name}.npy")
    if path is not None and path.is_file():
        vectors = np.load(path, allow_pickle=False)
        if vectors.shape == (len(texts), embedder.dimension):
            return np.ascontiguousarray(vectors, dtype=np.float32)
    vectors = embedder.encode(list(texts), batch_size=64, progress=progress)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial.npy")
        np.save(partial, vectors, allow_pickle=False)
        partial.replace(path)  # atomic: a crash never leaves a truncated cache file
    return vectors


def dense_run(
    queries: Mapping[str, str],
    doc_ids: Sequence[str],
    doc_vectors: npt.NDArray[np.float32],
    embedder: Embedder,
    *,
    k: int,
    progress: bool = False,
) -> ModeRun:
    """Top-`k` docs per query by cosine (vectors are unit length), one query at a time, timed."""
    run: RunDict = {}
    latency: dict[str, float] = {}
    for query_id, text in progress_bar(queries.items(), "dense", enabled=progress):
        started = time.perf_counter()
        query = embedder.encode_queries([text])[0]
        run[query_id] = _top(doc_vectors @ query, doc_ids, k)
        latency[query_id] = (time.perf_counter() - started) * 1000
    return ModeRun("dense", run, latency, notes={"level": "document", "model": embedder.name})


class BM25Corpus:
    """A bm25s index over "title text" of every document, stemmed, English stopwords removed."""

    def __init__(self, doc_ids: Sequence[str], texts: Sequence[str]) -> None:
        import bm25s
        import Stemmer  # PyStemmer

        self._bm25s = bm25s
        self._stemmer = Stemmer.Stemmer(BM25_PARAMS["stemmer"])
        self.doc_ids = list(doc_ids)
        self._model = bm25s.BM25(k1=BM25_PARAMS["k1"], b=BM25_PARAMS["b"], method=BM25_PARAMS["method"])
        tokens = bm25s.tokenize(
            list(texts), stopwords=BM25_PARAMS["stopwords"], stemmer=self._stemmer, show_progress=False
        )
        if not tokens.vocab:  # bm25s itself fails with "max() arg is an empty sequence"
            raise InputError(
                "no document of the corpus has a word BM25 can index (each is empty, or only stopwords "
                "such as 'the'); give the documents some text"
            )
        self._model.index(tokens, show_progress=False)

    def run(self, queries: Mapping[str, str], *, k: int, progress: bool = False) -> ModeRun:
        """Top-`k` docs per query by BM25, one query at a time, timed."""
        run: RunDict = {}
        latency: dict[str, float] = {}
        for query_id, text in progress_bar(queries.items(), "lexical", enabled=progress):
            started = time.perf_counter()
            tokens = self._bm25s.tokenize(
                [text],
                stopwords=BM25_PARAMS["stopwords"],
                stemmer=self._stemmer,
                show_progress=False,
                return_ids=False,
            )[0]
            scores = np.asarray(self._model.get_scores(tokens), dtype=np.float32)
            # BM25 gives 0 to a document sharing no query word: it was not retrieved at all
            run[query_id] = _top(scores, self.doc_ids, k, drop_zero=True)
            latency[query_id] = (time.perf_counter() - started) * 1000
        return ModeRun("lexical", run, latency, notes={"level": "document", "bm25": BM25_PARAMS})


def _top(
    scores: npt.NDArray[np.float32], doc_ids: Sequence[str], k: int, *, drop_zero: bool = False
) -> dict[str, float]:
    """The `k` best-scoring docs, best first; with `drop_zero`, docs scoring 0 are not retrieved."""
    # a full stable sort (fast at BEIR sizes) breaks ties by corpus order, so runs are reproducible
    best = np.argsort(-scores, kind="stable")[:k]
    return {doc_ids[i]: float(scores[i]) for i in best if not (drop_zero and scores[i] == 0.0)}


def _read_jsonl(path: Path, *, required: Sequence[str]) -> Iterable[dict[str, Any]]:
    """The objects of a BEIR JSONL file, each holding `required` (among them "_id", unique)."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()  # a byte-order mark (Notepad) is no text
    except FileNotFoundError:
        raise InputError(
            f"{path} is missing: a BEIR folder holds corpus.jsonl, queries.jsonl and qrels/"
        ) from None
    seen: dict[str, int] = {}  # _id => its line
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise InputError(f"{path}:{number}: not valid JSON ({exc})") from None
        if not isinstance(row, dict) or any(key not in row for key in required):
            raise InputError(f"{path}:{number}: each line must be an object with {', '.join(required)}")
        # a repeated id would replace the earlier line without a word, changing what is scored
        row_id = str(row["_id"])
        if row_id in seen:
            raise InputError(
                f"{path}:{number}: _id {row_id!r} is used twice (first on line {seen[row_id]}); "
                "ids must be unique"
            )
        seen[row_id] = number
        yield row


def _is_int(text: str) -> bool:
    return re.fullmatch(r"-?\d+", text.strip()) is not None
