"""The web page: static HTML that calls the JSON API, served from the package, with no CDN."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse

from service.deps import SettingsDep

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

# the page loads nothing from elsewhere; saying so in the header keeps it that way
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

# the question box's limit as index.html writes it, replaced by the served one
# (ALLIANCE_QA_MAX_QUESTION_CHARS): the script checks a question against it before asking
QUESTION_LIMIT = 'data-max-chars="1000"'
# and the passage count's, as the box writes it, replaced by the served ALLIANCE_QA_MAX_K (it was
# fixed at 50 whatever the service allowed)
PASSAGE_LIMIT = 'min="1" max="50" value="5"'

# HEAD wherever GET: uptime checks and link checkers ask with HEAD (FastAPI, unlike Starlette,
# does not add it by itself); the answer to HEAD is the headers only
router = APIRouter(include_in_schema=False)


@router.api_route("/", methods=["GET", "HEAD"])
def home(settings: SettingsDep) -> HTMLResponse:
    """The question page, with the served limits on a question's length and its passages."""
    page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    limit = f'data-max-chars="{settings.max_question_chars}"'
    passages = f'min="1" max="{settings.max_k}" value="{min(5, settings.max_k)}"'
    return HTMLResponse(
        page.replace(QUESTION_LIMIT, limit).replace(PASSAGE_LIMIT, passages), headers=PAGE_HEADERS
    )


@router.api_route("/favicon.ico", methods=["GET", "HEAD"])
def favicon() -> FileResponse:
    """The site's icon, for clients that ask for it by the old name (the pages link the SVG)."""
    return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml")


@router.api_route("/documents/{doc_id}", methods=["GET", "HEAD"])
def document_page(doc_id: str) -> FileResponse:
    """A document with line numbers and the cited span highlighted (the script fetches the text)."""
    return FileResponse(STATIC_DIR / "document.html", headers=PAGE_HEADERS)
