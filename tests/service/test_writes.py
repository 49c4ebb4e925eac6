"""Writes over HTTP: the key, add / replace / delete, bad uploads that must change nothing."""

from __future__ import annotations

import gc
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from index.retriever import Index
from service.app import create_app
from service.settings import Settings
from tests.conftest import FIXTURE_CORPUS, FakeEmbedder

KEY = "s3cret-key-for-tests"
AUTH = {"Authorization": f"Bearer {KEY}"}
NEW_DOC = {
    "doc_id": "river-accord",
    "text": "The River Accord\n\nThe River Accord shares the Tamsin river.\n",
}


def writable_client(tmp_path: Path, **settings: Any) -> Iterator[TestClient]:
    home = tmp_path / "index"
    index = Index.build(FIXTURE_CORPUS, home, embedder=FakeEmbedder())
    config = Settings(index_dir=home, corpus_dir=FIXTURE_CORPUS, max_upload_bytes=2_000, **settings)
    with TestClient(create_app(config, index=index)) as client:
        yield client


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    yield from writable_client(tmp_path, api_key=KEY)


def snapshot(client: TestClient) -> tuple[Any, ...]:
    """What is stored, as a reader sees it."""
    return (client.get("/v1/documents").json(), client.get("/readyz", headers=AUTH).json())


def test_writes_are_off_without_a_key(tmp_path: Path) -> None:
    for client in writable_client(tmp_path):
        response = client.post("/v1/documents", json=NEW_DOC, headers=AUTH)
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
        assert "ALLIANCE_QA_API_KEY" in response.json()["detail"]


def test_add_replace_delete_round_trip(client: TestClient) -> None:
    created = client.post("/v1/documents", json=NEW_DOC, headers=AUTH)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/v1/documents/river-accord"
    assert created.json()["title"] == "The River Accord"
    hits = client.post("/v1/search", json={"question": "Tamsin river accord", "mode": "dense"}).json()
    assert hits["passages"][0]["citation"]["doc_id"] == "river-accord"
    text = client.get("/v1/documents/river-accord").json()["text"]
    first = hits["passages"][0]
    assert text[first["citation"]["start"] : first["citation"]["end"]] == first["text"]

    again = client.post("/v1/documents", json=NEW_DOC, headers=AUTH)
    assert again.status_code == 409 and "PUT" in again.json()["detail"]

    replaced = client.put(
        "/v1/documents/river-accord",
        json={"text": "The River Accord\n\nIt was renegotiated in 2020.\n"},
        headers=AUTH,
    )
    assert replaced.status_code == 200, replaced.text
    assert "renegotiated" in client.get("/v1/documents/river-accord").json()["text"]

    assert client.delete("/v1/documents/river-accord", headers=AUTH).status_code == 204
    assert client.get("/v1/documents/river-accord").status_code == 404
    assert client.delete("/v1/documents/river-accord", headers=AUTH).status_code == 404


