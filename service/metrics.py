"""Prometheus metrics for one app: requests by route template, index size, time per answering stage."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from index.retriever import Index

# answering stages take milliseconds to a few seconds on a CPU
STAGE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """The app's own registry, so several apps in one process (tests) never share counters.

    `shared_dir`: under `serve --workers N` (N > 1), the folder where every worker's values are
    kept (prometheus_client's multiprocess mode, which `PROMETHEUS_MULTIPROC_DIR` switches on as
    the worker starts), so a scrape answered by any worker reports the whole server. Without it a
    scrape got whichever worker answered, and counters read 7, 5, 7, 5: resets to Prometheus.
    """

    def __init__(self, *, shared_dir: Path | None = None) -> None:
        self.shared_dir = shared_dir
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "alliance_qa_http_requests",
            "HTTP requests served, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "alliance_qa_http_request_duration_seconds",
            "Time to serve an HTTP request, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.ready = Gauge(
            "alliance_qa_index_ready",
            "1 when the index is loaded and questions can be answered.",
            registry=self.registry,
            multiprocess_mode="livemostrecent",  # several workers: the latest any of them set
        )
        self.documents = Gauge(
            "alliance_qa_index_documents",
            "Documents in the loaded index.",
            registry=self.registry,
            multiprocess_mode="livemostrecent",
        )
        self.chunks = Gauge(
            "alliance_qa_index_chunks",
            "Chunks (passages) in the loaded index.",
            registry=self.registry,
            multiprocess_mode="livemostrecent",
        )
        self.shed = Counter(
            "alliance_qa_connections_shed",
            "Keep-alive connections closed after a response to even out the workers' loads.",
            registry=self.registry,
        )
        self.stages = Histogram(
            "alliance_qa_ask_stage_duration_seconds",
            "Time spent per answering stage (encode, search, answer, total).",
            ["stage"],
            buckets=STAGE_BUCKETS,
            registry=self.registry,
        )

    def observe_index(self, index: Index | None) -> None:
        """Record the loaded index's size, or that none is loaded."""
        self.ready.set(0 if index is None else 1)
        self.documents.set(0 if index is None else len(index.manifest.documents))
        self.chunks.set(0 if index is None else index.manifest.chunk_count)

    def observe_timings(self, timings_ms: Mapping[str, float]) -> None:
        """Record one answer's per-stage timings (given in milliseconds)."""
        for stage, ms in timings_ms.items():
            self.stages.labels(stage=stage).observe(ms / 1000)

    def render(self) -> bytes:
        """The Prometheus text exposition of this app's metrics (of every worker's, when shared)."""
        if self.shared_dir is None:
            return generate_latest(self.registry)
        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged, path=str(self.shared_dir))  # type: ignore[no-untyped-call]
        return generate_latest(merged)

    def close(self) -> None:
        """This worker is stopping: its index gauges no longer count (its counters still do)."""
        if self.shared_dir is not None:
            multiprocess.mark_process_dead(os.getpid(), str(self.shared_dir))  # type: ignore[no-untyped-call]


class MetricsMiddleware:
    """Count and time every HTTP request, labelled by its route template (bounded cardinality)."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # what the caller sees if the app raises before answering
        started = time.perf_counter()

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            # the router stores the matched route in the scope; raw paths would explode the label set
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            labels = {"method": scope["method"], "route": route, "status": str(status)}
            self.metrics.requests.labels(**labels).inc()
            self.metrics.latency.labels(**labels).observe(time.perf_counter() - started)
