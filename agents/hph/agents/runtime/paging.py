"""Offset page tokens for agents that answer a ranked list computed whole per call (stock health,
replenishment plans, alerts, route issues): a token carries where the next page starts and a digest
of the request it belongs to, so a token sent with other filters is refused rather than paging
through a different list.

    digest = query_digest([request.kinds, request.page_size])
    next_token = offset_token(offset + page_size, digest)
    start = token_offset(request.page_token, digest)   # None: not one of ours (INVALID_ARGUMENT)
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence


def query_digest(parts: Sequence[object]) -> str:
    """A short digest of the request's filters (JSON-serialisable parts, sets given sorted)."""
    return hashlib.blake2b(json.dumps(list(parts)).encode(), digest_size=8).hexdigest()


def offset_token(offset: int, digest: str) -> str:
    """The token of the page starting at `offset` of the list `digest` names."""
    raw = json.dumps({"o": offset, "q": digest}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def token_offset(token: str, digest: str) -> int | None:
    """Where the page of `token` starts; None for a token that is malformed, names no page past the
    first, or belongs to a request with other filters."""
    try:
        body = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset, bound = int(body["o"]), str(body["q"])
    except (ValueError, KeyError, TypeError):
        return None
    return offset if bound == digest and offset > 0 else None