def test_replaced_versions_are_freed(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    # each installed index is frozen out of the cyclic collector's sweeps (service/deps.py); an old
    # version must still go as soon as no request reads it, or every write would leak one
    opened: list[weakref.ref[Index]] = []
    init = Index.__init__

    def tracked(self: Index, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        opened.append(weakref.ref(self))

    monkeypatch.setattr(Index, "__init__", tracked)
    for version in range(5):
        text = f"The River Accord\n\nVersion {version} shares the Tamsin river.\n"
        # reads of the version about to be replaced, from the routes that read the index
        for path in ("/v1/documents", "/v1/documents/harbour-pact", "/readyz"):
            assert client.get(path, headers=AUTH).status_code == 200
        assert client.put("/v1/documents/river-accord", json={"text": text}, headers=AUTH).status_code in (
            200,
            201,
        )
    assert len(opened) >= 5
    assert _only_the_served_one_left(opened, client)


def _only_the_served_one_left(opened: list[weakref.ref[Index]], client: TestClient) -> bool:
    """Are all versions but the served one freed, once the thread that ran the last write is done?

    Nothing may hold an old version: no frozen cycle, no cache. The thread-pool thread that ran a
    write hands its result to the event loop, then drops the job's arguments (the version it
    replaced) and result: with the cores busy it is descheduled in between, and the response can
    reach the client first (seen 1 run in 5; the references went a moment later). A few seconds
    are allowed for that, not another request.
    """
    deadline = time.monotonic() + 5
    while True:
        gc.collect()
        alive = [ref() for ref in opened if ref() is not None]
        if alive == [client.app.state.index] or time.monotonic() > deadline:  # type: ignore[attr-defined]
            return alive == [client.app.state.index]  # type: ignore[attr-defined]
        del alive
        time.sleep(0.02)


def test_versions_replaced_while_the_heap_is_frozen_are_freed(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # under load a write outlasts the freeze's delay (a second), so the heap is frozen while the
    # next write runs, its request reading the version that write replaces: that version must still
    # go when the request ends (it does: none of the request's reference cycles holds it)
    from index import updates

    client.app.state.freezer._delay = 0.05  # type: ignore[attr-defined]
    opened: list[weakref.ref[Index]] = []
    rankers: list[weakref.ref[Any]] = []
    init, apply = Index.__init__, updates.apply_changes

    def tracked(self: Index, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        opened.append(weakref.ref(self))
        rankers.append(weakref.ref(self._ranker))

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.3)  # six times the delay: the freeze comes while this write runs
        return apply(*args, **kwargs)

    monkeypatch.setattr(Index, "__init__", tracked)
    monkeypatch.setattr(updates, "apply_changes", slow)
    for version in range(4):
        text = f"The River Accord\n\nVersion {version} shares the Tamsin river.\n"
        assert client.put("/v1/documents/river-accord", json={"text": text}, headers=AUTH).status_code in (
            200,
            201,
        )
    time.sleep(0.3)  # the last freeze
    assert gc.get_freeze_count() > 0
    assert _only_the_served_one_left(opened, client)
    # and with it what it searched with: a ranker in a reference cycle of its own (an lru_cache of
    # its bound method) outlived its Index once frozen, ~80 MiB a write in each worker (session 19)
    served = client.app.state.index._ranker  # type: ignore[attr-defined]
    assert [ref() for ref in rankers if ref() is not None] == [served]


def test_an_index_waiting_in_a_reference_cycle_is_not_frozen_for_good(client: TestClient) -> None:
    from service.deps import freeze_heap

    state = client.app.state  # type: ignore[attr-defined]
    old = Index.open(state.index.folder, embedder=FakeEmbedder())
    gone = weakref.ref(old)
    cycle: list[Any] = [old]
    cycle.append(cycle)  # garbage only the cyclic collector frees, as a finished request's traceback is
    del old, cycle
    gc.disable()  # no automatic collection in between: only freeze_heap's own may free it
    try:
        freeze_heap()  # freezes what is alive: the cycle must be collected first
    finally:
        gc.enable()
    gc.collect()
    assert gone() is None


def test_a_write_freezes_the_heap_only_after_its_request(client: TestClient) -> None:
    # frozen during the request, its futures and frames (holding the old index) would never be freed
    gc.unfreeze()
    response = client.put("/v1/documents/river-accord", json={"text": NEW_DOC["text"]}, headers=AUTH)
    assert response.status_code in (200, 201)
    assert gc.get_freeze_count() == 0
    deadline = time.monotonic() + 10
    while gc.get_freeze_count() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gc.get_freeze_count() > 0  # and then it is frozen, a second after the install


def test_unchanged_text_is_not_embedded_again(client: TestClient) -> None:
    first = client.post("/v1/documents", json=NEW_DOC, headers=AUTH).json()
    assert first["embedded"] > 0
    same = client.put("/v1/documents/river-accord", json={"text": NEW_DOC["text"]}, headers=AUTH).json()
    assert same["embedded"] == 0


def test_multipart_upload_takes_the_id_from_the_file_name(client: TestClient) -> None:
    files = {"file": ("harbour-notes.md", b"Harbour Notes\n\nThe harbour froze in 1888.\n", "text/markdown")}
    response = client.post("/v1/documents", files=files, headers=AUTH)
    assert response.status_code == 201, response.text
    assert response.json()["doc_id"] == "harbour-notes"


def test_an_uploaded_file_name_that_is_no_id_gives_one(client: TestClient) -> None:
    files = {
        "file": ("Harbour notes (v2).md", b"Harbour Notes\n\nThe harbour froze in 1888.\n", "text/markdown")
    }
    response = client.post("/v1/documents", files=files, headers=AUTH)
    assert response.status_code == 201, response.text
    assert response.json()["doc_id"] == "Harbour-notes-v2"
    assert client.get("/v1/documents/Harbour-notes-v2").json()["title"] == "Harbour Notes"


@pytest.mark.parametrize(
    ("headers", "status", "needle"),
    [
        ({}, 401, "Bearer"),
        ({"Authorization": "Bearer wrong"}, 401, "not valid"),
        ({"Authorization": "Bearer "}, 401, "Bearer <key>"),
        ({"Authorization": "Basic abc"}, 401, "Bearer <key>"),
    ],
)
def test_missing_or_wrong_keys_are_refused(
    client: TestClient, headers: dict[str, str], status: int, needle: str
) -> None:
    before = snapshot(client)
    response = client.post("/v1/documents", json=NEW_DOC, headers=headers)
    assert response.status_code == status
    assert needle in response.json()["detail"]
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert KEY not in response.text
    assert snapshot(client) == before


@pytest.mark.parametrize(
    ("kwargs", "status", "needle"),
    [
        ({"json": {"doc_id": "x", "text": "   "}}, 422, "empty"),
        ({"json": {"doc_id": "../../etc/passwd", "text": "T\n\nx."}}, 422, "not allowed"),
        ({"json": {"doc_id": "a" * 129, "text": "T\n\nx."}}, 422, "not allowed"),
        ({"json": {"text": "T\n\nx."}}, 422, "doc_id is required"),
        ({"json": {"doc_id": "x", "text": "T", "extra": 1}}, 422, "extra"),
        ({"json": {"doc_id": "x", "text": "T\n\n" + "word " * 500}}, 413, "limit"),
        ({"content": b"T\n\nx.", "headers": {"Content-Type": "text/plain"}}, 415, "application/json"),
        ({"files": {"file": ("notes.pdf", b"%PDF-1.4", "application/pdf")}}, 415, "unsupported file type"),
        ({"files": {"file": ("latin.txt", "caf\xe9".encode("latin-1"), "text/plain")}}, 422, "not UTF-8"),
        ({"files": {"file": ("empty.txt", b"", "text/plain")}}, 422, "empty"),
        ({"files": {"other": ("a.txt", b"T\n\nx.", "text/plain")}}, 422, "`file` field"),
        ({"content": b"{not json", "headers": {"Content-Type": "application/json"}}, 400, "not valid JSON"),
    ],
)
def test_bad_uploads_change_nothing(
    client: TestClient, kwargs: dict[str, Any], status: int, needle: str
) -> None:
    before = snapshot(client)
    headers = {**AUTH, **kwargs.pop("headers", {})}
    response = client.post("/v1/documents", headers=headers, **kwargs)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert needle in response.json()["detail"]
    assert snapshot(client) == before


def test_put_body_must_agree_with_the_path(client: TestClient) -> None:
    response = client.put("/v1/documents/river-accord", json=NEW_DOC | {"doc_id": "other"}, headers=AUTH)
    assert response.status_code == 422 and "agree" in response.json()["detail"]


def test_a_put_upload_replaces_the_document_its_path_names_whatever_the_file_is_called(
    client: TestClient,
) -> None:
    # replacing `harbour-pact` by uploading `harbour pact (v2).md` answered 422 "the body names
    # document 'harbour-pact-v2' but the path names 'harbour-pact': make them agree"
    text = b"The Harbour Pact\n\nThe pact was renewed in 2024.\n"
    files = {"file": ("harbour pact (v2).md", text, "text/markdown")}
    response = client.put("/v1/documents/harbour-pact", files=files, headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.json()["doc_id"] == "harbour-pact"
    assert client.get("/v1/documents/harbour-pact").json()["text"] == text.decode()
    assert "harbour-pact-v2" not in {d["doc_id"] for d in client.get("/v1/documents").json()}
    # a doc_id field is the caller naming the document: it must still agree with the path
    named = client.put("/v1/documents/harbour-pact", files=files, data={"doc_id": "other"}, headers=AUTH)
    assert named.status_code == 422 and "make them agree" in named.json()["detail"]


def test_removing_the_last_document_is_refused(client: TestClient) -> None:
    assert client.delete("/v1/documents/harbour-pact", headers=AUTH).status_code == 204
    last = client.delete("/v1/documents/lighthouse-notes", headers=AUTH)
    assert last.status_code == 422 and "no documents" in last.json()["detail"]
    assert [d["doc_id"] for d in client.get("/v1/documents").json()] == ["lighthouse-notes"]


def test_closed_reads_need_the_key(tmp_path: Path) -> None:
    for client in writable_client(tmp_path, api_key=KEY, open_reads=False):
        assert client.get("/v1/documents").status_code == 401
        assert client.get("/v1/documents", headers=AUTH).status_code == 200


def test_another_worker_sees_a_write(tmp_path: Path) -> None:
    """Two apps over one index home stand for two worker processes."""
    home = tmp_path / "index"
    Index.build(FIXTURE_CORPUS, home, embedder=FakeEmbedder())
    config = Settings(index_dir=home, corpus_dir=FIXTURE_CORPUS, api_key=KEY)
    a = create_app(config, index=Index.open(home, embedder=FakeEmbedder()))
    b = create_app(config, index=Index.open(home, embedder=FakeEmbedder()))
    with TestClient(a) as writer, TestClient(b) as reader:
        assert writer.post("/v1/documents", json=NEW_DOC, headers=AUTH).status_code == 201
        ids = [d["doc_id"] for d in reader.get("/v1/documents").json()]
        assert "river-accord" in ids


def test_an_index_named_by_its_current_link_takes_writes_at_its_home(tmp_path: Path) -> None:
    """`ALLIANCE_QA_INDEX_DIR=var/index/current`: a write is served after a restart too, and
    another worker over the home sees it."""
    home = tmp_path / "index"
    Index.build(FIXTURE_CORPUS, home, embedder=FakeEmbedder())
    config = Settings(index_dir=home / "current", corpus_dir=FIXTURE_CORPUS, api_key=KEY)
    other = create_app(Settings(index_dir=home, api_key=KEY), index=Index.open(home, embedder=FakeEmbedder()))
    app = create_app(config, index=Index.open(home / "current", embedder=FakeEmbedder()))
    with TestClient(app) as writer, TestClient(other) as reader:
        assert writer.post("/v1/documents", json=NEW_DOC, headers=AUTH).status_code == 201
        assert "river-accord" in [d["doc_id"] for d in reader.get("/v1/documents").json()]
    reopened = create_app(config, index=Index.open(home / "current", embedder=FakeEmbedder()))
    with TestClient(reopened) as client:
        assert "river-accord" in [d["doc_id"] for d in client.get("/v1/documents").json()]


def test_a_write_to_a_served_version_folder_is_a_problem_that_names_the_home(tmp_path: Path) -> None:
    home = tmp_path / "index"
    Index.build(FIXTURE_CORPUS, home, embedder=FakeEmbedder())
    version = (home / "current").resolve()
    config = Settings(index_dir=version, corpus_dir=FIXTURE_CORPUS, api_key=KEY)
    with TestClient(create_app(config, index=Index.open(version, embedder=FakeEmbedder()))) as client:
        before = snapshot(client)
        response = client.post("/v1/documents", json=NEW_DOC, headers=AUTH)
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
        assert f"write to the index's home, {home}" in response.json()["detail"]
        assert snapshot(client) == before
    assert sorted(p.name for p in version.iterdir()) == sorted(
        p.name for p in (home / "current").resolve().iterdir()
    )
    assert not (version / "versions").exists()


@pytest.mark.parametrize("text", [".", "---\n", "🚢🚢🚢\n", "\u200b\u200b\u200b\n"])
def test_a_document_with_nothing_to_index_is_refused_like_an_empty_one(client: TestClient, text: str) -> None:
    # each was taken with "chunks": 0, and nothing in it could ever be found
    before = snapshot(client)
    response = client.put("/v1/documents/nothing", json={"text": text}, headers=AUTH)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Unusable document"
    assert response.json()["detail"].startswith("document 'nothing': nothing to index (only punctuation")
    assert snapshot(client) == before


@pytest.mark.parametrize(
    ("path", "body", "status", "kind", "detail"),
    [
        # "There was an error parsing the body", about:blank: nothing said what was wrong
        (
            "/v1/ask",
            b'{"question": "\xff\xfe treaty"}',
            400,
            "malformed-json",
            "not UTF-8 (byte 14 is invalid)",
        ),
        ("/v1/documents", b'{"doc_id": "e", "text": "\xff"}', 400, "malformed-json", "not UTF-8 (byte 25"),
        # 422 "Invalid JSON: EOF while parsing…" here, 400 malformed-json on /v1/ask
        ("/v1/documents", b'{"doc_id":"e",', 400, "malformed-json", "not valid JSON (Expecting property"),
        ("/v1/documents", b"[" * 10_000, 400, "malformed-json", "nested too deeply"),  # was a 500
        ("/v1/ask", b"[" * 10_000, 400, "malformed-json", "nested too deeply"),
        # valid JSON, "unexpected end of hex escape" said otherwise; /v1/ask explains it so
        (
            "/v1/documents",
            b'{"doc_id":"e","text":"a\\ud800b"}',
            422,
            "input",
            "lone surrogate (U+D800) at character 2",
        ),
    ],
)
def test_json_bodies_that_cannot_be_read_are_explained_alike(
    client: TestClient, path: str, body: bytes, status: int, kind: str, detail: str
) -> None:
    before = snapshot(client)
    response = client.post(path, content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == f"urn:alliance-qa:problem:{kind}"
    assert detail in response.json()["detail"]
    assert snapshot(client) == before


def test_a_write_to_a_read_only_index_is_a_503_naming_the_folder(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Operator report M3: 500 "unexpected error" with a traceback in the log, after the embedding."""
    import errno
    import os

    home = tmp_path / "index"
    real_mkdir = os.mkdir

    def read_only(path: Any, *args: Any, **kwargs: Any) -> None:
        if str(path).startswith(str(home)):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", read_only)
    before = snapshot(client)
    response = client.post("/v1/documents", json=NEW_DOC, headers=AUTH)
    assert response.status_code == 503 and response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["title"] == "Index not writable" and body["type"].endswith(":index-write")
    assert f"the index at {home} cannot be written (Read-only file system" in body["detail"]
    assert "fix its permissions or mount" in body["detail"] and "reads keep working" in body["detail"]
    assert snapshot(client) == before
    assert client.get("/v1/ask?q=pact").status_code == 200


def test_start_up_warns_when_the_index_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import os

    monkeypatch.setattr(os, "access", lambda path, mode: False)
    for client in writable_client(tmp_path, api_key=KEY):
        assert client.get("/readyz").status_code == 200
    assert f"the index at {tmp_path / 'index'} is not writable by this user" in caplog.text
    caplog.clear()
    for _ in writable_client(tmp_path / "no-key"):  # writes are off: nothing to warn of
        pass
    assert "not writable" not in caplog.text
