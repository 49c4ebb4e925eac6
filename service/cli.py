"""The `alliance-qa` command: ingest, ask, info, serve. Errors become one line and exit code 1."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from alliance_qa.errors import AllianceQAError, IndexMissingError, InputError, NoTextError

F = TypeVar("F", bound=Callable[..., Any])


def _friendly(func: F) -> F:
    """Turn the project's typed errors into one clear line on stderr and exit code 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AllianceQAError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _count(n: int, noun: str) -> str:
    """ "1 document", "2 documents": a count for a message."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


NO_INDEX_YET = "there is no index there yet"  # why a first run builds one (ingest --if-stale, serve)


def _has_index(home: Path) -> bool:
    """Is there an index at `home`, sound or not (a damaged one is for `stale_reasons` to name)?"""
    from index.store import resolve_version

    try:
        resolve_version(home)
    except IndexMissingError:
        return False
    except AllianceQAError:
        return True
    return True


def _manifest_at(home: Path) -> Any:
    """The manifest of the index at `home`, or None when there is no sound index there."""
    from index.manifest import Manifest
    from index.store import resolve_version

    try:
        return Manifest.read(resolve_version(home))
    except AllianceQAError:
        return None


def _shares_documents(ids: set[str], corpus: Path) -> bool:
    """Does an index of these document ids hold a document of the folder `corpus` (by id)? One
    built from another folder holds none, and that folder's files are no news about it."""
    from ingest.documents import corpus_files, file_doc_id

    return corpus.is_dir() and any(file_doc_id(p.name) in ids for p in corpus_files(corpus))


class _NamedModel:
    """Stands in for the model an index was built with: opening it to check its files needs no model."""

    def __init__(self, manifest: Any) -> None:
        self.name: str = manifest.model_name
        self.dimension: int = manifest.dimension
        self.window: int = manifest.window

    def encode(self, texts: Any, *, batch_size: int = 32, progress: bool = False) -> Any:
        raise AssertionError("an index opened to be checked encodes nothing")

    def encode_queries(self, texts: Any) -> Any:
        raise AssertionError("an index opened to be checked encodes nothing")

    def count_tokens(self, text: str) -> int:
        raise AssertionError("an index opened to be checked encodes nothing")


def _damage(home: Path, manifest: Any) -> str | None:
    """Why the index at `home`, whose manifest reads, cannot be opened (a file missing or damaged),
    or None when it opens: its manifest alone says it is up to date."""
    from index.retriever import Index

    if manifest is None:
        return None
    try:
        Index.open(home, embedder=_NamedModel(manifest))
    except AllianceQAError as exc:
        return str(exc).split(";")[0]
    return None


def _settings() -> Any:
    from service.settings import load_settings

    return load_settings()


def _embedder(model: Path | None) -> Any:
    from index.embedder import load_embedder

    settings = _settings()
    return load_embedder(
        settings.backend, model, cache_dir=settings.cache_dir / "onnx", threads=settings.encode_threads()
    )


index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Index folder [env ALLIANCE_QA_INDEX_DIR; default var/index].",
)
model_option = click.option(
    "--model",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Local sentence-transformers folder [env ALLIANCE_QA_MODEL_PATH; default all-MiniLM-L6-v2].",
)


@click.group()
@click.version_option(package_name="alliance-qa")
def main() -> None:
    """Ask questions of a corpus and get passages with exact citations."""


