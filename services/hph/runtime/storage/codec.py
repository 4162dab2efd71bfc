"""Documents as JSON text: the encoding every adapter stores and the decoding of what it reads back."""

from __future__ import annotations

import json

import orjson

from hph.runtime.storage.port import MAX_DOCUMENT_BYTES, Document


def encode_document(doc: Document) -> str:
    # orjson does the common case several times faster than json (documents are encoded on every
    # write); json remains the judge of what orjson declines (integers beyond 64 bits, non-str
    # keys) and of NaN/Infinity, which orjson would quietly write as null: a null in the output is
    # the cheap sign that the document must be checked the strict way.
    try:
        raw = orjson.dumps(doc)
    except (orjson.JSONEncodeError, TypeError):
        raw = None
    if raw is None or b"null" in raw:
        try:
            body = json.dumps(doc, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"document is not JSON-serialisable: {exc}") from exc
        size = len(body) if len(body) <= MAX_DOCUMENT_BYTES // 4 else len(body.encode())
    else:
        body, size = raw.decode(), len(raw)
    if size > MAX_DOCUMENT_BYTES:
        raise ValueError(f"document exceeds {MAX_DOCUMENT_BYTES} bytes")
    return body


def decode_document(body: str) -> Document:
    try:
        doc: Document = orjson.loads(body)
    except orjson.JSONDecodeError:  # e.g. an integer beyond 64 bits, which json wrote and reads
        doc = json.loads(body)
    return doc
