"""Hostile and heavy requests: each is refused with the status and the hint a caller needs, and none
changes what is stored."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.types import Message, Scope

from tests.service.test_writes import writable_client

KEY = "hostile-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
AUTH_HEADERS = [(b"authorization", f"Bearer {KEY}".encode())]
FIVE_MB = 5 * 1024 * 1024
JSON = {"Content-Type": "application/json"}
INTRUDER = {"doc_id": "intruder", "text": "Intruder\n\nThis text must never be stored.\n"}
UPLOAD_HINT = "ALLIANCE_QA_MAX_UPLOAD_BYTES"  # writable_client sets it to 2,000


def json_of_size(size: int) -> bytes:
    """A JSON body of `size` bytes, sent with its Content-Length."""
    return b'{"question": "' + b"x" * (size - 16) + b'"}'


def streamed(size: int) -> Iterator[bytes]:
    """A body sent in pieces, without a Content-Length (chunked), as a proxy may forward it."""
    for _ in range(size // 65_536):
        yield b"x" * 65_536


# (method, path, request keyword arguments, status, a substring of `detail` the caller needs)
HOSTILE = [
    # questions
    ("POST", "/v1/ask", {"json": {"question": ""}}, 422, "question is empty"),
    ("POST", "/v1/ask", {"json": {"question": " \n\t "}}, 422, "question is empty"),
    ("POST", "/v1/ask", {"json": {"question": "x" * 10_240}}, 422, "the limit is 1000: shorten it"),
    ("POST", "/v1/ask", {"json": {"question": "pact", "k": 0}}, 422, "k must be between 1 and 50, got 0"),
    ("POST", "/v1/ask", {"json": {"question": "pact", "k": -1}}, 422, "k must be between 1 and 50, got -1"),
    ("POST", "/v1/search", {"json": {"question": "pact", "k": 10**6}}, 422, "between 1 and 50, got 1000000"),
    ("GET", "/v1/ask?q=pact&k=1000000", {}, 422, "k must be between 1 and 50, got 1000000"),
    (
        "POST",
        "/v1/ask",
        {"json": {"question": "pact", "k": "five"}},
        422,
        "k: Input should be a valid integer",
    ),
    ("POST", "/v1/ask", {"json": {"question": "pact", "k": 2.5}}, 422, "k: Input should be a whole number"),
    ("POST", "/v1/ask", {"content": b'{"question": "pact",', "headers": JSON}, 400, "not valid JSON"),
    ("POST", "/v1/ask", {"content": b'["pact"]', "headers": JSON}, 422, "must be a JSON object"),
    (
        "POST",
        "/v1/ask",
        {"content": b'{"question": "pact"}', "headers": {"Content-Type": "text/plain"}},
        422,
        "Content-Type: application/json",
    ),
    ("POST", "/v1/ask", {"data": {"question": "pact"}}, 422, "Content-Type: application/json"),
    ("POST", "/v1/ask", {"json": {"question": "pact", "colour": "blue"}}, 422, "unknown field 'colour'"),
    (
        "POST",
        "/v1/ask",
        {"json": {"question": "pact", "mode": "fuzzy"}},
        422,
        "'hybrid', 'dense' or 'lexical'",
    ),
    ("POST", "/v1/ask", {"json": {"question": "pact", "doc_ids": ["nope"]}}, 422, "known ids: harbour-pact"),
    (
        "POST",
        "/v1/search",
        {"json": {"question": "pact", "doc_ids": ["../../etc/passwd"]}},
        422,
        "unknown doc_ids: '../../etc/passwd'",
    ),
    # path traversal: an id never becomes a path, and a slash never reaches a route
    ("GET", "/v1/documents/..%2F..%2Fetc%2Fpasswd", {}, 404, "see /docs for the API"),
    ("GET", "/v1/documents/%2e%2e", {}, 404, "no document '..'; known ids: harbour-pact"),
    ("GET", "/v1/chunks/..%2F..%2Fetc%2Fpasswd", {}, 404, "see /docs for the API"),
    ("PUT", "/v1/documents/..%2F..%2Fetc%2Fpasswd", {"json": INTRUDER, "headers": AUTH}, 404, "see /docs"),
    (
        "PUT",
        "/v1/documents/%2e%2e",
        {"json": {"text": "T\n\nx."}, "headers": AUTH},
        422,
        "'..' is not allowed",
    ),
    ("PUT", "/v1/documents/a%5Cb", {"json": {"text": "T\n\nx."}, "headers": AUTH}, 422, "use 1-128 letters"),
    ("PUT", "/v1/documents/a%00b", {"json": {"text": "T\n\nx."}, "headers": AUTH}, 422, "use 1-128 letters"),
    ("PUT", "/v1/documents/safe", {"json": INTRUDER | {"doc_id": "../safe"}, "headers": AUTH}, 422, "agree"),
    ("DELETE", "/v1/documents/%2e%2e", {"headers": AUTH}, 404, "no document '..'"),
    ("DELETE", "/v1/documents/..%2Fharbour-pact", {"headers": AUTH}, 404, "see /docs for the API"),
    (
        "POST",
        "/v1/documents",
        {"json": INTRUDER | {"doc_id": "a/b"}, "headers": AUTH},
        422,
        "use 1-128 letters",
    ),
    (
        "POST",
        "/v1/documents",
        {"json": INTRUDER | {"doc_id": "..\\..\\x"}, "headers": AUTH},
        422,
        "not allowed",
    ),
    (
        "POST",
        "/v1/documents",
        {"json": INTRUDER | {"doc_id": "x\x00.txt"}, "headers": AUTH},
        422,
        "not allowed",
    ),
    (
        "POST",
        "/v1/documents",
        {"json": INTRUDER | {"doc_id": ".."}, "headers": AUTH},
        422,
        "'..' is not allowed",
    ),
    (
        "POST",
        "/v1/documents",
        {"files": {"file": ("..\\..\\evil.txt", b"T\n\nx.", "text/plain")}, "headers": AUTH},
        422,
        "is a path or holds control characters",
    ),
    (
        "POST",
        "/v1/documents",
        {
            "files": {"file": ("a.txt", b"T\n\nx.", "text/plain")},
            "data": {"doc_id": "../../etc/passwd"},
            "headers": AUTH,
        },
        422,
        "'../../etc/passwd' is not allowed",
    ),
    # heavy bodies: 413 from the declared length, or at the first piece past the limit
    ("POST", "/v1/ask", {"sized": FIVE_MB, "headers": JSON}, 413, "the request body is 5,242,880 bytes"),
    ("POST", "/v1/search", {"stream": FIVE_MB, "headers": JSON}, 413, "over the limit of 65,536 bytes"),
    ("POST", "/v1/documents", {"sized": FIVE_MB, "headers": JSON | AUTH}, 413, UPLOAD_HINT),
    ("PUT", "/v1/documents/big", {"stream": FIVE_MB, "headers": JSON | AUTH}, 413, UPLOAD_HINT),
    # keys
    ("PUT", "/v1/documents/intruder", {"json": INTRUDER}, 401, "send `Authorization: Bearer <key>`"),
    ("PUT", "/v1/documents/intruder?api_key=" + KEY, {"json": INTRUDER}, 401, "Bearer <key>"),
    (
        "PUT",
        "/v1/documents/intruder",
        {"json": INTRUDER, "headers": {"Authorization": "Bearer wrong"}},
        401,
        "the key is not valid",
    ),
    (
        "PUT",
        "/v1/documents/intruder",
        {"json": INTRUDER, "headers": {"Authorization": f"Bearer {KEY}x"}},
        401,
        "the key is not valid",
    ),
    (
        "DELETE",
        "/v1/documents/harbour-pact",
        {"headers": {"Authorization": "Bearer wrong"}},
        401,
        "not valid",
    ),
    ("DELETE", "/v1/documents/harbour-pact", {"headers": {"Authorization": ""}}, 401, "`Bearer <key>`"),
    (
        "DELETE",
        "/v1/documents/harbour-pact",
        {"headers": {"Authorization": "Bearer "}},
        401,
        "`Bearer <key>`",
    ),
    ("POST", "/v1/documents", {"json": INTRUDER, "headers": {"Authorization": KEY}}, 401, "`Bearer <key>`"),
    (
        "POST",
        "/v1/documents",
        {"json": INTRUDER, "headers": {"Authorization": "Basic aG9zdGlsZTprZXk="}},
        401,
        "`Bearer <key>`",
    ),
    # methods a path does not serve: the detail lists every one it does
    ("GET", "/v1/search", {}, 405, "GET is not allowed on /v1/search; use POST"),
    ("PUT", "/v1/documents", {"json": INTRUDER, "headers": AUTH}, 405, "use GET, HEAD, POST"),
    ("DELETE", "/v1/documents", {"headers": AUTH}, 405, "use GET, HEAD, POST"),
    (
        "POST",
        "/v1/documents/harbour-pact",
        {"json": INTRUDER, "headers": AUTH},
        405,
        "use GET, HEAD, PUT, DELETE",
    ),
    (
        "PATCH",
        "/v1/documents/harbour-pact",
        {"json": INTRUDER, "headers": AUTH},
        405,
        "use GET, HEAD, PUT, DELETE",
    ),
    ("DELETE", "/v1/ask", {"headers": AUTH}, 405, "use GET, HEAD, POST"),
    ("GET", "/v1/nothing-here", {}, 404, "see /docs for the API"),
]


def stored(client: TestClient, root: Path) -> tuple[Any, ...]:
    """What is stored, as a reader sees it and on disk: documents, the live version, every file."""
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.name != ".lock")
    return (
        client.get("/v1/documents").json(),
        client.get("/readyz", headers=AUTH).json()["folder"],  # the folder: for the key only
        (root / "index" / "current").resolve(),
        files,
    )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, tuple[Any, ...], Path]]:
    """One writable app for the whole table, and what it stored before the first request."""
    root = tmp_path_factory.mktemp("hostile")
    for client in writable_client(root, api_key=KEY):
        yield client, stored(client, root), root


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "needle"),
    HOSTILE,
    ids=[f"{m} {p[:40]} {s} {n[:24]}" for m, p, _, s, n in HOSTILE],
)
def test_hostile_requests_are_refused_and_change_nothing(
    hostile: tuple[TestClient, tuple[Any, ...], Path],
    method: str,
    path: str,
    kwargs: dict[str, Any],
    status: int,
    needle: str,
) -> None:
    client, before, root = hostile
    kwargs = dict(kwargs)
    if "stream" in kwargs:
        kwargs["content"] = streamed(kwargs.pop("stream"))
    if "sized" in kwargs:
        kwargs["content"] = json_of_size(kwargs.pop("sized"))

    response = client.request(method, path, **kwargs)

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert needle in body["detail"], body["detail"]
    assert KEY not in response.text
    assert stored(client, root) == before


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
@pytest.mark.parametrize("path", ["/v1/ask", "/v1/documents"])
def test_an_oversized_body_is_refused_before_it_is_read(
    hostile: tuple[TestClient, tuple[Any, ...], Path], path: str, declared: bool
) -> None:
    """The 413 comes after at most one piece past the limit, however much more the client would send."""
    app = hostile[0].app
    pieces_read = 0
    piece = b"x" * 65_536

    async def receive() -> Message:
        nonlocal pieces_read
        pieces_read += 1
        return {"type": "http.request", "body": piece, "more_body": pieces_read < 1_000}  # 64 MB in all

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    headers = [(b"content-type", b"application/json"), *AUTH_HEADERS]
    if declared:
        headers.append((b"content-length", str(1_000 * len(piece)).encode()))
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }

    async def call() -> None:
        await app(scope, receive, send)

    asyncio.run(call())

    assert sent[0]["status"] == 413
    # the upload limit here is 2,000 + 16,384 bytes, the question limit 65,536: one piece, or two
    assert pieces_read == (0 if declared else 1 if path == "/v1/documents" else 2)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/ask", {"question": "pact"}),
        ("POST", "/v1/search", {"question": "pact"}),
        ("GET", "/v1/ask?q=pact", None),
        ("GET", "/v1/documents/harbour-pact", None),
    ],
)
def test_closed_reads_close_questions_too(tmp_path: Path, method: str, path: str, body: Any) -> None:
    """With ALLIANCE_QA_OPEN_READS=false, passages (which quote the documents) need the key as well."""
    for client in writable_client(tmp_path, api_key=KEY, open_reads=False):
        refused = client.request(method, path, json=body)
        assert refused.status_code == 401, refused.text
        assert "Bearer <key>" in refused.json()["detail"]
        assert client.request(method, path, json=body, headers=AUTH).status_code == 200
