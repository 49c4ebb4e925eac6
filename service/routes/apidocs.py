"""The API's browsable docs at `/docs`: Swagger UI served by this process from the `swagger-ui-py`
package, not from a CDN, so they work offline (session 16: FastAPI's default page fetched Swagger
UI from cdn.jsdelivr.net and was blank here, while error details send readers to `/docs`)."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

# Swagger UI 5 (it reads the OpenAPI 3.1 that FastAPI writes; the 4.x of `swagger-ui-bundle` does not)
SWAGGER_UI_DIR = Path(str(importlib.resources.files("swagger_ui") / "static"))
SWAGGER_UI_URL = "/static/swagger-ui"
FAVICON_URL = "/static/favicon.svg"

router = APIRouter(include_in_schema=False)


@router.api_route("/docs", methods=["GET", "HEAD"])  # as the pages: `routes/pages.py`
def docs(request: Request) -> HTMLResponse:
    """Swagger UI over `/openapi.json`, every file it loads served from here."""
    app = request.app
    return get_swagger_ui_html(
        openapi_url=app.openapi_url,
        title=f"{app.title} · API",
        swagger_js_url=f"{SWAGGER_UI_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER_UI_URL}/swagger-ui.css",
        swagger_favicon_url=FAVICON_URL,
    )
