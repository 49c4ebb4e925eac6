"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST

from service.deps import IndexDep, MetricsDep
from service.problems import documented
from service.schemas import Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> Health:
    """The process is up (it may still lack an index: see /readyz)."""
    return Health()


@router.get("/readyz", responses=documented(503))
def readyz(index: IndexDep) -> Readiness:
    """The index is loaded and questions can be answered; a 503 problem says why not."""
    manifest = index.manifest
    return Readiness(
        folder=str(index.folder),
        model=manifest.model_name,
        documents=len(manifest.documents),
        chunks=manifest.chunk_count,
        format_version=manifest.format_version,
        created_at=manifest.created_at,
        chunker=manifest.chunker,
    )


@router.get("/metrics", response_class=Response)
def metrics(registry: MetricsDep) -> Response:
    """Prometheus text: requests, latency, index size, time per answering stage."""
    return Response(registry.render(), media_type=CONTENT_TYPE_LATEST)
