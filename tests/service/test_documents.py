"""`/v1/documents` and `/v1/chunks`: the texts citations index into."""

from __future__ import annotations

import hashlib

from fastapi.testclient import TestClient

from tests.conftest import FIXTURE_CORPUS


def test_documents_list_every_fixture_file(client: TestClient) -> None:
    documents = client.get("/v1/documents").json()

    assert [d["doc_id"] for d in documents] == ["harbour-pact", "lighthouse-notes"]
    for document in documents:
        assert set(document) == {"doc_id", "title", "size", "sha256", "chunks", "languages"}
        assert document["chunks"] >= 1
        assert document["languages"] == ["en"]
    pact = documents[0]
    data = (FIXTURE_CORPUS / "harbour-pact.txt").read_bytes()
    assert pact["title"] == "The Harbour Pact: A Small Test Treaty"
    assert pact["size"] == len(data)
    assert pact["sha256"] == hashlib.sha256(data).hexdigest()


def test_document_text_is_the_file_exactly(client: TestClient) -> None:
    document = client.get("/v1/documents/lighthouse-notes").json()

    assert document["text"] == (FIXTURE_CORPUS / "lighthouse-notes.md").read_text(encoding="utf-8")
    assert document["languages"] == ["en"]
    assert hashlib.sha256(document["text"].encode()).hexdigest() == document["sha256"]
    assert document["title"] == "Lighthouse Keepers’ Notes"


def test_chunk_quotes_its_document(client: TestClient) -> None:
    hit = client.post("/v1/search", json={"question": "lens", "k": 1, "mode": "dense"}).json()["passages"][0]

    chunk = client.get(f"/v1/chunks/{hit['chunk_id']}").json()
    text = client.get(f"/v1/documents/{chunk['doc_id']}").json()["text"]

    assert chunk["text"] == hit["text"]
    assert chunk["citation"] == hit["citation"]
    assert text[chunk["citation"]["start"] : chunk["citation"]["end"]] == chunk["text"]
    assert chunk["n_tokens"] > 0
