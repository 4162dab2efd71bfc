"""Review rules, free of I/O: review ids, field limits and the author's display name.

A review's id is `<product_id>.<20 hex digits>`, the hex being a hash of product id and author:
- deterministic per (product, author), so a second review by the same author lands on the same id
  in the same partition and the store's create refuses it atomically (no read-then-write race);
- the product id before the "." (which product ids never contain) names the partition, so GET and
  DELETE by review id are point reads without a lookup table;
- hashing keeps arbitrary token subjects (any length, any characters) out of ids.
"""

from __future__ import annotations

import hashlib
import re

from hph.commerce.identifiers import PRODUCT_ID
from hph.runtime import validation
from hph.runtime.errors import Violations

SEPARATOR = "."  # never part of a product id (see PRODUCT_ID)
RATING_MIN, RATING_MAX = 1, 5
TITLE_MAX, COMMENT_MAX = 120, 5000
_DIGEST = re.compile(r"[0-9a-f]{20}")


def review_id(product_id: str, user_id: str) -> str:
    digest = hashlib.sha256(f"{product_id}\n{user_id}".encode()).hexdigest()[:20]
    return f"{product_id}{SEPARATOR}{digest}"


def product_of(review_id: str) -> str | None:
    """The product a review id belongs to, or None when it is not a review id."""
    product_id, sep, digest = review_id.partition(SEPARATOR)
    if not sep or not PRODUCT_ID.fullmatch(product_id) or not _DIGEST.fullmatch(digest):
        return None
    return product_id


def author_name(token_name: str, email: str) -> str:
    """How the author is shown: the token's name claim, else the e-mail's local part."""
    for candidate in (token_name, email.partition("@")[0]):
        cleaned = " ".join(candidate.split())
        if cleaned:
            return cleaned[:100]
    return "Shopper"


def check_review_id(violations: Violations, review_id: str) -> str:
    """The review's product id ("" when the review id is invalid)."""
    if not violations.check(bool(review_id), "review_id", "is required"):
        return ""
    product_id = product_of(review_id)
    violations.check(product_id is not None, "review_id", "is not a review id (<product_id>.<20 hex digits>)")
    return product_id or ""


def check_review_fields(violations: Violations, *, rating: int, title: str, comment: str) -> None:
    stars = f"must be a whole number of stars from {RATING_MIN} to {RATING_MAX}"
    violations.check(RATING_MIN <= rating <= RATING_MAX, "rating", stars)
    validation.text(violations, "title", title, required=True, max_length=TITLE_MAX)
    validation.text(violations, "comment", comment, required=True, max_length=COMMENT_MAX)
