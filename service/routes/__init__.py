"""One router per resource: questions, documents, health, and the web page."""

from __future__ import annotations

__all__: list[str] = []
