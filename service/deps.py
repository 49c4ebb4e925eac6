"""Typed dependencies for routes: the settings, the loaded index, the metrics."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from index.retriever import Index
from service.metrics import Metrics
from service.settings import Settings


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_index(request: Request) -> Index:
    """The index loaded at start-up, or the reason there is none (a 503 problem)."""
    index: Index | None = request.app.state.index
    if index is None:
        raise request.app.state.index_error
    return index


def get_metrics(request: Request) -> Metrics:
    """The app's metrics registry."""
    metrics: Metrics = request.app.state.metrics
    return metrics


SettingsDep = Annotated[Settings, Depends(get_settings)]
IndexDep = Annotated[Index, Depends(get_index)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
