"""Identifiers several services check the same way, so each has one pattern and one message.

A product id is the catalog's SKU; the catalog, cart and reviews refuse malformed ones before any
lookup. An order id is minted by orders ("ORD-" and 16 upper-case hex digits); orders, returns,
shipments and tickets check it, and shipment and return ids embed its digits so the order's
partition is known from those ids alone.
"""

from __future__ import annotations

import re

from hph.runtime import validation
from hph.runtime.errors import Violations

PRODUCT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{2,63}")
PRODUCT_ID_HINT = "must be 3..64 of A-Z, a-z, 0-9, '-', '_'"
# A category id: the catalog's own check, and the product agents' category filters.
CATEGORY_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,63}")
CATEGORY_ID_HINT = "must be 2..64 of a-z, 0-9 and '-'"
ORDER_PREFIX = "ORD-"
# The group is the order's 16 hex digits, which shipment and return ids carry.
ORDER_ID = re.compile(r"ORD-([0-9A-F]{16})")
ORDER_ID_HINT = "must be ORD- followed by 16 hex digits"


def check_product_id(violations: Violations, product_id: str) -> bool:
    """A required product id of the catalog's shape."""
    if not violations.check(bool(product_id), "product_id", "is required"):
        return False
    return validation.identifier(violations, "product_id", product_id, PRODUCT_ID, PRODUCT_ID_HINT)


def check_category_id(violations: Violations, category_id: str, field: str = "category_id") -> bool:
    """An optional category id of the catalog's shape (empty passes)."""
    if not category_id:
        return True
    return validation.identifier(violations, field, category_id, CATEGORY_ID, CATEGORY_ID_HINT)


def check_order_id(violations: Violations, order_id: str, field: str = "order_id") -> bool:
    """A required order id as orders mints them."""
    if violations.check(bool(order_id), field, "is required"):
        return violations.check(bool(ORDER_ID.fullmatch(order_id)), field, ORDER_ID_HINT)
    return False
