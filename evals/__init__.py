"""Question sets, metrics and reports for retrieval evaluation."""

from __future__ import annotations

__all__: list[str] = []
