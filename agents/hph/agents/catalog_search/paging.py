"""Page tokens: keyset cursors (the last hit's score and id) bound to the query and filters.

The hits are ordered by (score descending, product id ascending), a total order, so a cursor names
exactly where the next page starts: right after the last product shown (or, when that product is
gone, after its score and id), so a product that moves between pages is neither repeated nor
skipped for the others. A token carries a digest of the query and filters; one reused with another
query is refused rather than silently paging something else.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass

TOKEN_VERSION = 1
SCORE_DIGITS = 6


class BadToken(ValueError):
    """The token is malformed or belongs to another query."""


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after the hit (score, product_id); `offset` is a hint of its position."""

    score: float
    product_id: str
    offset: int


def rounded(score: float) -> float:
    """Scores compared and carried in tokens at fixed precision, so equal stays equal."""
    return round(score, SCORE_DIGITS)


def query_digest(*parts: object) -> str:
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(canonical.encode(), digest_size=8).hexdigest()


def encode(cursor: Cursor, digest: str) -> str:
    body = {"v": TOKEN_VERSION, "q": digest, "s": cursor.score, "i": cursor.product_id, "o": cursor.offset}
    return base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode()).decode().rstrip("=")


def decode(token: str, digest: str) -> Cursor:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        body = json.loads(raw)
        cursor = Cursor(float(body["s"]), str(body["i"]), int(body["o"]))
        version, bound_to = body["v"], body["q"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BadToken("is not a token this search returned") from exc
    if version != TOKEN_VERSION:
        raise BadToken("is from another version of the search; start again from the first page")
    if bound_to != digest:
        raise BadToken("belongs to another query or other filters; keep them as they were")
    if cursor.offset < 0:
        raise BadToken("is not a token this search returned")
    return cursor


def sort_key(score: float, product_id: str) -> tuple[float, str]:
    """Ascending key of the result order: higher scores first, ties by product id."""
    return (-score, product_id)
