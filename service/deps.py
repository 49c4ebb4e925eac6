"""Typed dependencies for routes: the settings, the loaded index, the metrics."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from index.retriever import Index
from index.store import CURRENT
from service.metrics import Metrics
from service.settings import Settings


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_index(request: Request) -> Index:
    """The live index, or the reason there is none (a 503 problem).

    Another worker process may have published a newer version: one readlink tells, and the
    new version is opened once, under a lock, while other requests keep using the old one.
    """
    index: Index | None = request.app.state.index
    if index is None:
        raise request.app.state.index_error
    link = request.app.state.settings.index_dir / CURRENT
    try:
        live = link.resolve(strict=True)
    except OSError:  # a bare version folder, or an injected index: nothing to follow
        return index
    if live != index.folder.resolve():
        with request.app.state.reload_lock:
            index = request.app.state.index
            if live != index.folder.resolve():
                index = Index.open(live, embedder=index.embedder, config=index.config)
                request.app.state.index = index
                request.app.state.metrics.observe_index(index)
    return index


def get_metrics(request: Request) -> Metrics:
    """The app's metrics registry."""
    metrics: Metrics = request.app.state.metrics
    return metrics


SettingsDep = Annotated[Settings, Depends(get_settings)]
IndexDep = Annotated[Index, Depends(get_index)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
