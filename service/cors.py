"""Calls from web pages on other origins: Starlette's CORS rules, a refusal answered as a problem."""

from __future__ import annotations

from fastapi import Request
from fastapi.middleware.cors import CORSMiddleware
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from alliance_qa.errors import CrossOriginError
from service.problems import error_response
from service.settings import ENV_PREFIX

ORIGINS_VARIABLE = f"{ENV_PREFIX}CORS_ORIGINS"
# what Starlette's plain-text refusal carries besides its text: the rules a browser may read
NOT_COPIED = {"content-length", "content-type"}


class ProblemCORSMiddleware(CORSMiddleware):
    """Starlette's `CORSMiddleware`, whose refused preflight is a problem+json saying what to change.

    Starlette still decides every request; a preflight it refuses (its plain-text 400 "Disallowed
    CORS origin") is answered, with the same status and CORS headers, by a problem naming what was
    refused and what is allowed, as every other error of the service is.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "OPTIONS":
            await super().__call__(scope, receive, send)
            return
        headers = Headers(scope=scope)
        # a preflight, as Starlette's own `__call__` tells one
        if "origin" in headers and "access-control-request-method" in headers:
            response = self.preflight_response(request_headers=headers)
            if response.status_code == 400:
                response = self._refusal(Request(scope), headers, response)
            await response(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    def _refusal(self, request: Request, asked: Headers, refused: Response) -> Response:
        """The problem for a preflight Starlette refused, keeping its CORS headers."""
        error = CrossOriginError("; ".join(self._reasons(asked)) or self._unexplained(refused))
        response = error_response(request, error)
        response.headers.update({k: v for k, v in refused.headers.items() if k not in NOT_COPIED})
        return response

    def _reasons(self, asked: Headers) -> list[str]:
        """What a preflight asked for that Starlette's checks refuse, each with what would be allowed."""
        reasons = []
        origin = asked["origin"]
        if not self.is_allowed_origin(origin=origin):
            reasons.append(
                f"a page at {origin} may not call this API: the allowed origins are "
                f"{', '.join(self.allow_origins)}; to allow it, add {origin} to {ORIGINS_VARIABLE} "
                "(origins separated by commas) and restart the service"
            )
        method = asked["access-control-request-method"]
        if method not in self.allow_methods:
            reasons.append(
                f"{method} is not allowed from another origin: use {', '.join(self.allow_methods)}"
            )
        named = [h.strip() for h in asked.get("access-control-request-headers", "").split(",") if h.strip()]
        if not self.allow_all_headers and (
            unknown := [h for h in named if h.lower() not in self.allow_headers]
        ):
            allowed = self.preflight_headers.get("Access-Control-Allow-Headers", "")
            reasons.append(
                f"the header{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} may not be sent from "
                f"another origin: send only {allowed}"
            )
        if "access-control-request-private-network" in asked and not self.allow_private_network:
            reasons.append(
                "a page on a public site may not call this service on a private network "
                "(Access-Control-Request-Private-Network): open the page from the service's own network"
            )
        return reasons

    @staticmethod
    def _unexplained(refused: Response) -> str:
        """Starlette's own words, for a check this class does not know (a newer Starlette's)."""
        text = bytes(refused.body).decode("utf-8", "replace")
        return f"{text}: the allowed origins are set by {ORIGINS_VARIABLE}"
