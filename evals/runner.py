"""Run a question set through an `Index`, or a BEIR benchmark through document-level retrievers, per mode."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from alliance_qa.errors import InputError
from alliance_qa.progress import progress as progress_bar
from evals.beir import BM25Corpus, dense_run, document_texts, encode_corpus, load_beir
from evals.evaluation import Evaluation, ModeRun, Query, summarise
from evals.fusion import FusionChoice, fuse_runs, tune_fusion, untuned_fusion
from evals.metrics import METRICS
from evals.questions import Question, answers_gold, relevant_passages, resolve_gold
from evals.rerank import LateChoice, Pieces, encode_corpus_tokens, query_pieces, rerank, tune_late
from index.embedder import Embedder
from index.late import TokenTable, supports_tokens, token_embedder
from index.retriever import Index, check_question

MODES = ("dense", "lexical", "hybrid")
BEIR_METRICS = (*METRICS, "recall@100")


def evaluate_questions(
    index: Index,
    questions: Sequence[Question],
    *,
    modes: Sequence[str] = MODES,
    k: int = 10,
    name: str = "questions",
    progress: bool = False,
) -> Evaluation:
    """Ask every question of `index` in each mode and score the passages against the gold spans.

    A mode the index does not offer (it raises `InputError`) is skipped and named in `skipped`.
    """
    if not questions:
        raise InputError("no questions to evaluate: check the question file and --split")
    for question in questions:  # before any mode: the first would skip every mode, a later one end the run
        try:
            check_question(question.question, limit=index.config.max_question_chars)
        except InputError as exc:
            raise InputError(f"{question.source}: question {question.id}: {exc}") from None
    # gold given by quotes alone becomes spans of the indexed documents
    questions = resolve_gold(questions, {d.doc_id: d.text for d in index.documents()})
    passages = [(c.chunk_id, c.doc_id, c.start, c.end) for c in index.chunks]
    qrels = {q.id: relevant_passages(passages, q.gold) for q in questions if q.answerable}
    queries = [Query(q.id, q.question, q.kind, q.answerable) for q in questions]
    results, skipped = {}, {}
    for mode in modes:
        try:
            index.ask(questions[0].question, k=k, mode=mode)  # also warms the mode up before timing
        except InputError as exc:
            skipped[mode] = str(exc)
            continue
        mode_run = _ask_all(index, questions, mode=mode, k=k, progress=progress)
        results[mode] = summarise(queries, qrels, mode_run, metrics=METRICS)
    manifest = index.manifest
    setup = {
        "kind": "questions",
        "index": str(index.folder),
        "model": manifest.model_name,
        "chunker": manifest.chunker,
        "chunks": len(index.chunks),
        "documents": len(index.documents()),
        "k": k,
        "questions": len(questions),
        "answerable": len(qrels),
        "relevance": "a passage is relevant when it contains a gold span or covers at least half of it",
        # gold spans no passage covers enough of: these questions can only score 0
        "uncoverable": sorted(q for q, docs in qrels.items() if not docs),
    }
    return Evaluation(name, setup, METRICS, queries, results, skipped)


def _ask_all(index: Index, questions: Sequence[Question], *, mode: str, k: int, progress: bool) -> ModeRun:
    run: dict[str, dict[str, float]] = {}
    latency: dict[str, float] = {}
    refused: dict[str, bool] = {}
    answers: dict[str, bool] = {}
    refusals: dict[str, str] = {}
    answer_texts: dict[str, dict[str, Any]] = {}
    confidence: dict[str, float] = {}
    lengths: list[int] = []
    for question in progress_bar(questions, mode, enabled=progress):
        started = time.perf_counter()
        result = index.ask(question.question, k=k, mode=mode)
        latency[question.id] = (time.perf_counter() - started) * 1000
        # scores from the rank, so ranx keeps the index's order even where scores tie
        run[question.id] = {hit.chunk.chunk_id: float(k + 1 - hit.rank) for hit in result.hits}
        refused[question.id] = not result.answerable
        confidence[question.id] = result.confidence or 0.0
        if result.refusal is not None:
            refusals[question.id] = result.refusal
        if result.answer is not None:  # what was answered, so a × in the report can be read
            where = result.answer.citation
            answer_texts[question.id] = {
                "text": result.answer.text,
                "doc_id": where.doc_id,
                "start": where.start,
                "end": where.end,
            }
        if question.answerable:
            cited = None if result.answer is None else result.answer.citation
            answers[question.id] = cited is not None and any(
                answers_gold(cited.doc_id, cited.start, cited.end, span) for span in question.gold
            )
        lengths.extend(len(hit.chunk.text) for hit in result.hits)
    return ModeRun(
        mode,
        run,
        latency,
        refused,
        lengths,
        answers=answers,
        refusals=refusals,
        answer_texts=answer_texts,
        confidence=confidence,
        min_confidence=index.config.abstention.min_confidence,
    )


def evaluate_beir(
    folder: Path,
    *,
    split: str = "test",
    modes: Sequence[str] = MODES,
    embedder: Embedder | None,
    cache_dir: Path | None,
    k: int = 100,
    tune_split: str = "train",
    progress: bool = False,
) -> Evaluation:
    """Score document-level dense, BM25 and fused retrieval on a BEIR split; fusion is tuned on `tune_split`."""
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        raise InputError(f"unknown mode(s) {', '.join(unknown)}: choose from {', '.join(MODES)}")
    beir = load_beir(folder, split=split)
    doc_ids, texts = document_texts(beir)
    # tune on another split when there is one; never on the split being reported
    has_tuning = split != tune_split and (folder / "qrels" / f"{tune_split}.tsv").is_file()
    train_split = tune_split if has_tuning and "hybrid" in modes else None
    train = load_beir(folder, split=train_split) if train_split is not None else None
    needs_dense = {"dense", "hybrid"} & set(modes)
    needs_lexical = {"lexical", "hybrid"} & set(modes)
    skipped: dict[str, str] = {}
    runs: dict[str, ModeRun] = {}
    train_runs: dict[str, ModeRun] = {}
    if needs_dense and embedder is None:
        skipped |= dict.fromkeys(needs_dense, "no embedder was given")
    elif needs_dense and embedder is not None:
        vectors = encode_corpus(texts, embedder, cache_dir=cache_dir, progress=progress)
        runs["dense"] = dense_run(beir.queries, doc_ids, vectors, embedder, k=k, progress=progress)
        if train is not None:
            train_runs["dense"] = dense_run(train.queries, doc_ids, vectors, embedder, k=k, progress=progress)
    if needs_lexical:
        bm25 = BM25Corpus(doc_ids, texts)
        runs["lexical"] = bm25.run(beir.queries, k=k, progress=progress)
        if train is not None:
            train_runs["lexical"] = bm25.run(train.queries, k=k, progress=progress)
    if "hybrid" in modes and "hybrid" not in skipped:
        choice = (
            tune_fusion(
                train.qrels,
                [train_runs["dense"].run, train_runs["lexical"].run],
                split=train_split,
                progress=progress,
            )
            if train is not None and train_split is not None
            else untuned_fusion()
        )
        runs["hybrid"] = _hybrid(runs["dense"], runs["lexical"], choice, k=k)
        if train is not None and train_split is not None and supports_tokens(embedder):
            model = token_embedder(embedder)
            # as the product's hybrid mode: the fused head re-scored by late interaction
            table = encode_corpus_tokens(
                texts, model, name=getattr(model, "name", ""), cache_dir=cache_dir, progress=progress
            )
            rows = {d: i for i, d in enumerate(doc_ids)}
            trained = fuse_runs([train_runs["dense"].run, train_runs["lexical"].run], choice)
            # each step below reports progress too: a first SciFact run was silent for ~6 minutes
            # after its token vectors (session 17)
            train_pieces, _ = query_pieces(train.queries, model, progress=progress)
            late = tune_late(
                train.qrels, trained, train_pieces, table, rows, split=train_split, progress=progress
            )
            pieces, _ = query_pieces(beir.queries, model, progress=progress)
            runs["hybrid"] = _late(runs["hybrid"], pieces, table, rows, late, k=k)
    # passage length = the top 10 documents' "title text", comparable with chunk lengths of our corpus
    lengths = dict(zip(doc_ids, map(len, texts), strict=True))
    runs = {
        m: replace(r, passage_chars=[lengths[d] for docs in r.run.values() for d in list(docs)[:10]])
        for m, r in runs.items()
    }
    queries = [Query(q, text, beir.name) for q, text in beir.queries.items()]
    results = {m: summarise(queries, beir.qrels, runs[m], metrics=BEIR_METRICS) for m in modes if m in runs}
    setup = {
        "kind": "beir",
        "folder": str(folder),
        "split": split,
        "level": "document",
        "documents": len(doc_ids),
        "queries": len(queries),
        "judgements": sum(len(d) for d in beir.qrels.values()),
        "k": k,
        "protocol": "MTEB/BEIR: documents are 'title text' (the model truncates at its window), queries are "
        "the query text; cosine over the full corpus; qrels with score > 0, queries without any excluded",
        "model": getattr(embedder, "name", None),
        "tuned_on": train_split if "hybrid" in results else None,
    }
    return Evaluation(f"{beir.name}-{split}", setup, BEIR_METRICS, queries, results, skipped)


def _late(
    hybrid: ModeRun,
    pieces: Mapping[str, Pieces],
    table: TokenTable,
    rows: Mapping[str, int],
    choice: LateChoice,
    *,
    k: int,
) -> ModeRun:
    started = time.perf_counter()
    reranked = rerank(hybrid.run, pieces, table, rows, weight=choice.weight, head=choice.head)
    per_query = (time.perf_counter() - started) * 1000 / max(1, len(reranked))
    # the query's pieces come from the same model run as its vector in the product: not counted again
    latency = {q: hybrid.latency_ms[q] + per_query for q in reranked}
    top = {q: dict(list(docs.items())[:k]) for q, docs in reranked.items()}
    return replace(hybrid, run=top, latency_ms=latency, notes={**hybrid.notes, "late": choice.to_json()})


def _hybrid(dense: ModeRun, lexical: ModeRun, choice: FusionChoice, *, k: int) -> ModeRun:
    started = time.perf_counter()
    fused = fuse_runs([dense.run, lexical.run], choice)
    per_query_fusion = (time.perf_counter() - started) * 1000 / max(1, len(fused))
    # a hybrid query costs both retrievals plus its share of the fusion
    latency = {q: dense.latency_ms[q] + lexical.latency_ms[q] + per_query_fusion for q in fused}
    top = {q: dict(sorted(docs.items(), key=lambda item: -item[1])[:k]) for q, docs in fused.items()}
    return ModeRun("hybrid", top, latency, notes={"level": "document", "fusion": choice.to_json()})
