"""`/v1/ask` and `/v1/search`: the contract, and citations that quote the document exactly."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from index.retriever import Index
from service.app import create_app
from service.settings import Settings
from tests.conftest import FIXTURE_CORPUS, FakeEmbedder

QUESTIONS = [
    "What is the annual exercise called?",
    "When was the lighthouse on Calder Point built?",
    "Who cleaned the lens every morning?",
    "Why did the pact begin?",
    "What do critics say about the pact?",
]
MODES = ["hybrid", "dense", "lexical"]


def _texts(client: TestClient) -> dict[str, str]:
    documents = client.get("/v1/documents").json()
    return {d["doc_id"]: client.get(f"/v1/documents/{d['doc_id']}").json()["text"] for d in documents}


def _ask(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/v1/ask", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_ask_answers_with_the_contract_shape(client: TestClient) -> None:
    result = _ask(client, question="  When was the lighthouse on Calder Point built?  ", k=3, mode="dense")

    assert result["question"] == "When was the lighthouse on Calder Point built?"  # trimmed
    assert set(result) == {
        "question",
        "answerable",
        "answer",
        "refusal",
        "confidence",
        "language_note",
        "passages",
        "timings_ms",
    }
    assert result["answerable"] is True and 0.5 <= result["confidence"] <= 1
    assert result["language_note"] is None  # an English question of English texts
    assert set(result["answer"]) == {"text", "citation"}
    assert 1 <= len(result["passages"]) <= 3
    passage = result["passages"][0]
    assert set(passage) == {"rank", "text", "score", "scores", "chunk_id", "citation", "highlight"}
    assert set(passage["scores"]) == {"dense", "lexical"}
    assert set(passage["citation"]) == {
        "doc_id",
        "title",
        "section",
        "start",
        "end",
        "line_start",
        "line_end",
        "doc_sha256",
    }
    assert passage["citation"]["section"][0] == passage["citation"]["title"]
    assert [p["rank"] for p in result["passages"]] == list(range(1, len(result["passages"]) + 1))
    assert result["timings_ms"]["total"] >= max(v for k, v in result["timings_ms"].items() if k != "total")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("question", QUESTIONS)
def test_every_citation_quotes_the_document_exactly(client: TestClient, question: str, mode: str) -> None:
    texts = _texts(client)
    result = _ask(client, question=question, k=5, mode=mode)

    for passage in result["passages"]:
        cite = passage["citation"]
        text = texts[cite["doc_id"]]
        assert text[cite["start"] : cite["end"]] == passage["text"]
        # lines are 1-based and count the newlines before each end of the span
        assert cite["line_start"] == text.count("\n", 0, cite["start"]) + 1
        assert cite["line_end"] == text.count("\n", 0, cite["end"]) + 1
        if passage["highlight"] is not None:
            assert cite["start"] <= passage["highlight"]["start"] < passage["highlight"]["end"] <= cite["end"]
    if result["answer"] is not None:
        cite = result["answer"]["citation"]
        assert texts[cite["doc_id"]][cite["start"] : cite["end"]] == result["answer"]["text"]


def test_the_answer_is_the_first_passage_highlight(client: TestClient) -> None:
    result = _ask(client, question="When was the lighthouse on Calder Point built?", mode="lexical")

    top = result["passages"][0]
    assert top["highlight"] == {
        "start": result["answer"]["citation"]["start"],
        "end": result["answer"]["citation"]["end"],
    }
    assert "1872" in result["answer"]["text"]


def test_default_mode_is_hybrid(client: TestClient) -> None:
    result = _ask(client, question="What is the annual exercise called?")

    # hybrid fuses both retrievers, so the top passage carries both scores
    assert result["passages"][0]["scores"]["dense"] is not None
    assert result["passages"][0]["scores"]["lexical"] is not None
    assert len(result["passages"]) <= 5


def test_unanswerable_question_has_no_answer_but_says_so(client: TestClient) -> None:
    result = _ask(client, question="zzqx vvkj", mode="lexical")

    assert result["answerable"] is False
    assert result["answer"] is None
    assert result["refusal"]


def test_a_refusal_names_what_the_texts_never_mention(client: TestClient) -> None:
    refused = _ask(client, question="Which navies joined the Malabar exercise off Port Calder?")
    assert refused["answerable"] is False and refused["refusal"] == "the texts never mention “Malabar”"
    answered = _ask(
        client, question="When was the Harbour Pact signed by the coastal states Arvel and Brenn?"
    )
    assert answered["answerable"] is True and answered["refusal"] is None


def test_doc_ids_restrict_the_search(client: TestClient) -> None:
    result = _ask(
        client, question="the harbour and the lamp", k=10, mode="dense", doc_ids=["lighthouse-notes"]
    )

    assert result["passages"]
    assert {p["citation"]["doc_id"] for p in result["passages"]} == {"lighthouse-notes"}


def test_doc_ids_also_restrict_what_the_refusal_checks_read(client: TestClient) -> None:
    question = "When did Arvel and Brenn sign the Harbour Pact?"
    refused = _ask(client, question=question, doc_ids=["lighthouse-notes"])
    assert refused["answerable"] is False
    assert refused["refusal"].startswith("the chosen documents never mention “Arvel”")
    assert "never mention" not in (_ask(client, question=question, doc_ids=["harbour-pact"])["refusal"] or "")


def test_get_ask_matches_post(client: TestClient) -> None:
    posted = _ask(client, question="Who cleaned the lens every morning?", k=2, mode="dense")
    got = client.get("/v1/ask", params={"q": "Who cleaned the lens every morning?", "k": 2, "mode": "dense"})

    assert got.status_code == 200
    assert [p["chunk_id"] for p in got.json()["passages"]] == [p["chunk_id"] for p in posted["passages"]]


def test_get_ask_takes_doc_ids_repeated_or_comma_separated(client: TestClient) -> None:
    repeated = client.get("/v1/ask?q=harbour&k=10&mode=dense&doc_ids=harbour-pact")
    separated = client.get("/v1/ask?q=harbour&k=10&mode=dense&doc_ids=harbour-pact,lighthouse-notes")

    assert {p["citation"]["doc_id"] for p in repeated.json()["passages"]} == {"harbour-pact"}
    assert {p["citation"]["doc_id"] for p in separated.json()["passages"]} == {
        "harbour-pact",
        "lighthouse-notes",
    }


def test_get_ask_refuses_a_parameter_it_does_not_know(client: TestClient) -> None:
    # as POST refuses an unknown field: "?top_k=3" was answered with 5 passages (session 16)
    response = client.get("/v1/ask?q=harbour&top_k=3")
    assert response.status_code == 422
    assert "unknown parameter 'top_k'" in response.json()["detail"]
    assert "q, k, mode, doc_ids" in response.json()["detail"]


@pytest.mark.parametrize(
    "query", ["q=harbour&k=1&k=2", "q=treaty&q=harbour", "q=harbour&mode=dense&mode=lexical"]
)
def test_get_ask_refuses_a_parameter_given_twice(client: TestClient, query: str) -> None:
    # "?k=1&k=2" answered with 2 passages, "?q=treaty&q=India" about India: the last one won
    response = client.get(f"/v1/ask?{query}")
    assert response.status_code == 422
    name = query.split("&")[-1].split("=")[0]
    assert response.json()["detail"] == f"parameter {name!r} is given more than once: give it once"


def test_head_on_a_question_link_answers_as_get_does(client: TestClient) -> None:
    # HEAD answered 405 here, though it works on /v1/documents, /v1/chunks/{id} and /healthz
    head = client.head("/v1/ask?q=harbour&k=1")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == client.get("/v1/ask?q=harbour&k=1").headers["content-type"]
    assert client.head("/v1/ask?q=").status_code == 422


def test_search_ranks_without_answering(client: TestClient) -> None:
    response = client.post("/v1/search", json={"question": "lighthouse", "k": 2, "mode": "dense"})

    assert response.status_code == 200
    assert set(response.json()) == {"question", "passages", "timings_ms"}
    assert len(response.json()["passages"]) == 2


def test_k_caps_the_number_of_passages(client: TestClient) -> None:
    one = _ask(client, question="the pact", k=1, mode="dense")
    many = _ask(client, question="the pact", k=50, mode="dense")

    assert len(one["passages"]) == 1
    assert 1 < len(many["passages"]) <= 6  # the fixture corpus holds 6 chunks


def test_max_k_comes_from_settings(settings: Settings, fixture_index: Index) -> None:
    strict = settings.model_copy(update={"max_k": 3, "max_question_chars": 20})
    with TestClient(create_app(strict, index=fixture_index)) as client:
        assert client.post("/v1/ask", json={"question": "pact", "k": 4, "mode": "dense"}).status_code == 422
        assert client.post("/v1/ask", json={"question": "x" * 21, "mode": "dense"}).status_code == 422
        assert client.post("/v1/ask", json={"question": "pact", "k": 3, "mode": "dense"}).status_code == 200


def test_a_question_limit_raised_in_settings_is_the_limit(settings: Settings) -> None:
    # ALLIANCE_QA_MAX_QUESTION_CHARS=2000 let a 1,200-character question past the route, and the
    # library then refused it, "keep it to 1000"
    Index.build(FIXTURE_CORPUS, settings.index_dir, embedder=FakeEmbedder())
    roomy = settings.model_copy(update={"max_question_chars": 2000})
    with TestClient(create_app(roomy, embedder=FakeEmbedder())) as client:
        long = "Which harbour patrols does the pact set up? " * 27
        assert 1000 < len(long.strip()) <= 2000
        assert client.post("/v1/ask", json={"question": long, "mode": "dense"}).status_code == 200
        refused = client.post("/v1/ask", json={"question": "x" * 2001, "mode": "dense"})
        assert refused.status_code == 422 and "the limit is 2000" in refused.json()["detail"]


def _with_k(client: TestClient, route: str, k: Any) -> Any:
    """Ask "the pact" with this k: as a link's text on GET, as the JSON value itself on POST."""
    if route == "GET /v1/ask":
        return client.get("/v1/ask", params={"q": "the pact", "k": str(k), "mode": "dense"})
    return client.post(route.split()[1], json={"question": "the pact", "k": k, "mode": "dense"})


