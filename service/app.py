"""Build the FastAPI app: the index and model load once at start-up; errors answer as problems."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from alliance_qa import __version__
from alliance_qa.errors import AllianceQAError, IndexCorruptError, IndexMissingError, PayloadTooLargeError
from index.embedder import Embedder
from index.inflections import prepare as prepare_inflections
from index.languages import prepare as prepare_languages
from index.retriever import Index
from index.spelling import prepare as prepare_spelling
from index.store import index_home, repair_advice, with_recovery
from service.auth import declare_closed_reads
from service.balance import ConnectionBalancer, WorkerLoads
from service.cors import ProblemCORSMiddleware
from service.deps import DeferredFreeze, install_index
from service.logs import WriteLog, drop_progress_lock
from service.metrics import Metrics, MetricsMiddleware
from service.problems import error_response, install_problem_handlers
from service.routes import apidocs, ask, documents, health, pages
from service.settings import Settings, load_settings, search_config

logger = logging.getLogger(__name__)

RESTART_HINT = "then restart the service"
BODY_LIMIT = 65_536  # questions are JSON of a few kB at most; uploads have their own limit
UPLOAD_FRAMING = 16_384  # multipart boundaries and part headers around an uploaded file


def load_index(settings: Settings, *, embedder: Embedder | None = None) -> Index:
    """Open the index at `settings.index_dir` with the configured model (loaded here, once)."""
    from index.embedder import load_embedder
    from index.query_cache import QueryCache
    from index.store import resolve_version

    # fail fast on a missing index, before spending seconds loading the model
    resolve_version(settings.index_dir)
    model = embedder or load_embedder(
        settings.backend,
        settings.model_path,
        cache_dir=settings.cache_dir / "onnx",
        threads=settings.encode_threads(),
    )
    # encoding is most of a question's cost: a repeated question skips it
    return Index.open(
        settings.index_dir,
        embedder=QueryCache(model, size=settings.query_cache_size),
        config=search_config(settings),
    )


def _unavailable(settings: Settings, exc: Exception) -> AllianceQAError:
    """The error every request needing the index answers with, saying which command fixes it."""
    if isinstance(exc, AllianceQAError):
        return type(exc)(f"{with_recovery(exc, settings.index_dir)}; {RESTART_HINT}")
    return IndexCorruptError(
        f"{settings.index_dir}: the index could not be opened ({type(exc).__name__}: {exc}); "
        f"{repair_advice(settings.index_dir)}; {RESTART_HINT}"
    )


class BodyLimitMiddleware:
    """Answer 413 to a request body over its path's limit, without reading the rest of it.

    A declared Content-Length over the limit is refused before the app runs; a body sent
    without one is counted as it streams in, and refused at the first byte past the limit.
    """

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    def _limit(self, path: str) -> tuple[int, str]:
        """The byte limit for a path, and what to do about a body over it."""
        if path.startswith("/v1/documents"):
            return self.settings.max_upload_bytes + UPLOAD_FRAMING, (
                f" (ALLIANCE_QA_MAX_UPLOAD_BYTES = {self.settings.max_upload_bytes:,}, plus room for "
                "multipart framing): split the document or raise ALLIANCE_QA_MAX_UPLOAD_BYTES"
            )
        return BODY_LIMIT, (
            ': send a JSON object such as {"question": "..."}; '
            f"questions are at most {self.settings.max_question_chars:,} characters"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, advice = self._limit(scope["path"])
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            error = PayloadTooLargeError(
                f"the request body is {int(declared):,} bytes; the limit is {limit:,}{advice}"
            )
            await error_response(Request(scope), error)(scope, receive, send)
            return
        received, started = 0, False
        refused: PayloadTooLargeError | None = None

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # stops whoever is reading, deep in the app; the 413 below is the answer
                    refused = PayloadTooLargeError(
                        f"the request body is over the limit of {limit:,} bytes{advice}"
                    )
                    raise refused
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused is not None and not started:
                return  # the app's reply to the interrupted read (FastAPI makes it a 400): ours goes instead
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if refused is None or started:
                raise
        if refused is not None and not started:
            await error_response(Request(scope), refused)(scope, receive, send)


def _warn_if_not_writable(settings: Settings) -> None:
    """Say at start-up, not at the first write, that writes will fail: reads are served either way."""
    import os

    from index.store import VERSIONS

    home = settings.index_dir
    if settings.api_key is None or not (home / VERSIONS).is_dir():
        return  # writes are off, or this is a bare version folder (served read-only)
    if not all(os.access(folder, os.W_OK) for folder in (home, home / VERSIONS)):
        logger.warning(
            "the index at %s is not writable by this user: writes will answer 503 until its permissions "
            "or mount are fixed; reads are served",
            home,
        )


def _worker_loads(settings: Settings) -> WorkerLoads | None:
    """This worker's slot for sharing connection counts, under `serve --workers N` (N > 1) only."""
    if settings.balance_dir is None or settings.workers < 2:
        return None
    try:
        return WorkerLoads(settings.balance_dir, settings.workers)
    except OSError as exc:  # the service still answers; connections stay where the kernel put them
        logger.warning("connections are not balanced across workers: %s", exc)
        return None


