"""Start-up, readiness, liveness and metrics: the service starts without an index and says why."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from index.inflections import forms_of
from index.retriever import Index
from index.spelling import english_words
from service.app import create_app
from service.settings import Settings
from tests.conftest import FIXTURE_CORPUS, FakeEmbedder
from tests.service.conftest import ThreadServer
from tests.service.test_errors import assert_problem


def test_healthz_and_readyz_when_ready(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "ready"
    assert body["documents"] == 2
    assert body["chunks"] == 6
    assert body["model"] == FakeEmbedder.name


def test_missing_index_starts_but_is_not_ready(settings: Settings) -> None:
    with TestClient(create_app(settings, embedder=FakeEmbedder())) as client:
        assert client.get("/healthz").status_code == 200
        readiness = assert_problem(client.get("/readyz"), 503, str(settings.index_dir), "alliance-qa ingest")
        assert readiness["type"] == "urn:alliance-qa:problem:index-missing"
        assert_problem(
            client.post("/v1/ask", json={"question": "pact"}), 503, "alliance-qa ingest", "restart"
        )
        assert_problem(client.get("/v1/ask?q=pact"), 503, "alliance-qa ingest")
        assert_problem(client.post("/v1/search", json={"question": "pact"}), 503, "alliance-qa ingest")
        assert_problem(client.get("/v1/documents"), 503, "alliance-qa ingest")
        assert "alliance_qa_index_ready 0.0" in client.get("/metrics").text


def test_damaged_index_starts_but_is_not_ready(settings: Settings) -> None:
    Index.build(FIXTURE_CORPUS, settings.index_dir, embedder=FakeEmbedder())
    (settings.index_dir / "current" / "chunks.jsonl").write_text("{not json\n", encoding="utf-8")

    with TestClient(create_app(settings, embedder=FakeEmbedder())) as client:
        # the repair keeps the documents; a rebuild with `alliance-qa ingest` dropped those added by API
        detail = assert_problem(client.get("/readyz"), 503, "chunks.jsonl", "alliance-qa repair --index")
        assert "alliance-qa ingest" not in detail["detail"]


def test_index_built_by_another_model_is_not_ready(settings: Settings) -> None:
    class OtherEmbedder(FakeEmbedder):
        name = "another-model"

    Index.build(FIXTURE_CORPUS, settings.index_dir, embedder=OtherEmbedder())

    with TestClient(create_app(settings, embedder=FakeEmbedder())) as client:
        assert_problem(client.get("/readyz"), 503, "another-model")


def test_index_and_model_load_once_at_start_up(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    Index.build(FIXTURE_CORPUS, settings.index_dir, embedder=FakeEmbedder())
    opened: list[Path] = []
    real_open = Index.open

    def counting_open(path: Path, **kwargs: Any) -> Index:
        opened.append(path)
        return real_open(path, **kwargs)

    monkeypatch.setattr(Index, "open", counting_open)
    app = create_app(settings, embedder=FakeEmbedder())
    assert opened == []  # creating the app loads nothing

    with TestClient(app) as client:
        assert opened == [settings.index_dir]
        for _ in range(3):
            assert client.post("/v1/ask", json={"question": "lens", "mode": "dense"}).status_code == 200
        assert client.get("/readyz").status_code == 200
    assert opened == [settings.index_dir]


def test_metrics_count_requests_by_route_template(client: TestClient) -> None:
    client.post("/v1/ask", json={"question": "lighthouse", "mode": "dense"})
    client.get("/v1/documents/harbour-pact")
    client.get("/v1/documents/nope")

    text = client.get("/metrics").text

    assert 'alliance_qa_http_requests_total{method="POST",route="/v1/ask",status="200"} 1.0' in text
    assert 'route="/v1/documents/{doc_id}",status="200"} 1.0' in text
    assert 'route="/v1/documents/{doc_id}",status="404"} 1.0' in text
    assert "alliance_qa_http_request_duration_seconds_bucket" in text
    assert "alliance_qa_index_documents 2.0" in text
    assert "alliance_qa_index_chunks 6.0" in text
    assert 'alliance_qa_ask_stage_duration_seconds_count{stage="encode"} 1.0' in text
    assert 'alliance_qa_ask_stage_duration_seconds_count{stage="total"} 1.0' in text


def test_each_app_has_its_own_metrics(settings: Settings, fixture_index: Index) -> None:
    with TestClient(create_app(settings, index=fixture_index)) as first:
        first.get("/healthz")
        first.get("/healthz")
    with TestClient(create_app(settings, index=fixture_index)) as second:
        second.get("/healthz")
        text = second.get("/metrics").text

    assert 'route="/healthz",status="200"} 1.0' in text


def test_unmatched_paths_share_one_label(client: TestClient) -> None:
    for path in ("/a", "/b", "/c"):
        client.get(path)

    assert 'route="unmatched",status="404"} 3.0' in client.get("/metrics").text


def test_cors_only_when_configured(settings: Settings, fixture_index: Index) -> None:
    origin = {"Origin": "https://example.org"}
    with TestClient(create_app(settings, index=fixture_index)) as closed:
        assert "access-control-allow-origin" not in closed.get("/healthz", headers=origin).headers
    allowed = settings.model_copy(update={"cors_origins": ["https://example.org"]})
    with TestClient(create_app(allowed, index=fixture_index)) as opened:
        headers = opened.get("/healthz", headers=origin).headers
        assert headers["access-control-allow-origin"] == "https://example.org"


def test_openapi_documents_the_v1_api(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()

    assert {
        "/v1/ask",
        "/v1/search",
        "/v1/documents",
        "/v1/documents/{doc_id}",
        "/v1/chunks/{chunk_id}",
    } <= set(schema["paths"])
    assert "/" not in schema["paths"]
    assert "application/problem+json" in schema["paths"]["/v1/ask"]["post"]["responses"]["422"]["content"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "cdn" not in docs.text and "https://" not in docs.text
    assert client.get("/static/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert client.get("/favicon.ico").headers["content-type"].startswith("image/svg+xml")


def _secured(schema: dict[str, Any]) -> set[str]:
    """ "PUT /v1/documents/{doc_id}": the operations whose schema says they take the bearer key."""
    return {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if operation.get("security") == [{"bearer": []}]
    }


WRITES = {"POST /v1/documents", "PUT /v1/documents/{doc_id}", "DELETE /v1/documents/{doc_id}"}
READS = {
    "GET /v1/ask",
    "POST /v1/ask",
    "POST /v1/search",
    "GET /v1/documents",
    "GET /v1/documents/{doc_id}",
    "GET /v1/chunks/{chunk_id}",
}


@pytest.mark.parametrize("open_reads", [True, False])
def test_openapi_says_which_operations_take_the_key(
    settings: Settings, fixture_index: Index, open_reads: bool
) -> None:
    """/docs had no "Authorize": every write tried there answered 401 (and every read, reads closed)."""
    app = create_app(settings.model_copy(update={"open_reads": open_reads}), index=fixture_index)
    with TestClient(app) as client:
        schema = client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "the key set in ALLIANCE_QA_API_KEY on the server",
    }
    assert _secured(schema) == (WRITES if open_reads else WRITES | READS)


def test_index_folder_removed_after_start_keeps_serving(settings: Settings) -> None:
    # the index lives in memory once loaded: a rebuild or cleanup underneath does not break answers
    Index.build(FIXTURE_CORPUS, settings.index_dir, embedder=FakeEmbedder())
    with TestClient(create_app(settings, embedder=FakeEmbedder())) as client:
        shutil.rmtree(settings.index_dir)
        assert client.post("/v1/ask", json={"question": "lens", "mode": "dense"}).status_code == 200


# every GET of the pages and the health routes (uptime checks ask with HEAD; each was a 405)
HEAD_PATHS = [
    "/",
    "/documents/harbour-pact",
    "/favicon.ico",
    "/docs",
    "/healthz",
    "/readyz",
    "/metrics",
    "/v1/documents",
    "/v1/documents/harbour-pact",
]


@pytest.mark.parametrize("path", HEAD_PATHS)
def test_head_answers_wherever_get_does(client: TestClient, path: str) -> None:
    got = client.get(path)
    head = client.head(path)

    assert head.status_code == got.status_code == 200, head.text
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.content == b""
    if path != "/metrics":  # the metrics change between the two requests
        assert head.headers["content-length"] == got.headers["content-length"]


def test_head_readyz_says_not_ready_without_an_index(settings: Settings) -> None:
    with TestClient(create_app(settings, embedder=FakeEmbedder())) as client:
        assert client.head("/healthz").status_code == 200
        assert client.head("/readyz").status_code == 503


def test_head_is_allowed_where_served_and_not_in_the_schema(client: TestClient) -> None:
    refused = assert_problem(client.post("/healthz"), 405, "use GET, HEAD")
    assert refused["detail"] == "POST is not allowed on /healthz; use GET, HEAD"
    assert client.post("/healthz").headers["allow"] == "GET, HEAD"
    # the schema (which schemathesis fuzzes) keeps one GET per path: HEAD would only repeat it
    paths = client.get("/openapi.json").json()["paths"]
    assert [method for path in paths.values() for method in path if method == "head"] == []


def test_head_sends_the_headers_only_over_a_real_server(settings: Settings, fixture_index: Index) -> None:
    """The test client drops a HEAD response's body itself: a socket shows what the server sends."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    server = ThreadServer(create_app(settings, index=fixture_index), sockets=[listener])

    def exchange(method: str, path: str) -> tuple[bytes, bytes]:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            conn.sendall(f"{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while chunk := conn.recv(65536):
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        return head, body

    try:
        for path in ("/", "/healthz"):
            got_head, got_body = exchange("GET", path)
            head, body = exchange("HEAD", path)
            assert head.startswith(b"HTTP/1.1 200"), head
            assert body == b""
            length = f"content-length: {len(got_body)}".encode()
            assert length in got_head.lower() and length in head.lower()
    finally:
        server.stop()
        listener.close()


WORKER = """
import sys
from pathlib import Path
from service.metrics import Metrics

metrics = Metrics(shared_dir=Path(sys.argv[1]))
metrics.requests.labels(method="GET", route="/v1/documents/{doc_id}", status="404").inc(int(sys.argv[2]))
metrics.documents.set(2)
sys.stdout.buffer.write(metrics.render())
"""


def test_metrics_of_several_workers_add_up(tmp_path: Path) -> None:
    """With `serve --workers 2` a scrape read one worker's counters: 5, 7, 5, 7 for one counter."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}  # as serve sets it for its workers
    scrapes = [
        subprocess.run(
            [sys.executable, "-c", WORKER, str(tmp_path), str(count)],
            env=env,
            capture_output=True,
            check=True,
            cwd=Path(__file__).parents[2],
        ).stdout.decode()
        for count in (5, 7)
    ]
    total = 'alliance_qa_http_requests_total{method="GET",route="/v1/documents/{doc_id}",status="404"} 12.0'
    assert total in scrapes[1].splitlines()
    assert "alliance_qa_index_documents 2.0" in scrapes[1].splitlines()


def _app(settings: Settings, index: Index, **changes: Any) -> TestClient:
    return TestClient(create_app(settings.model_copy(update=changes), index=index))


def test_closed_reads_keep_probes_open_but_close_what_the_index_holds_and_metrics(
    settings: Settings, fixture_index: Index
) -> None:
    """With ALLIANCE_QA_OPEN_READS=false, /readyz showed the folder's path and counts, /metrics all."""
    key = {"Authorization": "Bearer k3y"}
    with _app(settings, fixture_index, api_key=SecretStr("k3y"), open_reads=False) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").json() == {"status": "ready"}  # a probe sends no key
        assert client.head("/readyz").status_code == 200
        assert client.get("/readyz", headers=key).json()["folder"] == str(fixture_index.folder)
        assert client.get("/metrics").status_code == 401
        assert "alliance_qa_index_documents 2.0" in client.get("/metrics", headers=key).text


def test_the_index_folder_is_shown_to_the_key_only_when_a_key_is_set(
    settings: Settings, fixture_index: Index
) -> None:
    with _app(settings, fixture_index, api_key=SecretStr("k3y")) as client:
        public = client.get("/readyz").json()
        assert public["documents"] == 2 and "folder" not in public  # reads are open; the path is not
        assert client.get("/readyz", headers={"Authorization": "Bearer k3y"}).json()["folder"]
        assert client.get("/metrics").status_code == 200
    with _app(settings, fixture_index) as client:  # no key: a local service, writes off
        assert client.get("/readyz").json()["folder"] == str(fixture_index.folder)


def test_readyz_says_how_the_index_is_searched_and_when_an_older_alliance_qa_built_it(
    settings: Settings, tmp_path: Path
) -> None:
    """Operator report (session 20): after the upgrade, an index built before the lexical setting
    `cjk` was served without it (Japanese matched by no word), and /readyz, the one view of a
    deployment from outside its host, gave no sign of it."""
    import json

    from index.store import resolve_version

    Index.build(FIXTURE_CORPUS, settings.index_dir, embedder=FakeEmbedder())
    with TestClient(create_app(settings, embedder=FakeEmbedder())) as client:
        ready = client.get("/readyz").json()
    assert ready["lexical"]["cjk"] is True and "outdated" not in ready
    manifest = resolve_version(settings.index_dir) / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    del data["lexical"]["cjk"]  # as an index built before the setting has it
    manifest.write_text(json.dumps(data), encoding="utf-8")
    with TestClient(create_app(settings, embedder=FakeEmbedder())) as client:
        ready = client.get("/readyz").json()
    assert ready["lexical"]["cjk"] is False and ready["outdated"] == ["lexical cjk None → True"]


def test_word_lists_are_read_at_start_up_not_by_the_first_question(
    settings: Settings, fixture_index: Index
) -> None:
    english_words.cache_clear()
    forms_of.cache_clear()
    with TestClient(create_app(settings, index=fixture_index)):
        assert english_words.cache_info().currsize == 1
        assert forms_of.cache_info().currsize == 1  # lemminflect's tables read
