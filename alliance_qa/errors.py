"""The project's typed errors: one small hierarchy, each message says what to do next.

They are mapped to HTTP problems in one place (`service/problems.py`) and to CLI
messages in one place (`service/cli.py`). A library caller catches them from here:
`AllianceQAError` for all of them, `InputError` for an argument it should change.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AllianceQAError",
    "AuthError",
    "ConflictError",
    "CorpusError",
    "CrossOriginError",
    "ForbiddenError",
    "IndexCorruptError",
    "IndexMismatchError",
    "IndexMissingError",
    "IndexWriteError",
    "InputError",
    "MalformedJsonError",
    "ModelError",
    "NoTextError",
    "NotFoundError",
    "PayloadTooLargeError",
    "UnsupportedMediaError",
]


class AllianceQAError(Exception):
    """Base class: every error the project raises on purpose."""

    status = 500  # the HTTP status the service answers with


class InputError(AllianceQAError):
    """The caller gave something we cannot use (bad file, bad question, bad option)."""

    status = 422


class CorpusError(InputError):
    """A corpus folder or a document in it cannot be ingested."""


class MalformedJsonError(InputError):
    """A request body that is no JSON: broken syntax, or bytes that are not UTF-8."""

    status = 400


class NoTextError(CorpusError):
    """Documents with nothing to index: no sentence, heading or title, only punctuation, symbols,
    emoji or markup (".", "---", "🚢🚢🚢"). Nothing in them could ever be found.

    `doc_ids` are the documents; `names` how to call them (file paths, for the CLI).
    """

    def __init__(self, doc_ids: list[str], *, names: list[str] | None = None) -> None:
        self.doc_ids = doc_ids
        self.names = names
        shown = names or [f"document {d!r}" for d in doc_ids]
        listed = ", ".join(shown[:10]) + (f" and {len(shown) - 10} more" if len(shown) > 10 else "")
        one = len(shown) == 1
        super().__init__(
            f"{listed}: nothing to index (only punctuation, symbols, emoji or markup, no word a "
            f"question could find); give {'it' if one else 'each'} some text, or leave "
            f"{'it' if one else 'them'} out"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # an exception is rebuilt from its args, here the message: taken for a list of ids, a
        # process pool's parent read "document 'x', document '.', document 'm'…"
        return (_no_text, (self.doc_ids, self.names))


def _no_text(doc_ids: list[str], names: list[str] | None) -> NoTextError:
    return NoTextError(doc_ids, names=names)


class NotFoundError(AllianceQAError):
    """A named thing (document, chunk, index) does not exist."""

    status = 404


class IndexMissingError(NotFoundError):
    """No index has been built at the given path."""

    status = 503


class IndexMismatchError(AllianceQAError):
    """An index exists but was built with another format, model or settings."""

    status = 503


class IndexCorruptError(AllianceQAError):
    """An index folder is damaged: a file is missing, truncated or unreadable."""

    status = 503


class IndexWriteError(AllianceQAError):
    """The index folder cannot take a write: no permission, a read-only mount, a full disk.
    Reads keep working, so the service is unavailable for writes only (503, as for a damaged index)."""

    status = 503


class ModelError(AllianceQAError):
    """The embedding model cannot be found or loaded."""

    status = 503


class AuthError(AllianceQAError):
    """A write was attempted without the right credentials."""

    status = 401


class ConflictError(AllianceQAError):
    """The request clashes with what is stored (for example, a document id that exists)."""

    status = 409


class ForbiddenError(AuthError):
    """Writes are switched off, or the caller may not do this at all."""

    status = 403


class PayloadTooLargeError(InputError):
    """A request body or upload is over the configured limit."""

    status = 413


class UnsupportedMediaError(InputError):
    """A request body of a content type the endpoint does not take."""

    status = 415


class CrossOriginError(InputError):
    """A browser's CORS preflight asked for an origin, method or header the service does not allow."""

    status = 400
