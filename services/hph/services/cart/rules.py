"""Cart rules, free of I/O: request checks, line changes on the stored cart, idempotency records, and
pricing a cart against what the catalog and inventory answered (warnings, totals in minor units).

The stored cart (container "carts", partition key /id, id = the owner's user id):
  {"id", "user_id", "lines": [{"product_id", "quantity", "name", "image_url", "price_minor",
   "currency_code", "added_at"}...], "requests": [[key, fingerprint]...], "updated_at"}
Lines keep the order they were first added. A line's price is the snapshot taken when the shopper
last added the product; the cart's currency is its first line's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.runtime.errors import FailedPrecondition, InvalidArgument, NotFound, Violations
from hph.runtime.storage import is_valid_id

Document = dict[str, Any]

MAX_QUANTITY = 99
MAX_LINES = 100  # the contract's limit (Cart.items), also what one ReserveStock call accepts
# Idempotency keys remembered per cart; a retry comes seconds after the original, never 50 changes later.
REMEMBERED_REQUESTS = 50

NO_LONGER_SOLD = "No longer sold"
NOT_CHECKED = "Availability could not be checked just now; checkout confirms it"
OUT_OF_STOCK = "Out of stock"


@dataclass(frozen=True)
class ProductInfo:
    """What the catalog says about a product, in minor units."""

    product_id: str
    name: str
    image_url: str
    price_minor: int
    currency_code: str
    active: bool


class Unchecked(Enum):
    """Why a product could not be priced on this read."""

    GONE = "gone"  # the catalog does not know the product (any more)
    UNREACHABLE = "unreachable"  # the catalog did not answer


ProductAnswer = ProductInfo | Unchecked


@dataclass(frozen=True)
class StockInfo:
    """Inventory's public view of a SKU (quantity capped at 99 by inventory)."""

    in_stock: bool
    quantity_available: int
    low_stock: bool


@dataclass(frozen=True)
class PricedLine:
    product_id: str
    name: str
    image_url: str
    quantity: int
    price_minor: int  # the snapshot
    current_price_minor: int
    available: bool
    availability_warning: str
    added_at: str

    @property
    def price_changed(self) -> bool:
        return self.current_price_minor != self.price_minor

    @property
    def line_total_minor(self) -> int:
        return self.current_price_minor * self.quantity


@dataclass(frozen=True)
class PricedCart:
    currency_code: str
    lines: tuple[PricedLine, ...]

    @property
    def subtotal_minor(self) -> int:
        return sum(line.line_total_minor for line in self.lines)

    @property
    def total_minor(self) -> int:
        return self.subtotal_minor  # shipping and tax are checkout's

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)


# --- request checks ---------------------------------------------------------------------------


def check_quantity(violations: Violations, quantity: int, *, minimum: int) -> bool:
    return violations.check(
        minimum <= quantity <= MAX_QUANTITY, "quantity", f"must be between {minimum} and {MAX_QUANTITY}"
    )


def check_etag(violations: Violations, etag: str) -> None:
    violations.check(len(etag) <= 256 and etag.isascii(), "etag", "is not an etag this API issued")


def is_storable_user_id(user_id: str) -> bool:
    """Whether the document store can key a cart by this user id (token subjects are used as is)."""
    return is_valid_id(user_id)


# --- business rules on a product about to be added --------------------------------------------


def require_purchasable(product: ProductInfo) -> None:
    if not product.active:
        raise FailedPrecondition(
            f"product {product.product_id!r} is no longer sold",
            subject=f"products/{product.product_id}",
            reason=ErrorReason.ERROR_REASON_PRODUCT_INACTIVE,
        )


def require_in_stock(product_id: str, stock: StockInfo | None) -> None:
    """Refuses a product inventory says has nothing left; unknown stock passes (checkout confirms)."""
    if stock is not None and (not stock.in_stock or stock.quantity_available <= 0):
        raise FailedPrecondition(
            f"product {product_id!r} is out of stock",
            subject=f"products/{product_id}",
            reason=ErrorReason.ERROR_REASON_OUT_OF_STOCK,
        )


# --- changes to the stored cart (each returns the new document, or None for "no change") -------


def new_cart(user_id: str) -> Document:
    return {"id": user_id, "user_id": user_id, "lines": [], "requests": []}


def cart_currency(doc: Document, default: str) -> str:
    lines = doc.get("lines") or []
    return str(lines[0]["currency_code"]) if lines else default


def add_line(doc: Document, product: ProductInfo, quantity: int, now: str) -> Document:
    """Adds units of a product, merging with its line; the snapshot becomes the price shown now."""
    lines: list[Document] = [dict(line) for line in doc.get("lines") or []]
    others = [line for line in lines if line["product_id"] != product.product_id]
    if others and others[0]["currency_code"] != product.currency_code:
        raise FailedPrecondition(
            f"the cart is in {others[0]['currency_code']} and product {product.product_id!r} is sold in "
            f"{product.currency_code}; check out or clear the cart first",
            subject=f"products/{product.product_id}",
            reason=ErrorReason.ERROR_REASON_CURRENCY_MISMATCH,
        )
    snapshot = {
        "name": product.name,
        "image_url": product.image_url,
        "price_minor": product.price_minor,
        "currency_code": product.currency_code,
    }
    existing = next((line for line in lines if line["product_id"] == product.product_id), None)
    if existing is not None:
        total = existing["quantity"] + quantity
        if total > MAX_QUANTITY:
            raise InvalidArgument.for_field(
                "quantity",
                f"quantity would exceed {MAX_QUANTITY} (the cart already holds {existing['quantity']} of this product)",
            )
        existing.update(snapshot, quantity=total)
    else:
        if len(lines) >= MAX_LINES:
            raise FailedPrecondition(
                f"a cart holds at most {MAX_LINES} different products; remove some first",
                subject=f"carts/{doc['id']}",
                reason=ErrorReason.ERROR_REASON_CART_FULL,
            )
        lines.append({"product_id": product.product_id, "quantity": quantity, **snapshot, "added_at": now})
    return {**doc, "lines": lines}


