"""Typed dependencies for routes: the settings, the loaded index, the metrics."""

from __future__ import annotations

import asyncio
import gc
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from index.retriever import Index
from index.store import CURRENT
from service.metrics import Metrics
from service.settings import Settings

# The dependencies are `async def`: FastAPI runs a plain `def` dependency in a worker thread, a hop
# that cost more than the work itself on every request (measured with py-spy under wrk).


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_index(request: Request) -> Index:
    """The live index, or the reason there is none (a 503 problem).

    Another worker process may have published a newer version: one readlink tells, and the
    new version is opened once, under a lock and in a worker thread, while other requests keep
    using the old one. Only a link not seen before is resolved path by path: under load, each
    of `Path.resolve`'s system calls gave up the GIL to the question being ranked, and waiting to
    get it back took a third of the event loop's time (py-spy, 2 workers, 16 connections).
    """
    index: Index | None = request.app.state.index
    if index is None:
        raise request.app.state.index_error
    link = request.app.state.settings.index_dir / CURRENT
    try:
        target = os.readlink(link)
    except OSError:  # a bare version folder, or an injected index: nothing to follow
        return index
    if target == request.app.state.served_link:
        return index
    live = link.resolve(strict=True)
    if live == index.folder.resolve():
        request.app.state.served_link = target
        return index
    return await run_in_threadpool(_follow, request, live)


FREEZE_DELAY_S = 1.0  # after the last install: long after the request that installed it has ended


def freeze_heap() -> None:
    """Collect, then move everything alive into the generation the cyclic collector skips.

    A loaded index is some 135,000 long-lived objects; a full collection walked them all in 50 ms
    (measured), stalling every question in flight on that worker. Reference counting still frees
    an old index when the last request reading it is done. The collection first: garbage still
    waiting in a reference cycle would otherwise be frozen with the rest and never freed.
    """
    gc.collect()
    gc.freeze()


class DeferredFreeze:
    """`freeze_heap()` on the event loop `FREEZE_DELAY_S` after the last `schedule()`, from any thread.

    Not at once: an install happens inside a request (a write, or a worker following a new version),
    whose futures, frames and tracebacks are alive and in reference cycles that hold the old index.
    Frozen then, they could never be collected, and every write would leak a version (seen: an old
    `Index` alive with no referrer after five writes). A second later they are gone.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, delay: float = FREEZE_DELAY_S) -> None:
        self._loop = loop
        self._delay = delay
        self._handle: asyncio.TimerHandle | None = None

    def schedule(self) -> None:
        self._loop.call_soon_threadsafe(self._arm)

    def _arm(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._handle = self._loop.call_later(self._delay, freeze_heap)

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()


def install_index(state: Any, index: Index) -> None:
    """Make `index` the one later requests read; freeze the heap once the request is over."""
    state.index = index
    state.metrics.observe_index(index)
    freezer: DeferredFreeze | None = getattr(state, "freezer", None)
    if freezer is not None:
        freezer.schedule()
    else:  # no event loop to wait on (start-up, before any request): now
        freeze_heap()


def _follow(request: Request, live: Path) -> Index:
    """Open the version at `live` unless another request already has."""
    with request.app.state.reload_lock:
        index: Index = request.app.state.index
        if live != index.folder.resolve():
            index = Index.open(live, embedder=index.embedder, config=index.config)
            install_index(request.app.state, index)
    return index


async def get_metrics(request: Request) -> Metrics:
    """The app's metrics registry."""
    metrics: Metrics = request.app.state.metrics
    return metrics


@dataclass(frozen=True)
class Asking:
    """What answering a question needs: the live index, the limits, the metrics, the questions' turn."""

    index: Index
    settings: Settings
    metrics: Metrics
    turns: ThreadPoolExecutor  # one thread: questions take turns on it (service/routes/ask.py)


async def get_asking(request: Request) -> Asking:
    """One dependency for the question routes instead of three: FastAPI solves each dependency of a
    route on every request, and under load the three cost a measurable share of the event loop."""
    state = request.app.state
    return Asking(await get_index(request), state.settings, state.metrics, state.question_turns)


SettingsDep = Annotated[Settings, Depends(get_settings)]
IndexDep = Annotated[Index, Depends(get_index)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
AskingDep = Annotated[Asking, Depends(get_asking)]
