"""The service over the real corpus with the real model (marked `model`)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from index.retriever import Index
from service.app import create_app
from service.settings import Settings
from tests.conftest import REAL_CORPUS


@pytest.mark.model
def test_real_corpus_names_the_japan_india_exercise(real_index: Index) -> None:
    settings = Settings(index_dir=real_index.folder, corpus_dir=REAL_CORPUS)
    index = real_index

    with TestClient(create_app(settings, index=index)) as client:
        response = client.post(
            "/v1/ask", json={"question": "What is the name of the joint exercise between Japan and India?"}
        )
        documents = {
            d["doc_id"]: client.get(f"/v1/documents/{d['doc_id']}").json()["text"]
            for d in client.get("/v1/documents").json()
        }

    assert response.status_code == 200, response.text
    result = response.json()
    assert "Dharma Guardian" in result["passages"][0]["text"]
    for passage in result["passages"]:
        cite = passage["citation"]
        assert documents[cite["doc_id"]][cite["start"] : cite["end"]] == passage["text"]