@main.command()
@click.argument("corpus", type=click.Path(path_type=Path), required=False)
@click.option(
    "--index",
    "--out",  # its first name, kept: every other command names the folder --index
    "index_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Index folder to write [env ALLIANCE_QA_INDEX_DIR; default var/index].",
)
@model_option
@click.option("--max-tokens", type=int, default=None, help="Chunk budget in model tokens.")
@click.option("--overlap", type=int, default=None, help="Sentences repeated between chunks.")
@click.option(
    "--if-stale", is_flag=True, help="Only update when the folder or settings changed; keep extras."
)
@click.option(
    "--index-type",
    type=click.Choice(["flat", "hnsw", "ivfpq"]),
    default=None,
    help="FAISS index: flat is exact; hnsw and ivfpq are for large corpora [default: the type the "
    "index has, else flat].",
)
@click.option(
    "--late-interaction/--no-late-interaction",
    default=True,
    show_default=True,
    help="Keep each chunk's word-piece vectors for hybrid re-ranking (~60 KB a chunk on disk).",
)
@_friendly
def ingest(
    corpus: Path | None,
    index_dir: Path | None,
    model: Path | None,
    max_tokens: int | None,
    overlap: int | None,
    if_stale: bool,
    index_type: str | None,
    late_interaction: bool,
) -> None:
    """Build or resync the index from CORPUS (default: corpus/), re-embedding only changed text.

    The index ends up holding exactly the folder's documents; with --if-stale it is left alone when
    nothing changed, and documents added through the API or `add` are kept.
    """
    from index.freshness import stale_reasons
    from index.inputs import some_of
    from index.updates import indexed_ids, sync_folder
    from ingest.chunking import ChunkerConfig
    from ingest.documents import (
        OTHER_TYPES_NOTE,
        README_NOTE,
        corpus_files,
        describe_files,
        describe_unread,
        file_doc_id,
        hidden_documents,
        unread_files,
        unread_folders,
        unread_readmes,
    )

    settings = _settings()
    named_folder = corpus is not None
    corpus = corpus or settings.corpus_dir
    out = index_dir or settings.index_dir
    manifest = _manifest_at(out)
    # what the index holds, even one this code cannot open (of another format): what a mirror removes
    before = indexed_ids(out)
    if if_stale and not named_folder and before and not _shares_documents(before, corpus):
        # `ALLIANCE_QA_INDEX_DIR=var/mine make run`: an index of another folder holds none of the
        # default folder's documents, and merging the essays into it would keep them there for good
        from index.freshness import older_settings

        # an index an older alliance-qa built is brought up to date from its own documents, not by
        # naming corpus/, which would merge the essays into it
        older = older_settings(manifest) if manifest is not None else []
        click.echo(
            f"index at {out} holds no document of {corpus} (an index of another folder): left as it "
            f"is; to bring {corpus}'s files into it, name the folder: "
            f"`alliance-qa ingest {corpus} --if-stale --index {out}`"
            + (
                f"; it was built by an older alliance-qa ({'; '.join(older)}): "
                f"`alliance-qa repair --index {out}` brings it up to date, keeping its documents"
                if older
                else ""
            ),
            err=True,
        )
        return
    defaults = ChunkerConfig()
    chunker = ChunkerConfig(
        max_tokens=max_tokens if max_tokens is not None else defaults.max_tokens,
        overlap_sentences=overlap if overlap is not None else defaults.overlap_sentences,
    )
    model = model or settings.model_path
    # an hnsw or ivfpq index chosen for a large corpus stays one: `make run` names no type
    index_type = index_type or (manifest.index_type if manifest is not None else None) or "flat"
    if if_stale and not _has_index(out):  # a first run (`make run` on a fresh clone): say so plainly
        click.echo(f"building {out} from {corpus}: {NO_INDEX_YET}", err=True)
    elif if_stale:
        reasons = [
            r
            for r in stale_reasons(out, corpus, chunker=chunker, model_path=model, index_type=index_type)
            if not r.startswith("removed")  # documents beyond the folder are kept, not stale
        ]
        if not reasons and (damage := _damage(out, manifest)):
            reasons = [damage]  # a damaged file: rebuilt from the index's own documents, all kept
        if not reasons:
            click.echo(f"index at {out} is up to date", err=True)
            return
        click.echo(f"updating {out}: {'; '.join(reasons)}", err=True)
    reused = _has_index(out)  # a first build reuses nothing, and says so
    started = time.perf_counter()
    try:
        index, embedded = sync_folder(
            out,
            corpus,
            embedder=_embedder(model),
            chunker=chunker,
            index_type=index_type,
            keep_extra=if_stale,
            late_interaction=late_interaction,
            progress=True,  # a bar on a terminal, log lines elsewhere
        )
    except NoTextError as exc:  # named by their files, which the user can open
        files = {file_doc_id(p.name): str(p) for p in corpus_files(corpus)}
        raise NoTextError(exc.doc_ids, names=[files.get(d, d) for d in exc.doc_ids]) from None
    seconds = time.perf_counter() - started
    unread = unread_folders(corpus)
    if unread:
        click.echo(
            f"warning: subfolders of {corpus} are not read: {describe_unread(unread)}; move their "
            "files into the folder, or ingest a subfolder on its own",
            err=True,
        )
    for readme in unread_readmes(corpus):
        click.echo(f"warning: {readme} is not read: {README_NOTE}", err=True)
    if hidden := hidden_documents(corpus):
        click.echo(
            f"warning: hidden files of {corpus} are not read: {describe_files(hidden)}; rename one "
            "without its leading '.' to index it",
            err=True,
        )
    if others := unread_files(corpus):
        click.echo(
            f"warning: files of {corpus} of other types are not read: {describe_files(others)}; "
            f"{OTHER_TYPES_NOTE}",
            err=True,
        )
    removed = sorted(before - {d.doc_id for d in index.documents()})
    if removed:  # added with `add` or the API, most likely: mirroring the folder drops them
        click.echo(
            f"removed {some_of(removed)} (not in {corpus}; --if-stale keeps documents added with `add`)"
        )
    click.echo(
        f"indexed {_count(len(index.documents()), 'document')} into {_count(len(index.chunks), 'chunk')} "
        f"({_count(embedded, 'text')} embedded{', the rest reused' if reused else ''}) in {seconds:.1f} s "
        f"→ {index.folder}"
    )


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--replace", is_flag=True, help="Replace documents whose id exists instead of refusing.")
@index_option
@model_option
@_friendly
def add(files: tuple[Path, ...], replace: bool, index_dir: Path | None, model: Path | None) -> None:
    """Add .txt/.md FILES to the index (the id is the file name without its suffix; spaces and marks an id cannot hold become '-')."""
    from index.updates import apply_changes
    from ingest.documents import read_document

    settings = _settings()
    documents = [read_document(path) for path in files]
    named: dict[str, Path] = {}
    for path, document in zip(files, documents, strict=True):
        if (earlier := named.setdefault(document.doc_id, path)) is not path:
            raise InputError(
                f"{earlier} and {path} both give the id {document.doc_id!r}, so one would replace the "
                "other; add one of them, or rename one"
            )
    try:
        index, embedded = apply_changes(
            index_dir or settings.index_dir,
            embedder=_embedder(model or settings.model_path),
            upserts=documents,
            create_only=not replace,
        )
    except NoTextError as exc:  # named by the files given
        raise NoTextError(exc.doc_ids, names=[str(named.get(d, d)) for d in exc.doc_ids]) from None
    click.echo(
        f"{'added or replaced' if replace else 'added'} {', '.join(d.doc_id for d in documents)}: "
        f"{_count(len(index.documents()), 'document')}, {_count(len(index.chunks), 'chunk')}, "
        f"{_count(embedded, 'text')} embedded"
    )


