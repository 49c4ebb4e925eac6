"""Who may write: a bearer key from `ALLIANCE_QA_API_KEY`, compared in constant time, never logged."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from alliance_qa.errors import AuthError, ForbiddenError
from service.deps import SettingsDep
from service.settings import Settings

ENABLE_HINT = "set the environment variable ALLIANCE_QA_API_KEY to a secret and restart the service"


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("the Authorization header must be `Bearer <key>`")
    return token.strip()


async def require_writer(request: Request, settings: SettingsDep) -> None:
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


WriterDep = Annotated[None, Depends(require_writer)]
ReaderDep = Annotated[None, Depends(require_reader)]
