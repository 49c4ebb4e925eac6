"""The one place errors become HTTP: RFC 9457 `application/problem+json` bodies for every failure."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from alliance_qa.errors import (
    AllianceQAError,
    AuthError,
    ConflictError,
    CorpusError,
    CrossOriginError,
    ForbiddenError,
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    IndexWriteError,
    InputError,
    MalformedJsonError,
    ModelError,
    NotFoundError,
    PayloadTooLargeError,
    UnsupportedMediaError,
)
from index.retriever import LONE_SURROGATE
from service.schemas import Problem

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:alliance-qa:problem:"
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")  # in the order people list them
QUESTION_BODY = '{"question": "..."}'
BODY_UNPARSED = "There was an error parsing the body"  # FastAPI's detail for a body it cannot decode

# most specific first: the first class an error is an instance of names it
TITLES: tuple[tuple[type[AllianceQAError], str], ...] = (
    (IndexMissingError, "Index not built"),
    (IndexMismatchError, "Index does not match"),
    (IndexCorruptError, "Index damaged"),
    (IndexWriteError, "Index not writable"),
    (ModelError, "Model unavailable"),
    (CorpusError, "Unusable document"),
    (MalformedJsonError, "Malformed JSON"),
    (CrossOriginError, "Cross-origin request refused"),
    (PayloadTooLargeError, "Payload too large"),
    (UnsupportedMediaError, "Unsupported media type"),
    (InputError, "Invalid input"),
    (NotFoundError, "Not found"),
    (ForbiddenError, "Writes disabled"),
    (AuthError, "Not authorised"),
    (ConflictError, "Conflict"),
)


def problem(
    request: Request,
    *,
    status: int,
    detail: str,
    title: str | None = None,
    kind: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """A problem+json response; `kind` names the problem type, else it is the status's own."""
    body = Problem(
        type=TYPE_PREFIX + kind if kind else "about:blank",
        title=title or HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=errors,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def _kind(error: AllianceQAError) -> str:
    # IndexMissingError -> index-missing
    name = type(error).__name__.removesuffix("Error") or "error"
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def _field(loc: Sequence[Any]) -> str:
    # ("body", "k") -> "k"; ("query", "q") -> "q"; ("body",) -> "body"
    parts = [str(p) for p in loc[1:]] if len(loc) > 1 and loc[0] in ("body", "query", "path") else []
    return ".".join(parts) or str(loc[0] if loc else "request")


def _as_sent(value: Any) -> str:
    """A value as JSON spells it (null, true, "five"), not as Python does (None, True, 'five'); half a
    character (JSON's "\\ud800" escape decodes to one, which UTF-8 cannot carry) as the client escaped it."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):  # no JSON value (the raw bytes of a body): Python's spelling
        return repr(value)
    return LONE_SURROGATE.sub(lambda half: f"\\u{ord(half.group()):04x}", text)


def _describe(error: Mapping[str, Any]) -> str:
    field = _field(error.get("loc", ()))
    kind = error.get("type", "")
    if kind == "missing":
        if field == "body":
            return 'the request body is missing: send a JSON object such as {"question": "..."}'
        return f"{field} is required"
    if kind == "extra_forbidden":
        return f"unknown field {field!r}: remove it (see /docs for the accepted fields)"
    if kind == "model_attributes_type" and field == "body":
        if isinstance(error.get("input"), bytes):  # a body the server did not read as JSON
            return "the request body must be JSON: send it with the header Content-Type: application/json"
        return 'the request body must be a JSON object such as {"question": "..."}'
    value = error.get("input")
    shown = "" if isinstance(value, dict | list) else f" (got {_as_sent(value)})"
    return f"{field}: {error.get('msg', 'is invalid')}{shown}"


def error_response(request: Request, exc: AllianceQAError) -> JSONResponse:
    """The problem a project error answers with (also for middleware that answers before routing)."""
    title = next((t for cls, t in TITLES if isinstance(exc, cls)), None)
    if exc.status >= 500:
        # debug, not warning: readiness probes repeat this every few seconds until the index exists
        logger.debug("%s %s: %s", request.method, request.url.path, exc)
    # 401 tells the client which scheme to use (RFC 9110 §11.6.1)
    headers = {"WWW-Authenticate": 'Bearer realm="alliance-qa"'} if exc.status == 401 else None
    return problem(request, status=exc.status, detail=str(exc), title=title, kind=_kind(exc), headers=headers)


async def _on_project_error(request: Request, exc: Exception) -> JSONResponse:
    return error_response(request, cast(AllianceQAError, exc))  # registered for this class only


def not_json(reason: str, position: object, example: str = QUESTION_BODY) -> MalformedJsonError:
    """The error for a body that is not valid JSON, saying where and what to send."""
    return MalformedJsonError(
        f"the request body is not valid JSON ({reason} at character {position}); send a JSON object "
        f"such as {example}"
    )


def _not_utf8_at(error: UnicodeDecodeError, example: str) -> MalformedJsonError:
    """The error for a body that is not UTF-8 (JSON's only encoding), where decoding stopped."""
    return MalformedJsonError(
        f"the request body is not UTF-8 (byte {error.start} is invalid), and JSON must be: send "
        f"the text encoded as UTF-8, such as {example}"
    )


def not_utf8(body: bytes, example: str = QUESTION_BODY) -> MalformedJsonError | None:
    """The error for a body that is not UTF-8 (JSON's only encoding), if it is not."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _not_utf8_at(exc, example)
    return None


def _unreadable(cause: BaseException | None) -> MalformedJsonError:
    """Why a JSON body could not be decoded at all, from the exception that stopped it."""
    if isinstance(cause, UnicodeDecodeError):
        return _not_utf8_at(cause, QUESTION_BODY)
    if isinstance(cause, RecursionError):
        return not_json("nested too deeply to read", 0)
    return MalformedJsonError(
        f"the request body could not be read as JSON: send UTF-8 JSON such as {QUESTION_BODY}"
    )


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    exc = cast(RequestValidationError, exc)
    errors = list(exc.errors())
    broken = next((e for e in errors if e.get("type") == "json_invalid"), None)
    if broken is not None:
        reason = (broken.get("ctx") or {}).get("error", "JSON decode error")
        position = broken["loc"][-1] if len(broken.get("loc", ())) > 1 else "?"
        return error_response(request, not_json(reason, position))
    fields = [{"field": _field(e.get("loc", ())), "message": _describe(e)} for e in errors]
    return problem(
        request,
        status=422,
        title="Invalid request",
        kind="validation",
        detail="; ".join(f["message"] for f in fields),
        errors=fields,
    )


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    exc = cast(HTTPException, exc)
    detail = str(exc.detail) if exc.detail else ""
    if exc.status_code == 400 and detail == BODY_UNPARSED:
        # FastAPI's answer when the body will not decode at all: say why, as for broken JSON (the
        # cause, not the body: a body cut off by BodyLimitMiddleware cannot be read again)
        return error_response(request, _unreadable(exc.__cause__))
    if exc.status_code == 404 and detail in ("", "Not Found"):
        detail = f"nothing at {request.url.path}: see /docs for the API, or / for the web page"
    elif exc.status_code == 405:
        given = {name.lower(): value for name, value in (exc.headers or {}).items()}.get("allow", "")
        allowed = ", ".join(_allowed_methods(request)) or given
        detail = f"{request.method} is not allowed on {request.url.path}; use {allowed or 'another method'}"
        return problem(request, status=405, detail=detail, headers={"Allow": allowed})
    return problem(
        request,
        status=exc.status_code,
        detail=detail or HTTPStatus(exc.status_code).phrase,
        headers=exc.headers,
    )


def _allowed_methods(request: Request) -> list[str]:
    # Starlette's Allow names the methods of the first route matching the path only (GET on
    # /v1/documents/{doc_id}, hiding PUT and DELETE): ask every route about every method instead
    def served(method: str) -> bool:
        scope = {**request.scope, "method": method}
        return any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes)

    if served(request.method):  # a mounted app refused the method itself: routing cannot tell
        return []
    return [method for method in METHODS if served(method)]


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # the traceback goes to the log, never to the caller
    logger.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(
        request,
        status=500,
        detail="the service hit an unexpected error; it has been logged. Try again, or report it",
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error raised while serving `app` with a problem+json body."""
    app.add_exception_handler(AllianceQAError, _on_project_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(HTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries saying these statuses answer with a problem+json body."""
    return {
        status: {
            "model": Problem,
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