@main.command()
@click.argument("doc_ids", nargs=-1, required=True)
@index_option
@model_option
@_friendly
def remove(doc_ids: tuple[str, ...], index_dir: Path | None, model: Path | None) -> None:
    """Remove documents (by id) and their passages from the index."""
    from index.updates import apply_changes

    settings = _settings()
    index, _ = apply_changes(
        index_dir or settings.index_dir, embedder=_embedder(model or settings.model_path), removals=doc_ids
    )
    click.echo(f"removed {', '.join(doc_ids)}: {_count(len(index.documents()), 'document')} left")


@main.command()
@click.option(
    "--version",
    "version",
    default=None,
    help="Serve this older version (a folder name in versions/) again, losing the changes made after it.",
)
@index_option
@model_option
@_friendly
def repair(version: str | None, index_dir: Path | None, model: Path | None) -> None:
    """Bring back an index that cannot be opened, keeping every document it holds.

    A missing `current` link is pointed at the newest version; a version this alliance-qa cannot
    open (another format or model, a damaged file), or one an older alliance-qa built (an older
    layout, a lexical setting added since), is rebuilt from its own documents.jsonl. Nothing
    is built over documents that cannot be read: then the error names the folder and the versions
    --version can serve.
    """
    from index.updates import repair as repair_index

    settings = _settings()
    index, done = repair_index(
        index_dir or settings.index_dir,
        embedder=_embedder(model or settings.model_path),
        version=version,
        progress=True,
    )
    click.echo(
        f"{done}: {_count(len(index.documents()), 'document')}, {_count(len(index.chunks), 'chunk')} "
        f"→ {index.folder}"
    )


