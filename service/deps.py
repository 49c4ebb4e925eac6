"""Typed dependencies for routes: the settings, the loaded index, the metrics."""

from __future__ import annotations

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


def install_index(state: Any, index: Index) -> None:
    """Make `index` the one later requests read, and take it out of the cyclic collector's sweeps.

    A loaded index is some 135,000 long-lived objects; a full collection walked them all in 50 ms
    (measured), stalling every question in flight on that worker. `gc.freeze()` moves what is alive
    now into a generation the collector skips; reference counting still frees an old index when
    the last request reading it is done. A collection first: garbage still waiting in a reference
    cycle at this moment (an index opened by a finished write, held by a traceback) would otherwise
    be frozen with the rest and never freed. It walks only what is not frozen yet, once per install.
    """
    state.index = index
    state.metrics.observe_index(index)
    gc.collect()
    gc.freeze()


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
