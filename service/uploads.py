"""Read a document from a write request: JSON `{"doc_id", "text"}` or a multipart file upload."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from pathlib import PurePath

from fastapi import Request
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from alliance_qa.errors import InputError, PayloadTooLargeError, UnsupportedMediaError
from index.retriever import LONE_SURROGATE
from ingest.documents import SUFFIXES, Document, file_doc_id, make_document
from service.problems import not_json, not_utf8
from service.schemas import DocumentIn
from service.settings import Settings

DOCUMENT_BODY = '{"doc_id": "...", "text": "..."}'


async def _read_capped(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLargeError(
            f"the request body is {int(declared):,} bytes; the limit is {limit:,} "
            "(ALLIANCE_QA_MAX_UPLOAD_BYTES): split the document or raise the limit"
        )
    body = bytearray()
    async for piece in request.stream():
        body.extend(piece)
        if len(body) > limit:
            raise PayloadTooLargeError(
                f"the request body is over the limit of {limit:,} bytes (ALLIANCE_QA_MAX_UPLOAD_BYTES)"
            )
    return bytes(body)


async def _parse_multipart(request: Request, body: bytes) -> FormData:
    async def replay() -> AsyncGenerator[bytes, None]:
        yield body  # the capped body, already read

    try:
        return await MultiPartParser(request.headers, replay(), max_files=1, max_fields=4).parse()
    except MultiPartException as exc:
        raise InputError(f"the multipart body is malformed ({exc.message}); send one `file` field") from None


async def read_document_upload(request: Request, settings: Settings, *, doc_id: str | None) -> Document:
    """The document a POST/PUT carries; `doc_id` is the id from the path (PUT), if any."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    # multipart framing adds a little to the file itself
    body = await _read_capped(request, settings.max_upload_bytes + 16_384)
    if content_type == "application/json":
        # read as /v1/ask reads its body (service/problems.py): bytes that are not UTF-8 and broken
        # JSON are 400 malformed-json, a lone surrogate (valid JSON, "\ud800") is named below
        if (wrong := not_utf8(body, DOCUMENT_BODY)) is not None:
            raise wrong
        try:
            parsed = json.loads(body.decode("utf-8"))
        except json.JSONDecodeError as exc:
            raise not_json(exc.msg, exc.pos, DOCUMENT_BODY) from None
        except RecursionError:  # "[[[[…" a few thousand deep
            raise not_json("nested too deeply to read", 0, DOCUMENT_BODY) from None
        try:
            payload = DocumentIn.model_validate(parsed)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors()
            )
            raise InputError(f'the body must be {{"doc_id": str, "text": str}}: {problems}') from None
        if (surrogate := LONE_SURROGATE.search(payload.text)) is not None:
            raise InputError(
                f"the text holds a lone surrogate (U+{ord(surrogate.group()):04X}) at character "
                f"{surrogate.start() + 1}, half of a character and no text: send the document as UTF-8"
            )
        data = payload.text.encode("utf-8")
        given_id, source = payload.doc_id, "the JSON text"
    elif content_type == "multipart/form-data":
        form = await _parse_multipart(request, body)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InputError("the multipart body needs a `file` field holding the document")
        name = upload.filename or ""
        suffix = PurePath(name).suffix.lower()
        if suffix not in SUFFIXES:
            raise UnsupportedMediaError(
                f"{name or 'the upload'}: unsupported file type {suffix or '(none)'!r}; "
                f"upload a {' or '.join(SUFFIXES)} file"
            )
        field = form.get("doc_id")
        if isinstance(field, str) and field:
            given_id = field
        elif doc_id is not None:  # PUT: the path names the document, whatever the file is called
            given_id = None
        elif any(c in name for c in "/\\") or not name.isprintable():
            raise InputError(
                f"the upload's file name {name!r} is a path or holds control characters: "
                "send the file's own name, or name the document with a `doc_id` field"
            )
        else:
            given_id = file_doc_id(name) if name else None
        data = await upload.read()
        source = name
    else:
        raise UnsupportedMediaError(
            f"content type {content_type or '(none)'!r} is not accepted: send application/json "
            '{"doc_id": ..., "text": ...} or multipart/form-data with a `file`'
        )
    if len(data) > settings.max_upload_bytes:
        raise PayloadTooLargeError(
            f"{source} is {len(data):,} bytes; the limit is {settings.max_upload_bytes:,} "
            "(ALLIANCE_QA_MAX_UPLOAD_BYTES)"
        )
    if doc_id is not None and given_id not in (None, doc_id):
        raise InputError(
            f"the body names document {given_id!r} but the path names {doc_id!r}: make them agree"
        )
    final_id = doc_id or given_id
    if not final_id:
        raise InputError("doc_id is required: name the document (letters, digits, '-', '_', '.')")
    return make_document(final_id, data, source=source)