@main.command()
@click.argument("question")
@click.option(
    "-k",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="How many passages [at most ALLIANCE_QA_MAX_K, 50].",
)
@click.option(
    "--mode",
    type=click.Choice(["hybrid", "dense", "lexical"]),
    default="hybrid",
    show_default=True,
    help="Dense (FAISS), lexical (BM25) or both fused.",
)
@click.option("--doc", "doc_ids", multiple=True, help="Only search this document id (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="JSON lines: the answer, then one object per passage.")
@index_option
@model_option
@_friendly
def ask(
    question: str,
    k: int,
    mode: str,
    doc_ids: tuple[str, ...],
    as_json: bool,
    index_dir: Path | None,
    model: Path | None,
) -> None:
    """Print the answer sentence and the passages that best answer QUESTION, with citations."""
    from dataclasses import asdict

    from index.retriever import Index
    from index.store import resolve_version
    from service.settings import search_config

    settings = _settings()
    if k > settings.max_k:  # the limit the HTTP API keeps (session 19: the CLI's was fixed at 50)
        raise click.BadParameter(
            f"{k} is more than {settings.max_k} passages: ask for at most {settings.max_k}, or raise "
            "ALLIANCE_QA_MAX_K",
            param_hint="'-k'",
        )
    home = index_dir or settings.index_dir
    resolve_version(home)  # no index there: say so before loading the model (exporting it, the first time)
    index = Index.open(home, embedder=_embedder(model or settings.model_path), config=search_config(settings))
    result = index.ask(question, k=k, mode=mode, doc_ids=list(doc_ids) or None)
    if as_json:
        answer = (
            None
            if result.answer is None
            else {"text": result.answer.text, "citation": asdict(result.answer.citation)}
        )
        click.echo(
            json.dumps(
                {
                    "question": result.question,
                    "answerable": result.answerable,
                    "answer": answer,
                    "refusal": result.refusal,
                    # as the HTTP answer has them: the confidence is what a threshold is chosen by
                    "confidence": result.confidence,
                    "language_note": result.language_note,
                    "timings_ms": result.timings_ms,
                },
                ensure_ascii=False,
            )
        )
        for hit in result.hits:
            click.echo(json.dumps(_hit_json(hit), ensure_ascii=False))
        return
    if result.answer is None:
        why = f": {result.refusal}" if result.refusal else ""
        click.echo(
            click.style(f"The corpus does not answer this question{why}.", bold=True) + " Closest passages:\n"
        )
    else:
        # on one line: a hard-wrapped source sentence keeps its line breaks in the citation, not here
        click.echo(click.style("Answer: ", bold=True) + " ".join(result.answer.text.split()))
        click.echo(f"        {result.answer.citation.label()}\n")
        if result.language_note:  # a refusal ends with it already
            click.echo(
                click.style("Note: ", bold=True)
                + f"{result.language_note[0].upper()}{result.language_note[1:]}.\n"
            )
    for hit in result.hits:
        click.echo(click.style(f"[{hit.rank}] {hit.citation.label()} · score {hit.score:.3f}", bold=True))
        click.echo(hit.chunk.text)
        click.echo()


def _hit_json(hit: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return {
        "rank": hit.rank,
        "score": hit.score,
        "scores": hit.scores,
        "chunk_id": hit.chunk.chunk_id,
        "text": hit.chunk.text,
        "citation": asdict(hit.citation),
        "highlight": None if hit.highlight is None else {"start": hit.highlight[0], "end": hit.highlight[1]},
    }


@main.command()
@index_option
@_friendly
def info(index_dir: Path | None) -> None:
    """Print the index manifest as JSON."""
    from index.manifest import Manifest
    from index.store import resolve_version, with_recovery

    settings = _settings()
    home = index_dir or settings.index_dir
    folder = resolve_version(home)
    try:
        data = Manifest.read(folder).to_json()
    except AllianceQAError as exc:  # with the repair that keeps the documents
        raise with_recovery(exc, home) from None
    data["folder"] = str(folder)
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


BUNDLED_QUESTIONS = "evals/questions"  # the question sets about corpus/, the essays, in the checkout


def _is_bundled(questions: Path) -> bool:
    """Is `questions` one of the bundled question sets, which ask about the essays in corpus/?"""
    from service.settings import default_path

    return questions.resolve().parent == default_path(BUNDLED_QUESTIONS).resolve()


@main.command("eval")
@click.option(
    "--questions",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Question set (*.jsonl) [default evals/questions/alliance.jsonl].",
)
@click.option(
    "--beir",
    "beir_dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="A BEIR folder (corpus.jsonl, queries.jsonl, qrels/) instead of a question set.",
)
@click.option(
    "--split",
    default="test",
    show_default=True,
    help="Question split: dev, test or all (a file that splits no question is evaluated whole); for "
    "BEIR the qrels file.",
)
@click.option(
    "--modes", default="dense,lexical,hybrid", show_default=True, help="Comma-separated retrieval modes."
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Report folder [default var/reports/<name>-<split>].",
)
@click.option(
    "--compare",
    "compare_to",
    type=click.Path(path_type=Path, exists=True),
    default=None,
    help="An earlier report (folder or report.json): per-query wins/losses and a paired test per mode.",
)
@click.option("-k", type=click.IntRange(1, 1000), default=None, help="Passages per query [10; BEIR 100].")
@click.option(
    "--rewrite",
    type=click.Choice(["lower", "upper", "request", "context"]),
    default=None,
    help='Ask each question rewritten: in lower case, in capitals, inside a request ("Can you tell me…"), '
    "or after a sentence about the asker.",
)
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where BEIR document embeddings are cached [default var/cache/evals, in ALLIANCE_QA_CACHE_DIR].",
)
@index_option
@model_option
@_friendly
def eval_command(
    questions: Path | None,
    beir_dir: Path | None,
    split: str,
    modes: str,
    out_dir: Path | None,
    compare_to: Path | None,
    k: int | None,
    rewrite: str | None,
    cache_dir: Path | None,
    index_dir: Path | None,
    model: Path | None,
) -> None:
    """Score retrieval on a question set (or a BEIR benchmark) per mode; write report.json, report.md, chart.png."""
    from evals.beir import read_qrels
    from evals.compare import check_comparable, compare_modes, compare_reports, load_report
    from evals.questions import SPLITS, has_splits, load_questions
    from evals.report import comparison_lines, label, summary_table, to_json, write_report
    from evals.rewrites import rewrite_questions
    from evals.runner import MODES, evaluate_beir, evaluate_questions
    from index.retriever import Index
    from service.settings import default_path, search_config

    if questions is not None and beir_dir is not None:
        raise InputError("pass either --questions or --beir, not both")
    if rewrite is not None and beir_dir is not None:
        raise InputError("--rewrite applies to a question set, not to a BEIR benchmark")
    if index_dir is not None and beir_dir is not None:  # it would be ignored: the run would not be of it
        raise InputError(
            "--index applies to a question set; a BEIR run searches the folder's corpus.jsonl itself, "
            "so leave out --index"
        )
    if cache_dir is not None and beir_dir is None:
        raise InputError("--cache-dir applies to a BEIR run (--beir); a question set is asked of --index")
    chosen = [m.strip() for m in modes.split(",") if m.strip()]
    unknown = [m for m in chosen if m not in MODES]
    if unknown or not chosen:
        raise InputError(f"unknown mode(s) {', '.join(unknown) or '(none)'}: choose from {', '.join(MODES)}")
    if beir_dir is None and split not in (
        *SPLITS,
        "all",
    ):  # `all`: the command line's word for every question
        raise InputError(f"unknown split {split!r} for a question set: choose {', '.join(SPLITS)} or all")
    settings = _settings()
    baseline = load_report(compare_to) if compare_to is not None else None  # before --out may overwrite it
    path = questions or default_path(BUNDLED_QUESTIONS) / "alliance.jsonl"
    home = index_dir or settings.index_dir
    # only a bundled question set may build the index it is asked of, and only at the default path:
    # anyone else's questions are about documents of their own, and an index of the essays at a
    # mistyped --index would be ~25 s of embedding spent to blame their (correct) quotes
    build_missing = beir_dir is None and index_dir is None and _is_bundled(path)
    if beir_dir is None and not build_missing and not _has_index(home):
        raise IndexMissingError(
            f"no index at {home}: build one with `alliance-qa ingest FOLDER --index {home}` (only "
            f"the bundled question sets, asked without --index, build {settings.index_dir} from "
            f"{settings.corpus_dir} themselves)"
        )
    progress = True  # a bar on a terminal, log lines elsewhere (alliance_qa/progress.py)
    # a baseline of another question set is refused before the model loads and the run starts: the
    # comparison comes last, and a run of SciFact takes minutes
    if beir_dir is not None:
        qrels = beir_dir / "qrels" / f"{split}.tsv"
        if baseline is not None and qrels.is_file():  # a missing split: evaluate_beir says which exist
            check_comparable(baseline, modes=chosen, query_ids=read_qrels(qrels))
        out = _report_dir(out_dir, f"{beir_dir.resolve().name}-{split}", compare_to)  # evaluate_beir's name
        evaluation = evaluate_beir(
            beir_dir,
            split=split,
            modes=chosen,
            embedder=_embedder(model or settings.model_path),
            cache_dir=cache_dir or settings.cache_dir / "evals",
            k=k or 100,
            progress=progress,
        )
    else:
        asked = load_questions(path, split=None if split == "all" else split)
        if not has_splits(asked):
            if split != "all":
                click.echo(f"{path} gives its questions no split: evaluating all {len(asked)}", err=True)
            split = "all"
        if baseline is not None:  # before the index is opened or built, and the questions asked
            check_comparable(baseline, modes=chosen, query_ids=[q.id for q in asked if q.answerable])
        name = f"{path.stem}-{split}" + (f"-{rewrite}" if rewrite else "")
        out = _report_dir(out_dir, name, compare_to)
        if rewrite is not None:
            asked = rewrite_questions(asked, rewrite)
        embedder = _embedder(model or settings.model_path)
        try:
            index = Index.open(home, embedder=embedder, config=search_config(settings))
        except IndexMissingError:
            if not build_missing:
                raise
            click.echo(f"no index at {home}: building it from {settings.corpus_dir}", err=True)
            index = Index.build(
                settings.corpus_dir,
                home,
                embedder=embedder,
                progress=progress,
                config=search_config(settings),
            )
        evaluation = evaluate_questions(
            index,
            asked,
            modes=chosen,
            k=k or 10,
            name=name,
            progress=progress,
        )
    for mode, why in evaluation.skipped.items():
        click.echo(f"warning: skipped mode {mode}: {why}", err=True)
    deeper = [label(m) for m in evaluation.metrics if _cutoff(m) > evaluation.setup["k"]]
    if deeper:  # hit@10 of a run that returned 3 passages is hit@3
        click.echo(
            f"warning: -k {evaluation.setup['k']} is below the cut-off of {', '.join(deeper)}: "
            f"{'it counts' if len(deeper) == 1 else 'they count'} "
            f"only the top {evaluation.setup['k']} passages; pass -k {max(_cutoff(m) for m in evaluation.metrics)} "
            "to score them as named",
            err=True,
        )
    uncoverable = evaluation.setup.get("uncoverable") or []
    if uncoverable:  # they score 0 in every mode, which reads as a retrieval failure
        click.echo(
            f"warning: no passage of the index can be relevant to {_count(len(uncoverable), 'question')} "
            f"({', '.join(uncoverable[:10])}{' …' if len(uncoverable) > 10 else ''}): no passage holds one of "
            "their gold spans whole or covers half of it (a span as long as a section), so they score 0 "
            "in every mode; quote the sentence or two that answer instead",
            err=True,
        )
    if beir_dir is not None and "hybrid" in evaluation.results and evaluation.setup.get("tuned_on") is None:
        # the SciFact figures' hybrid is tuned on train and re-scored by late interaction
        click.echo(
            f"warning: hybrid was not tuned: {beir_dir / 'qrels'} has no split besides {split!r} to tune "
            "on, so it fuses with the default RRF (k=60) and without late interaction; add "
            "qrels/train.tsv to tune it",
            err=True,
        )
    report = to_json(evaluation)
    if beir_dir is None:  # which file and split a report was made from (its name is only the file's stem)
        report["setup"] = {**report["setup"], "question_file": str(path), "split": split}
    # which encoder asked the questions: int8 and float32 rank a few questions differently
    report["setup"]["backend"] = settings.backend
    if settings.min_confidence != 0.5 and beir_dir is None:
        report["setup"]["min_confidence"] = settings.min_confidence  # ALLIANCE_QA_MIN_CONFIDENCE
    if rewrite is not None:
        report["setup"]["rewrite"] = rewrite  # the questions were asked rewritten (evals/rewrites.py)
    comparisons = compare_modes(report)
    if baseline is not None:
        comparisons += compare_reports(baseline, report)
    written = write_report(report, comparisons, out)
    click.echo(summary_table(report))
    for line in comparison_lines(comparisons):
        click.echo(line)
    click.echo(f"wrote {', '.join(map(str, written))}", err=True)


def _cutoff(metric: str) -> int:
    """The rank a metric looks down to: 10 for `ndcg@10`."""
    return int(metric.rsplit("@", 1)[1])


def _report_dir(out_dir: Path | None, name: str, compare_to: Path | None) -> Path:
    """The folder the report will go to, checked before the run: writable, and not the report
    `--compare` reads (the default `var/reports/<name>` is where the first run of a set went)."""
    from evals.report import REPORT_JSON, check_out_dir
    from service.settings import default_path

    out = out_dir or default_path("var/reports") / name
    if compare_to is not None:
        baseline = compare_to if compare_to.is_file() else compare_to / REPORT_JSON
        if baseline.resolve() == (out / REPORT_JSON).resolve():
            raise InputError(
                f"{out} is the report --compare reads, and this run would overwrite it; pass --out "
                "with another folder for the new report"
            )
    check_out_dir(out)
    return out


@main.command("eval-compare")
@click.argument("baseline", type=click.Path(path_type=Path, exists=True))
@click.argument("candidate", type=click.Path(path_type=Path, exists=True))
@click.option("--metric", default="ndcg@10", show_default=True, help="Per-query metric to compare.")
@_friendly
def eval_compare(baseline: Path, candidate: Path, metric: str) -> None:
    """Compare two eval reports (folders or report.json): per-query wins and losses, paired p-value per mode."""
    from evals.compare import compare_reports, load_report
    from evals.report import comparison_lines

    comparisons = compare_reports(load_report(baseline), load_report(candidate), metric=metric)
    for line in comparison_lines(comparisons, details=True):
        click.echo(line)


def _another(option: str, given: object, variable: str) -> str:
    """How to pick another value: by the option or the variable it came from (`make run` sets the variable)."""
    import os

    if given is not None:
        return f"pass another {option}"
    if os.environ.get(variable):
        return f"set another {variable}"
    return f"pass {option} (or set {variable})"


@main.command()
@click.option("--host", default=None, help="Address to listen on [env ALLIANCE_QA_HOST; default 127.0.0.1].")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=None, help="Port [env ALLIANCE_QA_PORT; default 8000]."
)
@index_option
@model_option
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Server processes [env ALLIANCE_QA_WORKERS; default 1].",
)
@_friendly
def serve(
    host: str | None, port: int | None, index_dir: Path | None, model: Path | None, workers: int | None
) -> None:
    """Serve the JSON API and web page, building the configured index first if it is missing (or
    rebuilding it from its own documents if this alliance-qa cannot open it)."""
    import contextlib
    import os
    import shutil
    import tempfile

    from service.memory import limit_malloc_arenas
    from service.settings import ENV_PREFIX, load_settings

    # an option given wins over its variable, which is then neither used nor checked: here and in
    # what reads the settings after (the embedder's, the app's in each worker) the option stands in
    # for it (`ALLIANCE_QA_PORT=abc serve --port 8077` was refused naming the variable)
    given = {
        name: value
        for name, value in {"host": host, "port": port, "workers": workers}.items()
        if value is not None
    }
    for name, value in given.items():
        os.environ[f"{ENV_PREFIX}{name.upper()}"] = str(value)
    settings = load_settings(**given)
    workers = settings.workers
    if settings.malloc_arenas and "MALLOC_ARENA_MAX" not in os.environ:
        # first, before the imports below start threads (numpy's BLAS, OpenMP): glibc fixes which
        # arenas exist as threads first allocate (service/memory.py); worker processes read the
        # variable as they start, this process (one worker) takes the call
        os.environ["MALLOC_ARENA_MAX"] = str(settings.malloc_arenas)
        limit_malloc_arenas(settings.malloc_arenas)

    import uvicorn

    from index.freshness import MISSED_BY_OLDER_LEXICAL, older_settings, shares_documents, stale_reasons
    from index.manifest import Manifest
    from index.store import resolve_version, with_recovery
    from ingest.chunking import ChunkerConfig
    from service.listen import HostError, PortInUseError, check_free, serve_workers
    from service.logs import log_config
    from service.settings import available_cores

    def check_address() -> None:
        """Refuse, in one line naming the setting, an address the server cannot listen on."""
        try:
            check_free(options["host"], options["port"])
        except HostError as exc:
            named = f"--host {host}" if host is not None else f"ALLIANCE_QA_HOST={settings.host}"
            raise click.ClickException(
                f"{named} {exc.strerror}: {_another('--host', host, 'ALLIANCE_QA_HOST')}, such as "
                "127.0.0.1 (this machine only), 0.0.0.0 (every interface) or an address `ip address` lists"
            ) from None

    options: dict[str, Any] = {
        "factory": True,
        "host": host or settings.host,
        "port": port or settings.port,
        "workers": workers,
        "access_log": settings.access_log,
        # one config for uvicorn's loggers and the app's: time, level and worker on every line
        "log_config": log_config(settings.log_level),
        "log_level": settings.log_level,
    }
    # a bad host is said before an index is built; a port in use is said below, once the index
    # is there (the other server may be gone by then)
    with contextlib.suppress(PortInUseError):
        check_address()
    out = index_dir or settings.index_dir
    model = model or settings.model_path
    from index.updates import indexed_ids, sync_folder

    try:  # an index that opens is served as it is: rebuilding would drop documents added by API
        manifest = Manifest.read(resolve_version(out))
    except AllianceQAError as exc:
        # only the configured index is built from the configured folder: at a --index of its own
        # (a typo, or an index of other documents) the essays would be ~25 s of embedding to serve
        # the wrong documents, or would replace a damaged index of the user's own
        if index_dir is not None and isinstance(exc, IndexMissingError):
            raise IndexMissingError(
                f"no index at {out}: build one with `alliance-qa ingest FOLDER --index {out}` (serve "
                f"builds only {settings.index_dir}, from {settings.corpus_dir}, when it is missing)"
            ) from None
        if index_dir is not None:
            raise with_recovery(exc, out) from None
        if isinstance(exc, IndexMissingError):
            click.echo(f"building {out} from {settings.corpus_dir}: {NO_INDEX_YET}", err=True)
        elif indexed_ids(out):  # its documents can be read, and are kept (else sync_folder refuses)
            why = str(exc).split(";")[0]
            click.echo(f"rebuilding {out} from its own documents and {settings.corpus_dir}: {why}", err=True)
        sync_folder(
            out,
            settings.corpus_dir,
            embedder=_embedder(model),
            chunker=ChunkerConfig(),
            keep_extra=True,  # documents added over HTTP or with `add` stay, as with `make run`
            progress=True,  # a bar on a terminal, log lines elsewhere
        )
    else:
        reasons = stale_reasons(out, settings.corpus_dir, chunker=ChunkerConfig(), model_path=model)
        changed = [r for r in reasons if r.startswith(("changed", "added"))]
        # an index of another folder (`ingest my-folder --index var/mine`) shares no document with
        # corpus/, and bringing corpus/ into it is no advice to give
        shares = shares_documents(out, settings.corpus_dir)
        if changed and shares:
            click.echo(
                f"note: {settings.corpus_dir} differs from the index ({'; '.join(changed)}): "
                "run `alliance-qa ingest --if-stale` to bring it in",
                err=True,
            )
        if older := [r for r in reasons if r.startswith("documents are read a newer way")]:
            # served as it is, cut the old way; only `ingest --if-stale` said so, and only under make run
            update = "`alliance-qa ingest --if-stale`" if shares else f"`alliance-qa repair --index {out}`"
            click.echo(
                f"note: {out} was cut into passages by an older chunker ({older[0].split('(')[-1].rstrip(')')}): "
                f"{update} updates it, keeping its documents and re-embedding only text that changed",
                err=True,
            )
        lexical = [r.split()[1] for r in older_settings(manifest) if r.startswith("lexical ")]
        if lexical:
            # searched the old way until rebuilt: after the upgrade to `cjk`, a Japanese question
            # matched no word of a Japanese document, and nothing said why (session 20)
            missed = "; ".join(
                MISSED_BY_OLDER_LEXICAL.get(name, "its words are read the old way") for name in lexical
            )
            click.echo(
                f"note: {out} was built before the lexical setting{'s' if len(lexical) > 1 else ''} "
                f"{', '.join(lexical)} ({missed}): `alliance-qa repair --index {out}` rebuilds it from its "
                "own documents, keeping every one (so does its next write)",
                err=True,
            )
    # every worker builds its app from the environment, so hand the choices over there
    os.environ["ALLIANCE_QA_INDEX_DIR"] = str(out)
    if settings.threads is None:  # the cores shared out: workers × threads never oversubscribes them
        os.environ["ALLIANCE_QA_THREADS"] = str(max(1, available_cores() // workers))
    if model is not None:
        os.environ["ALLIANCE_QA_MODEL_PATH"] = str(model)
    os.environ["ALLIANCE_QA_WORKERS"] = str(workers)
    # the workers share their connection counts here, so keep-alive clients spread evenly
    shared = Path(tempfile.mkdtemp(prefix="alliance-qa-workers-")) if workers > 1 else None
    if shared is not None:
        os.environ["ALLIANCE_QA_BALANCE_DIR"] = str(shared)
        # and their metrics, so /metrics answers for the server whichever worker answers it
        # (prometheus_client reads PROMETHEUS_MULTIPROC_DIR as a worker imports it)
        counted = shared / "metrics"
        counted.mkdir()
        os.environ["ALLIANCE_QA_METRICS_DIR"] = os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(counted)
    try:
        if workers == 1:
            check_address()  # before the index loads, with the fix
            uvicorn.run("service.app:create_app_from_env", **options)
        else:  # each worker on a listening socket of its own (service/listen.py)
            serve_workers(uvicorn.Config("service.app:create_app_from_env", **options))
    except PortInUseError as exc:
        raise click.ClickException(
            f"{exc.strerror}: stop the server listening there, or "
            f"{_another('--port', port, 'ALLIANCE_QA_PORT')}"
        ) from None
    except HostError as exc:  # several workers: the address was claimed only now
        raise click.ClickException(f"{options['host']} {exc.strerror}") from None
    finally:
        if shared is not None:
            shutil.rmtree(shared, ignore_errors=True)


if __name__ == "__main__":  # `python -m service.cli`, as the `alliance-qa` script runs `main`
    main()