def create_app(
    settings: Settings, *, index: Index | None = None, embedder: Embedder | None = None
) -> FastAPI:
    """The service: `/v1` JSON API, `/` web page, health and metrics. Pass `index` to skip loading."""
    # an index named by its `current` link is served, followed and written as its home
    settings = settings.model_copy(update={"index_dir": index_home(settings.index_dir)})
    metrics = Metrics(shared_dir=settings.metrics_dir)
    # `serve --workers N` (N > 1): this worker's slot among those sharing connection counts
    loads = _worker_loads(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # questions take turns on one thread of their own (service/routes/ask.py)
        app.state.question_turns = ThreadPoolExecutor(max_workers=1, thread_name_prefix="question")
        started = time.perf_counter()
        try:
            loaded = index or load_index(settings, embedder=embedder)
        except Exception as exc:  # the service still starts, and says why it cannot answer
            app.state.index_error = _unavailable(settings, exc)
            logger.error("no index: %s", app.state.index_error)
            metrics.observe_index(None)
        else:
            _warn_if_not_writable(settings)
            prepare_languages()  # the first question read its language's model: 0.5 s more
            prepare_spelling()  # and the first with a long word the corpus lacks, the English list
            prepare_inflections()  # ... or any word it lacks, lemminflect's tables
            install_index(app.state, loaded)  # no request yet: frozen at once
            logger.info(
                "serving index %s (%d chunks), ready in %.1f s",
                loaded.folder,
                len(loaded.chunks),
                time.perf_counter() - started,
            )
        # later installs (writes, a new version from another worker) freeze once their request is over
        app.state.freezer = DeferredFreeze(asyncio.get_running_loop())
        yield
        app.state.freezer.cancel()
        app.state.question_turns.shutdown(wait=True)
        app.state.index = None
        metrics.close()
        if loads is not None:
            loads.close()

    app = FastAPI(
        title="alliance-qa",
        version=__version__,
        summary="Questions answered from essays on Japan's defense treaties, with exact citations.",
        description="Every passage's `citation.start:end` indexes the text of `GET /v1/documents/{doc_id}`. "
        "Errors are RFC 9457 `application/problem+json`.",
        lifespan=lifespan,
        docs_url=None,  # served by `service/routes/apidocs.py`, with no CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.index = None
    app.state.reload_lock = threading.Lock()
    app.state.served_link = None  # the `current` link's target when it last named the served index
    app.state.index_error = IndexMissingError("the index is still loading: try again in a few seconds")

    install_problem_handlers(app)
    app.add_middleware(WriteLog)  # innermost of these: it logs the writes the app answered
    app.add_middleware(BodyLimitMiddleware, settings=settings)
    app.add_middleware(MetricsMiddleware, metrics=metrics)  # added last: it runs first, and counts the 413s
    if settings.cors_origins:
        app.add_middleware(
            ProblemCORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Content-Type", "Authorization"],
            # what a page on another origin may read beside the simple headers: where a document it
            # added lives (201's Location), and the methods a 405 names (Allow)
            expose_headers=["Location", "Allow"],
        )
    if loads is not None:  # outermost: it sees every request, and sheds a connection after a response
        app.add_middleware(ConnectionBalancer, loads=loads, on_shed=metrics.shed.inc)
    for module in (ask, documents, health, pages, apidocs):
        app.include_router(module.router)
    if not settings.open_reads:
        declare_closed_reads(app)
    # mounted before "/static", which would take its paths otherwise
    app.mount(apidocs.SWAGGER_UI_URL, StaticFiles(directory=apidocs.SWAGGER_UI_DIR), name="swagger-ui")
    app.mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static")
    return app


def create_app_from_env(**overrides: Any) -> FastAPI:
    """The app with settings read from `ALLIANCE_QA_*` variables: the factory uvicorn workers call."""
    drop_progress_lock()  # a server process; its stop would report a leaked semaphore otherwise
    return create_app(load_settings(**overrides))
