"""HTTP service, CLI and web page: the only package that reads the environment."""

from __future__ import annotations

__all__: list[str] = []
