"""Every error answers as RFC 9457 problem+json, with a detail that names what is wrong."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from index.retriever import Index
from service.app import create_app
from service.settings import Settings

PROBLEM = "application/problem+json"


def assert_problem(response: Any, status: int, *needles: str) -> dict[str, Any]:
    """The response is a problem with this status whose detail mentions every needle."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(body)
    assert body["status"] == status
    assert body["instance"] == response.request.url.path
    for needle in needles:
        assert needle in body["detail"], body["detail"]
    return body


@pytest.mark.parametrize(
    ("body", "needles"),
    [
        ({"question": ""}, ["question", "empty"]),
        ({"question": "   \n\t "}, ["question", "empty"]),
        ({"question": "x" * 1001}, ["question", "1001", "1000"]),
        ({"question": "pact", "k": 0}, ["k", "0"]),
        ({"question": "pact", "k": 51}, ["k", "51", "50"]),
        ({"question": "pact", "k": "five"}, ["k", '"five"']),
        ({"question": "pact", "k": 2.5}, ["k", "2.5"]),
        # the schema says integer: JSON true is no count of passages, nor is the text "3"
        ({"question": "pact", "k": True}, ["k", "integer"]),
        ({"question": "pact", "k": "3"}, ["k", "integer"]),
        ({"question": "pact", "mode": "fuzzy"}, ["mode", '"fuzzy"', "hybrid"]),
        ({"question": "pact", "mode": "dense", "doc_ids": ["nope"]}, ["'nope'", "harbour-pact"]),
        ({"question": "pact", "doc_ids": []}, ["doc_ids", "empty"]),
        ({"question": "pact", "doc_ids": "harbour-pact"}, ["doc_ids"]),
        ({"question": "pact", "colour": "blue"}, ["unknown field", "'colour'"]),
        ({"k": 3}, ["question", "required"]),
        ({"question": 42}, ["question"]),
    ],
)
@pytest.mark.parametrize("endpoint", ["/v1/ask", "/v1/search"])
def test_bad_request_bodies_are_422_naming_the_problem(
    client: TestClient, endpoint: str, body: dict[str, Any], needles: list[str]
) -> None:
    assert_problem(client.post(endpoint, json=body), 422, *needles)


@pytest.mark.parametrize("endpoint", ["/v1/ask", "/v1/search"])
def test_a_lone_surrogate_is_422_not_500(client: TestClient, endpoint: str) -> None:
    # JSON's "\ud800" escape decodes to half a character, which crashed the tokenizer (session 16)
    response = client.post(
        endpoint,
        content=rb'{"question": "treaty \ud800"}',
        headers={"Content-Type": "application/json"},
    )
    assert_problem(response, 422, "question", "surrogate", "U+D800", "character 8")
    # over GET, "%ED%A0%80" is no UTF-8 at all: read as replacement characters, it is no crash
    response = client.get(
        f"{endpoint}?q=treaty%20%ED%A0%80" if endpoint == "/v1/ask" else "/v1/ask?q=%ED%A0%80"
    )
    assert response.status_code in (200, 422), response.text


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        (b'{"question": null}', "question: Input should be a valid string (got null)"),
        (b'{"question": "pact", "k": null}', "k: Input should be a valid integer (got null)"),
        (b'{"question": "pact", "k": true}', "k: Input should be a valid integer (got true)"),
        (b'{"question": "pact", "k": false}', "k: Input should be a valid integer (got false)"),
        (b'{"question": "pact", "k": "five"}', 'k: Input should be a valid integer (got "five")'),
        (b'{"question": "pact", "k": 2.5}', "k: Input should be a whole number (got 2.5)"),
        (b'{"question": "pact", "mode": "it\'s"}', """(got "it's")"""),
        (rb'{"question": "pact", "mode": "say \"hi\""}', r'(got "say \"hi\"")'),
        ('{"question": "pact", "mode": "café ☃"}'.encode(), '(got "café ☃")'),
        # half a character cannot be sent back as UTF-8: it stays the escape the client wrote
        (rb'{"question": "pact", "mode": "\ud800x"}', r'(got "\ud800x")'),
        (b'{"question": "pact", "doc_ids": [null]}', "doc_ids.0: Input should be a valid string (got null)"),
    ],
)
def test_a_422_shows_the_value_as_json_spells_it(client: TestClient, sent: bytes, shown: str) -> None:
    """A client sent JSON: its null is no Python None, its "five" no Python 'five'."""
    response = client.post("/v1/ask", content=sent, headers={"Content-Type": "application/json"})

    body = assert_problem(response, 422, shown)
    assert [e["message"] for e in body["errors"]] == [body["detail"]]


