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

from alliance_qa.errors import AllianceQAError

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


def _settings() -> Any:
    from service.settings import Settings

    return Settings()


def _embedder(model: Path | None) -> Any:
    from index.embedder import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(model)


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
    "--out",
    "index_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Index folder to write [env ALLIANCE_QA_INDEX_DIR; default var/index].",
)
@model_option
@click.option("--max-tokens", type=int, default=None, help="Chunk budget in model tokens.")
@click.option("--overlap", type=int, default=None, help="Sentences repeated between chunks.")
@click.option("--if-stale", is_flag=True, help="Only build when the index is missing or out of date.")
@_friendly
def ingest(
    corpus: Path | None,
    index_dir: Path | None,
    model: Path | None,
    max_tokens: int | None,
    overlap: int | None,
    if_stale: bool,
) -> None:
    """Build the index from CORPUS (default: corpus/)."""
    from index.freshness import stale_reasons
    from index.retriever import Index
    from ingest.chunking import ChunkerConfig

    settings = _settings()
    corpus = corpus or settings.corpus_dir
    out = index_dir or settings.index_dir
    defaults = ChunkerConfig()
    chunker = ChunkerConfig(
        max_tokens=max_tokens if max_tokens is not None else defaults.max_tokens,
        overlap_sentences=overlap if overlap is not None else defaults.overlap_sentences,
    )
    model = model or settings.model_path
    if if_stale:
        reasons = stale_reasons(out, corpus, chunker=chunker, model_path=model)
        if not reasons:
            click.echo(f"index at {out} is up to date", err=True)
            return
        click.echo(f"rebuilding {out}: {'; '.join(reasons)}", err=True)
    started = time.perf_counter()
    index = Index.build(corpus, out, embedder=_embedder(model), chunker=chunker, progress=sys.stderr.isatty())
    seconds = time.perf_counter() - started
    click.echo(
        f"indexed {len(index.documents())} documents into {len(index.chunks)} chunks "
        f"in {seconds:.1f} s → {index.folder}"
    )


@main.command()
@click.argument("question")
@click.option("-k", type=click.IntRange(1, 50), default=5, show_default=True, help="How many passages.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per passage.")
@index_option
@model_option
@_friendly
def ask(question: str, k: int, as_json: bool, index_dir: Path | None, model: Path | None) -> None:
    """Print the passages that best answer QUESTION, with citations."""
    from index.retriever import Index

    settings = _settings()
    index = Index.open(index_dir or settings.index_dir, embedder=_embedder(model or settings.model_path))
    hits = index.search(question, k=k)
    for hit in hits:
        if as_json:
            click.echo(json.dumps(_hit_json(hit), ensure_ascii=False))
        else:
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
    from index.store import resolve_version

    settings = _settings()
    folder = resolve_version(index_dir or settings.index_dir)
    data = Manifest.read(folder).to_json()
    data["folder"] = str(folder)
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))