ROUTES = ["GET /v1/ask", "POST /v1/ask", "POST /v1/search"]


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(("k", "passages"), [(1.0, 1), (2, 2), (2.0, 2)])
def test_a_whole_k_is_taken_on_every_route_however_it_is_written(
    client: TestClient, route: str, k: Any, passages: int
) -> None:
    # GET took "?k=1.0" while POST refused {"k": 1.0}, a number JSON Schema (and so /openapi.json)
    # calls an integer: a whole number is one count of passages, whichever route carries it
    response = _with_k(client, route, k)
    assert response.status_code == 200, response.text
    assert len(response.json()["passages"]) == passages


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    ("k", "needles"),
    [
        (1.5, ["k", "whole number", "1.5"]),
        (0, ["k must be between 1 and 50, got 0"]),
        (51, ["k must be between 1 and 50, got 51"]),
    ],
)
def test_a_k_that_is_no_count_of_passages_is_refused_alike_on_every_route(
    client: TestClient, route: str, k: Any, needles: list[str]
) -> None:
    response = _with_k(client, route, k)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    for needle in needles:
        assert needle in response.json()["detail"]


@pytest.mark.parametrize("route", ["POST /v1/ask", "POST /v1/search"])
def test_a_k_sent_as_json_text_is_refused_though_a_link_spells_every_k_so(
    client: TestClient, route: str
) -> None:
    # a link has only text ("?k=2" is 2, taken above); a body has numbers, and the schema says
    # integer: the text "2" is refused there, as true is
    response = _with_k(client, route, "2")
    assert response.status_code == 422
    assert response.json()["detail"] == 'k: Input should be a valid integer (got "2")'


def test_a_question_in_another_language_is_told_what_the_texts_are_in(client: TestClient) -> None:
    # a German question of the English fixture texts: refused, and told to ask in English
    result = _ask(client, question="Wann wurde der Leuchtturm am Calder Point gebaut?")

    assert result["answerable"] is False
    assert result["language_note"].startswith("the question is in German and the 2 documents are in English")
    assert result["refusal"].endswith(f" — {result['language_note']}")