def set_quantity(doc: Document, product_id: str, quantity: int) -> Document | None:
    """Sets a line's quantity (0 removes it); NOT_FOUND when the cart has no such line."""
    lines: list[Document] = doc.get("lines") or []
    line = next((line for line in lines if line["product_id"] == product_id), None)
    if line is None:
        raise NotFound(f"the cart has no line for product {product_id!r}")
    if quantity == 0:
        return remove_line(doc, product_id)
    if line["quantity"] == quantity:
        return None
    return {**doc, "lines": [{**x, "quantity": quantity} if x is line else x for x in lines]}


def remove_line(doc: Document, product_id: str) -> Document | None:
    lines: list[Document] = doc.get("lines") or []
    kept = [line for line in lines if line["product_id"] != product_id]
    return None if len(kept) == len(lines) else {**doc, "lines": kept}


def clear_lines(doc: Document) -> Document | None:
    return {**doc, "lines": []} if doc.get("lines") else None


# --- idempotency --------------------------------------------------------------------------------


def fingerprint(*parts: object) -> str:
    """A short digest of what a request asked for, to tell a retry from a reuse of its key."""
    return hashlib.sha256("\n".join(str(part) for part in parts).encode()).hexdigest()[:20]


def was_applied(doc: Document, key: str, request_fingerprint: str) -> bool:
    """True when a change with this idempotency key is already in the cart; INVALID_ARGUMENT when
    the key was used for a different change."""
    if not key:
        return False
    for remembered_key, remembered_fingerprint in doc.get("requests") or []:
        if remembered_key == key:
            if remembered_fingerprint != request_fingerprint:
                raise InvalidArgument.for_field("request_id", "was already used for a different cart change")
            return True
    return False


def remember_request(doc: Document, key: str, request_fingerprint: str) -> Document:
    if not key:
        return doc
    requests = [*(doc.get("requests") or []), [key, request_fingerprint]]
    return {**doc, "requests": requests[-REMEMBERED_REQUESTS:]}


# --- pricing a cart on read ---------------------------------------------------------------------


def judge_availability(
    quantity: int, currency_code: str, product: ProductAnswer, stock: StockInfo | None
) -> tuple[bool, str]:
    """(available, warning) of a line; `stock` None means inventory could not tell."""
    if product is Unchecked.GONE or (isinstance(product, ProductInfo) and not product.active):
        return False, NO_LONGER_SOLD
    if not isinstance(product, ProductInfo) or stock is None:
        return False, NOT_CHECKED
    if product.currency_code != currency_code:
        return False, f"Now sold in {product.currency_code}; remove it and add it again"
    left = stock.quantity_available
    if not stock.in_stock or left <= 0:
        return False, OUT_OF_STOCK
    if left < quantity:
        return False, f"Only {left} left"
    if stock.low_stock:
        # Inventory caps the figure at 99, so a larger low-stock level is not shown as a count.
        return True, f"Only {left} left" if left < MAX_QUANTITY else "Low stock"
    return True, ""


def price_line(line: Document, product: ProductAnswer, stock: StockInfo | None) -> PricedLine:
    current = line["price_minor"]
    name, image_url = line.get("name", ""), line.get("image_url", "")
    if isinstance(product, ProductInfo):
        name, image_url = product.name or name, product.image_url or image_url
        # A product re-priced in another currency keeps its snapshot price here; the warning says why.
        if product.currency_code == line["currency_code"]:
            current = product.price_minor
    available, warning = judge_availability(line["quantity"], line["currency_code"], product, stock)
    return PricedLine(
        product_id=line["product_id"],
        name=name,
        image_url=image_url,
        quantity=line["quantity"],
        price_minor=line["price_minor"],
        current_price_minor=current,
        available=available,
        availability_warning=warning,
        added_at=line.get("added_at", ""),
    )


def price_cart(
    doc: Document,
    products: Mapping[str, ProductAnswer],
    stock: Mapping[str, StockInfo] | None,
    *,
    default_currency: str,
) -> PricedCart:
    """Prices every line against the catalog's answers and inventory's (None: inventory unreachable)."""
    lines = doc.get("lines") or []
    priced = tuple(
        price_line(
            line,
            products.get(line["product_id"], Unchecked.UNREACHABLE),
            None if stock is None else stock.get(line["product_id"]),
        )
        for line in lines
    )
    return PricedCart(currency_code=cart_currency(doc, default_currency), lines=priced)


def stored_cart(doc: Document, *, default_currency: str) -> PricedCart:
    """The cart as stored (CART_VIEW_STORED): snapshot prices, availability not judged."""
    lines = tuple(
        PricedLine(
            product_id=line["product_id"],
            name=line.get("name", ""),
            image_url=line.get("image_url", ""),
            quantity=line["quantity"],
            price_minor=line["price_minor"],
            current_price_minor=line["price_minor"],
            available=False,
            availability_warning="",
            added_at=line.get("added_at", ""),
        )
        for line in doc.get("lines") or []
    )
    return PricedCart(currency_code=cart_currency(doc, default_currency), lines=lines)
