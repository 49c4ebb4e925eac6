"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST

from index.freshness import older_settings
from index.lexical import LexicalConfig
from service.auth import ReaderDep, holds_key
from service.deps import IndexDep, MetricsDep
from service.problems import documented
from service.schemas import Health, Readiness

# HEAD wherever GET, for uptime checks that ask with HEAD (FastAPI, unlike Starlette, does not add
# it by itself). Left out of the OpenAPI schema: a second operation per path, alike but bodiless,
# would only repeat the GET. The server sends a HEAD response's headers only.
router = APIRouter(tags=["health"])


@router.get("/healthz")
@router.head("/healthz", include_in_schema=False)
def healthz() -> Health:
    """The process is up (it may still lack an index: see /readyz)."""
    return Health()


# Open whatever ALLIANCE_QA_OPEN_READS says, as probes (kubelet, load balancers, `docker
# healthcheck`) send no key; but with closed reads what the index holds is a read, and the index
# folder's absolute path is for those who hold the key.
@router.get("/readyz", responses=documented(503), response_model_exclude_none=True)
@router.head("/readyz", include_in_schema=False, response_model_exclude_none=True)
def readyz(request: Request, index: IndexDep) -> Readiness:
    """The index is loaded and questions can be answered; a 503 problem says why not."""
    settings = request.app.state.settings
    keyed = holds_key(request, settings)
    if not settings.open_reads and not keyed:
        return Readiness()
    manifest = index.manifest
    return Readiness(
        folder=str(index.folder) if keyed else None,
        model=manifest.model_name,
        documents=len(manifest.documents),
        chunks=manifest.chunk_count,
        format_version=manifest.format_version,
        created_at=manifest.created_at,
        chunker=manifest.chunker,
        # after an upgrade, whether the index is searched the new way: an index built before `cjk`
        # matched no Japanese word, and nothing outside the host's shell said so (session 20)
        lexical=asdict(LexicalConfig.from_json(manifest.lexical)),
        outdated=older_settings(manifest) or None,
    )


@router.get("/metrics", response_class=Response)
@router.head("/metrics", response_class=Response, include_in_schema=False)
def metrics(registry: MetricsDep, _: ReaderDep) -> Response:
    """Prometheus text: requests, latency, index size, time per answering stage (a read: with
    closed reads, scrape with the key)."""
    return Response(registry.render(), media_type=CONTENT_TYPE_LATEST)