def test_validation_problem_lists_each_field(client: TestClient) -> None:
    body = assert_problem(client.post("/v1/ask", json={"question": "pact", "k": "x", "mode": "y"}), 422)

    assert {e["field"] for e in body["errors"]} == {"k", "mode"}


def test_malformed_json_is_400(client: TestClient) -> None:
    response = client.post(
        "/v1/ask", content=b'{"question": "pact",', headers={"Content-Type": "application/json"}
    )

    assert_problem(response, 400, "not valid JSON")


def test_json_that_is_not_an_object_is_422(client: TestClient) -> None:
    response = client.post("/v1/ask", content=b'"pact"', headers={"Content-Type": "application/json"})

    assert_problem(response, 422, "JSON object")


def test_a_body_without_json_content_type_says_which_header_to_send(client: TestClient) -> None:
    # what `curl -d '{...}'` sends by default
    response = client.post(
        "/v1/ask",
        content=b'{"question": "pact"}',
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert_problem(response, 422, "Content-Type: application/json")


def test_missing_body_is_422(client: TestClient) -> None:
    assert_problem(client.post("/v1/ask"), 422, "body is missing")


@pytest.mark.parametrize(
    ("query", "needles"),
    [
        ("", ["q", "required"]),
        ("q=", ["question", "empty"]),
        ("q=pact&k=five", ["k", '"five"']),
        ("q=pact&k=0", ["k"]),
        ("q=pact&mode=fuzzy", ["mode", '"fuzzy"']),
        ("q=pact&mode=dense&doc_ids=nope", ["'nope'"]),
    ],
)
def test_bad_get_ask_queries_are_422(client: TestClient, query: str, needles: list[str]) -> None:
    assert_problem(client.get(f"/v1/ask?{query}"), 422, *needles)


def test_unknown_document_and_chunk_are_404(client: TestClient) -> None:
    assert_problem(client.get("/v1/documents/nope"), 404, "'nope'", "harbour-pact")
    assert_problem(client.get("/v1/chunks/nope"), 404, "'nope'")


def test_unknown_route_and_wrong_method(client: TestClient) -> None:
    assert_problem(client.get("/v1/nothing-here"), 404, "/v1/nothing-here")
    body = assert_problem(client.delete("/v1/documents"), 405, "DELETE", "GET")
    assert body["type"] == "about:blank"
    assert_problem(client.get("/v1/search"), 405, "POST")


def test_unexpected_errors_are_500_without_internals(
    settings: Settings, fixture_index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret internal state at /srv/private")

    monkeypatch.setattr(fixture_index, "ask", explode)
    with TestClient(create_app(settings, index=fixture_index), raise_server_exceptions=False) as client:
        response = client.post("/v1/ask", json={"question": "pact", "mode": "dense"})

    body = assert_problem(response, 500, "unexpected")
    assert "secret" not in response.text
    assert "RuntimeError" not in response.text
    assert body["title"] == "Internal Server Error"


def test_problem_types_are_stable_names(client: TestClient) -> None:
    assert client.get("/v1/documents/nope").json()["type"] == "urn:alliance-qa:problem:not-found"
    assert client.post("/v1/ask", json={"question": ""}).json()["type"] == "urn:alliance-qa:problem:input"
    assert (
        client.post("/v1/ask", json={"question": "x", "k": "y"}).json()["type"]
        == "urn:alliance-qa:problem:validation"
    )
