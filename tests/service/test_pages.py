"""The web page is served from the package and loads nothing from other hosts."""

from __future__ import annotations

import hashlib
import re

import pytest
from fastapi.testclient import TestClient

from index.retriever import Index
from service.app import create_app
from service.routes.pages import STATIC_DIR
from service.settings import Settings
from tests.conftest import REAL_CORPUS

STATIC_FILES = ["index.html", "document.html", "app.js", "style.css"]


def test_home_page_is_the_question_form(client: TestClient) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    html = response.text
    assert '<label for="question">' in html
    assert 'name="viewport"' in html
    assert 'src="/static/app.js"' in html


def test_the_question_box_has_the_served_limit_in_characters(
    settings: Settings, fixture_index: Index
) -> None:
    """maxlength="1000" counted UTF-16 units, so 600 emoji were cut to 500 that the server takes
    (L15); the box carries the server's limit instead, which the script counts in code points."""
    for limit in (1000, 20):
        app = create_app(settings.model_copy(update={"max_question_chars": limit}), index=fixture_index)
        with TestClient(app) as client:
            html = client.get("/").text
        assert f'data-max-chars="{limit}"' in html
        assert "maxlength" not in html


def test_the_passage_box_has_the_served_limit(settings: Settings, fixture_index: Index) -> None:
    """The page's passage count was fixed at 1–50 whatever ALLIANCE_QA_MAX_K allowed."""
    for limit, default in ((50, 5), (100, 5), (3, 3)):
        app = create_app(settings.model_copy(update={"max_k": limit}), index=fixture_index)
        with TestClient(app) as client:
            html = client.get("/").text
        assert (
            f'id="k" name="k" type="number" inputmode="numeric" min="1" max="{limit}" value="{default}"'
            in html
        )


def test_document_page_is_served_for_any_id(client: TestClient) -> None:
    # the script fetches the document and shows the API's problem if there is none
    for doc_id in ("harbour-pact", "nope"):
        response = client.get(f"/documents/{doc_id}")
        assert response.status_code == 200
        assert 'data-page="document"' in response.text


@pytest.mark.parametrize("name", STATIC_FILES)
def test_static_files_are_served(client: TestClient, name: str) -> None:
    response = client.get(f"/static/{name}")

    assert response.status_code == 200
    assert response.text == (STATIC_DIR / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", STATIC_FILES)
def test_no_external_resources(name: str) -> None:
    text = (STATIC_DIR / name).read_text(encoding="utf-8")

    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", text)
    assert "@import" not in text
    assert not re.search(r"url\(\s*[\"']?(https?:)?//", text)
    assert not re.search(r"fetch\(\s*[\"'`](https?:)?//", text)


def test_script_never_parses_text_as_html() -> None:
    script = (STATIC_DIR / "app.js").read_text(encoding="utf-8")

    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script


def test_the_example_questions_belong_to_bundled_documents() -> None:
    """The page shows an example question only over the document it asks about, known by its hash."""
    script = (STATIC_DIR / "app.js").read_text(encoding="utf-8")
    examples = re.findall(r'"([0-9a-f]{64})":', script)
    bundled = {hashlib.sha256(p.read_bytes()).hexdigest() for p in REAL_CORPUS.glob("*.txt")}
    assert examples and set(examples) <= bundled
