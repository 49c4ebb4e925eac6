"""Questions: `POST /v1/ask` (and `GET` for links and curl) answers; `POST /v1/search` ranks only."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BeforeValidator

from alliance_qa.errors import InputError
from index.retriever import Result
from service.auth import ReaderDep
from service.deps import Asking, AskingDep
from service.problems import documented
from service.schemas import (
    K_RANGE,
    NOT_BLANK,
    QUESTION_EXAMPLE,
    AskRequest,
    AskResponse,
    Mode,
    SearchResponse,
    whole_number_text,
)

# Questions take turns: one at a time per worker, first come first served, on a thread of their own
# (`_in_turn`). A question is ~3 ms of CPU; run in the thread pool at once, the questions in flight
# fought over the GIL and the cores (2 workers, 16 connections: 387 req/s, p99 84 ms); run on the
# event loop itself, the loop stopped reading sockets while it worked and some connections starved
# (64 connections: p99 1.4-3.6 s, timeouts). In turn, with connections balanced across workers
# (service/balance.py): 2 workers, 16 connections 485-498 req/s, p99 41-44 ms; 64 connections
# p99 154-166 ms, no errors. Writes (seconds of embedding) keep the thread pool.

# 401/403 only when reads are closed (ALLIANCE_QA_OPEN_READS=false); 413 for a body over 64 KiB
router = APIRouter(prefix="/v1", tags=["questions"], responses=documented(400, 401, 403, 413, 422, 503))


def _answer(request: AskRequest, asking: Asking) -> Result:
    """Check the request against the configured limits, ask the index, record the stage timings."""
    settings = asking.settings
    question = request.question.strip()
    if not question:
        raise InputError("question is empty: type a question about the corpus")
    if len(question) > settings.max_question_chars:
        raise InputError(
            f"question is {len(question)} characters long; the limit is {settings.max_question_chars}: shorten it"
        )
    if not 1 <= request.k <= settings.max_k:
        raise InputError(f"k must be between 1 and {settings.max_k}, got {request.k}")
    if request.doc_ids is not None and not request.doc_ids:
        raise InputError("doc_ids is empty: leave it out (or null) to search every document")
    # the index owns modes and document ids: it names what it does not know
    result = asking.index.ask(question, k=request.k, mode=request.mode, doc_ids=request.doc_ids)
    asking.metrics.observe_timings(result.timings_ms)
    return result


async def _in_turn(request: AskRequest, asking: Asking) -> Result:
    """`_answer` on the questions' thread, once the questions that arrived before it are done."""
    return await asyncio.get_running_loop().run_in_executor(asking.turns, _answer, request, asking)


@router.post("/ask")
async def ask(body: AskRequest, asking: AskingDep, _: ReaderDep) -> AskResponse:
    """Answer a question: the best sentence (if the corpus has one) and ranked, cited passages."""
    return AskResponse.of(await _in_turn(body, asking))


LINK_PARAMETERS = ("q", "k", "mode", "doc_ids")


@router.get("/ask")
@router.head("/ask", include_in_schema=False)  # as `routes/health.py`: link checkers ask with HEAD
async def ask_by_link(
    request: Request,
    asking: AskingDep,
    _: ReaderDep,
    q: Annotated[
        str, Query(description="the question", examples=[QUESTION_EXAMPLE], json_schema_extra=NOT_BLANK)
    ],
    k: Annotated[
        int,
        BeforeValidator(whole_number_text),
        Query(description="how many passages, 1 to 50", json_schema_extra=K_RANGE),
    ] = 5,
    mode: Annotated[Mode, Query()] = "hybrid",
    doc_ids: Annotated[list[str] | None, Query(description="repeat, or separate with commas")] = None,
) -> AskResponse:
    """The same as `POST /v1/ask`, from a URL: `/v1/ask?q=...&k=3`."""
    # as the POST body refuses a field it does not know, so a link refuses a parameter: "?top_k=3"
    # was answered with 5 passages, the parameter silently dropped (session 16)
    if unknown := [name for name in dict.fromkeys(request.query_params) if name not in LINK_PARAMETERS]:
        raise InputError(
            f"unknown parameter {unknown[0]!r}: remove it; a link takes {', '.join(LINK_PARAMETERS)}"
        )
    # "?k=1&k=2" was answered with 2 passages, "?q=treaty&q=India" about India: the last one won
    if twice := [name for name in ("q", "k", "mode") if len(request.query_params.getlist(name)) > 1]:
        raise InputError(f"parameter {twice[0]!r} is given more than once: give it once")
    ids = None if doc_ids is None else [d for item in doc_ids for d in item.split(",") if d]
    body = AskRequest(question=q, k=k, mode=mode, doc_ids=ids)
    return AskResponse.of(await _in_turn(body, asking))


@router.post("/search")
async def search(body: AskRequest, asking: AskingDep, _: ReaderDep) -> SearchResponse:
    """Rank passages for a question, with citations, without picking an answer."""
    return SearchResponse.of(await _in_turn(body, asking))
