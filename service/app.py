"""Build the FastAPI app: the index and model load once at start-up; errors answer as problems."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from alliance_qa import __version__
from alliance_qa.errors import AllianceQAError, IndexCorruptError, IndexMissingError
from index.embedder import Embedder
from index.retriever import Index
from service.metrics import Metrics, MetricsMiddleware
from service.problems import install_problem_handlers
from service.routes import ask, documents, health, pages
from service.settings import Settings

logger = logging.getLogger(__name__)

RESTART_HINT = "then restart the service (`alliance-qa serve` builds a missing or stale index itself)"


def load_index(settings: Settings, *, embedder: Embedder | None = None) -> Index:
    """Open the index at `settings.index_dir` with the configured model (loaded here, once)."""
    from index.embedder import load_embedder
    from index.store import resolve_version

    # fail fast on a missing index, before spending seconds loading the model
    resolve_version(settings.index_dir)
    return Index.open(
        settings.index_dir,
        embedder=embedder
        or load_embedder(
            settings.backend,
            settings.model_path,
            cache_dir=settings.cache_dir / "onnx",
            threads=settings.threads,
        ),
    )


def _unavailable(settings: Settings, exc: Exception) -> AllianceQAError:
    """The error every request needing the index answers with, saying which command fixes it."""
    if isinstance(exc, AllianceQAError):
        return type(exc)(f"{exc}; {RESTART_HINT}")
    return IndexCorruptError(
        f"{settings.index_dir}: the index could not be opened ({type(exc).__name__}: {exc}); "
        f"rebuild it with `alliance-qa ingest`, {RESTART_HINT}"
    )


def create_app(
    settings: Settings, *, index: Index | None = None, embedder: Embedder | None = None
) -> FastAPI:
    """The service: `/v1` JSON API, `/` web page, health and metrics. Pass `index` to skip loading."""
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if index is not None:
            app.state.index = index
        else:
            started = time.perf_counter()
            try:
                app.state.index = load_index(settings, embedder=embedder)
            except Exception as exc:  # the service still starts, and says why it cannot answer
                app.state.index_error = _unavailable(settings, exc)
                logger.error("no index: %s", app.state.index_error)
            else:
                logger.info(
                    "loaded index %s (%d chunks) in %.1f s",
                    app.state.index.folder,
                    len(app.state.index.chunks),
                    time.perf_counter() - started,
                )
        metrics.observe_index(app.state.index)
        yield
        app.state.index = None

    app = FastAPI(
        title="alliance-qa",
        version=__version__,
        summary="Questions answered from essays on Japan's defense treaties, with exact citations.",
        description="Every passage's `citation.start:end` indexes the text of `GET /v1/documents/{doc_id}`. "
        "Errors are RFC 9457 `application/problem+json`.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.index = None
    app.state.reload_lock = threading.Lock()
    app.state.index_error = IndexMissingError("the index is still loading: try again in a few seconds")

    install_problem_handlers(app)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Content-Type", "Authorization"],
        )
    for module in (ask, documents, health, pages):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static")
    return app


def create_app_from_env(**overrides: Any) -> FastAPI:
    """The app with settings read from `ALLIANCE_QA_*` variables: the factory uvicorn workers call."""
    return create_app(Settings(**overrides))
