"""Who may write: a bearer key from `ALLIANCE_QA_API_KEY`, compared in constant time, never logged."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from alliance_qa.errors import AuthError, ForbiddenError
from service.deps import SettingsDep
from service.settings import Settings

ENABLE_HINT = "set the environment variable ALLIANCE_QA_API_KEY to a secret and restart the service"
BEARER_SCHEME = "bearer"  # the key's name in OpenAPI's components.securitySchemes
# declares the key in OpenAPI, so `/docs` offers "Authorize"; it never refuses (auto_error=False):
# the checks below do, with the problems they always gave
declared_key = HTTPBearer(
    scheme_name=BEARER_SCHEME,
    description="the key set in ALLIANCE_QA_API_KEY on the server",
    auto_error=False,
)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("the Authorization header must be `Bearer <key>`")
    return token.strip()


async def require_writer(
    request: Request,
    settings: SettingsDep,
    _: Annotated[HTTPAuthorizationCredentials | None, Security(declared_key)],
) -> None:
    """Allow the request only with the configured key; with no key configured, writes are off."""
    _check_writer(request, settings)


def _check_writer(request: Request, settings: Settings) -> None:
    if settings.api_key is None or not settings.api_key.get_secret_value():
        raise ForbiddenError(f"writes are disabled on this service: {ENABLE_HINT}")
    token = _bearer(request)
    if token is None:
        raise AuthError("this endpoint needs a key: send `Authorization: Bearer <key>`")
    if not hmac.compare_digest(token.encode(), settings.api_key.get_secret_value().encode()):
        raise AuthError("the key is not valid: check ALLIANCE_QA_API_KEY on the server")


async def require_reader(request: Request) -> None:
    """Reads are open unless `ALLIANCE_QA_OPEN_READS=false`; then they need the write key too.

    The settings come straight from the app, not as a sub-dependency: every question pays for
    each dependency FastAPI solves.
    """
    settings: Settings = request.app.state.settings
    if not settings.open_reads:
        _check_writer(request, settings)


def holds_key(request: Request, settings: Settings) -> bool:
    """Does the request carry the configured key (True too when no key is set: nothing to hold)?"""
    try:
        _check_writer(request, settings)
    except ForbiddenError:  # no key set
        return True
    except AuthError:
        return False
    return True


WriterDep = Annotated[None, Depends(require_writer)]
ReaderDep = Annotated[None, Depends(require_reader)]


def declare_closed_reads(app: FastAPI) -> None:
    """With `ALLIANCE_QA_OPEN_READS=false`, say in the OpenAPI schema that reads take the key too.

    Only the schema changes (every operation that can answer 401 takes the key): a `Security`
    dependency on reads would be solved on every question, and the check is `require_reader`'s.
    """
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if "401" in operation.get("responses", {}):
                    operation.setdefault("security", [{BEARER_SCHEME: []}])
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
