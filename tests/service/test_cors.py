"""Calls from pages on other origins: a refused preflight is a problem naming what to change."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from index.retriever import Index
from service.app import create_app
from service.settings import Settings
from tests.service.test_errors import assert_problem

APP = "https://app.example"


@pytest.fixture
def cors_client(settings: Settings, fixture_index: Index) -> Iterator[TestClient]:
    """A client of a service that lets pages at APP and at localhost:3000 call it."""
    opened = settings.model_copy(update={"cors_origins": [APP, "http://localhost:3000"]})
    with TestClient(create_app(opened, index=fixture_index)) as client:
        yield client


def _preflight(client: TestClient, origin: str, method: str, **headers: str) -> httpx.Response:
    asked = {"Origin": origin, "Access-Control-Request-Method": method}
    return client.options("/v1/ask", headers={**asked, **headers})


def test_a_preflight_from_another_origin_is_a_problem_naming_the_allowed_ones(
    cors_client: TestClient,
) -> None:
    # Starlette answered text/plain "Disallowed CORS origin", saying neither which origins may
    # call nor how to add one
    response = _preflight(cors_client, "https://evil.example", "POST")
    body = assert_problem(
        response,
        400,
        "https://evil.example may not call this API",
        "the allowed origins are https://app.example, http://localhost:3000",
        "add https://evil.example to ALLIANCE_QA_CORS_ORIGINS",
    )
    assert body["type"] == "urn:alliance-qa:problem:cross-origin"
    # still a refusal to the browser, with Starlette's rules attached: no origin is granted
    assert "access-control-allow-origin" not in response.headers
    assert "Origin" in response.headers["vary"]


def test_a_preflight_asking_a_method_or_header_not_allowed_names_those_allowed(
    cors_client: TestClient,
) -> None:
    response = _preflight(
        cors_client, APP, "PATCH", **{"Access-Control-Request-Headers": "Content-Type, X-Trace-Id"}
    )
    body = assert_problem(
        response,
        400,
        "PATCH is not allowed from another origin: use GET, POST, PUT, DELETE",
        "the header X-Trace-Id may not be sent from another origin",
        "Authorization",
    )
    assert "Content-Type may not" not in body["detail"]  # allowed: only the refused header is named
    assert "allowed origins" not in body["detail"]  # the origin was allowed, and is not blamed


def test_a_preflight_across_a_private_network_boundary_says_so(cors_client: TestClient) -> None:
    response = _preflight(cors_client, APP, "POST", **{"Access-Control-Request-Private-Network": "true"})
    assert_problem(response, 400, "private network", "Access-Control-Request-Private-Network")


def test_an_allowed_preflight_is_still_granted(cors_client: TestClient) -> None:
    response = _preflight(
        cors_client, "http://localhost:3000", "POST", **{"Access-Control-Request-Headers": "content-type"}
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://localhost:3000"
    answered = cors_client.post("/v1/ask", json={"question": "pact"}, headers={"Origin": APP})
    assert answered.status_code == 200
    assert answered.headers["access-control-allow-origin"] == APP
    # a page that adds a document may read where it lives (201's Location): it could not
    exposed = {h.strip().lower() for h in answered.headers["access-control-expose-headers"].split(",")}
    assert {"location", "allow"} <= exposed
