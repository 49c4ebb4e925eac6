"""alliance-qa: document-grounded question answering with exact citations."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
