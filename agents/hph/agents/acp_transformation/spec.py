"""The Agentic Commerce Protocol product feed item: how a catalog product and its stock become one,
and what the published spec requires of it (pure; no I/O).

The flat product feed spec (one row per item) requires: the eligibility flags is_eligible_search and
is_eligible_checkout (checkout only with search), item_id (at most 100 characters, stable), title
(at most 150), description (at most 5,000, plain text), url, brand (at most 70), product_category (a
">"-separated path), image_url, price (a number with its ISO 4217 currency), availability
(in_stock, out_of_stock or preorder), inventory_quantity (a non-negative integer), seller_name (at
most 70), seller_url, return_policy (a URL), return_window (positive whole days), store_country and
target_countries (ISO 3166-1 alpha-2). A missing or malformed required field keeps the item out of
the feed (an error); a weak value that the spec allows (an out-of-stock item offered for checkout,
a title in capitals) is a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hph.runtime.money import exponent, is_supported_currency

SPEC_VERSION = "acp-product-feed-2025-09"
METHOD = "acp-feed-v1"

IN_STOCK, OUT_OF_STOCK, PREORDER = "in_stock", "out_of_stock", "preorder"
ERROR, WARNING = "error", "warning"

MAX_ITEM_ID, MAX_TITLE, MAX_DESCRIPTION, MAX_BRAND, MAX_SELLER_NAME = 100, 150, 5_000, 70, 70
CATEGORY_SEPARATOR = " > "
_URL = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$", re.IGNORECASE)
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_MARKUP = re.compile(r"<[a-zA-Z/][^>]*>")


@dataclass(frozen=True)
class Seller:
    """Who sells and on which terms: the same for every item of the store's feed."""

    name: str
    url: str
    return_policy: str
    return_window_days: int
    store_country: str
    target_countries: tuple[str, ...]

    def product_url(self, product_id: str) -> str:
        return f"{self.url.rstrip('/')}/products/{product_id}" if self.url else ""


@dataclass(frozen=True)
class Product:
    """The approved catalog values a feed item is made from (the catalog holds only approved ones)."""

    product_id: str
    title: str
    description: str
    brand: str
    category_path: str
    image_url: str
    price_minor: int
    currency_code: str
    active: bool


@dataclass(frozen=True)
class Stock:
    """Live stock of the item: units that can be ordered now, and whether the SKU takes orders
    before it is back in stock (the reservation policy's backorder terms)."""

    available: int
    preorder: bool = False


@dataclass(frozen=True)
class Issue:
    field: str
    reason: str
    severity: str  # ERROR keeps the item out of the feed; WARNING does not


@dataclass(frozen=True)
class FeedItem:
    item_id: str
    title: str
    description: str
    url: str
    brand: str
    product_category: str
    image_url: str
    price_minor: int
    currency_code: str
    availability: str
    inventory_quantity: int
    is_eligible_search: bool
    is_eligible_checkout: bool
    seller: Seller


@dataclass(frozen=True)
class Entry:
    item: FeedItem
    issues: tuple[Issue, ...] = field(default=())

    @property
    def valid(self) -> bool:
        return not any(issue.severity == ERROR for issue in self.issues)


def availability(stock: Stock | None) -> str:
    """The spec's availability of live stock: units to order now -> in_stock; none but preorder
    terms -> preorder; none -> out_of_stock (also without any stock record)."""
    if stock is not None and stock.available > 0:
        return IN_STOCK
    if stock is not None and stock.preorder:
        return PREORDER
    return OUT_OF_STOCK


def to_item(product: Product, stock: Stock | None, seller: Seller) -> FeedItem:
    """The feed item of `product` with its live stock. An archived product is not eligible for
    search or checkout; only an item in stock is eligible for checkout (the platform's checkout
    holds units it has, so a preorder is taken through the store, not an agent's checkout)."""
    state = availability(stock)
    searchable = product.active
    return FeedItem(
        item_id=product.product_id,
        title=product.title.strip(),
        description=product.description.strip(),
        url=seller.product_url(product.product_id),
        brand=product.brand.strip(),
        product_category=product.category_path,
        image_url=product.image_url.strip(),
        price_minor=product.price_minor,
        currency_code=product.currency_code,
        availability=state,
        inventory_quantity=max(stock.available, 0) if stock is not None else 0,
        is_eligible_search=searchable,
        is_eligible_checkout=searchable and state == IN_STOCK,
        seller=seller,
    )


def validate(item: FeedItem) -> tuple[Issue, ...]:
    """Every reason the item fails (ERROR) or weakens (WARNING) the feed, in field order."""
    issues: list[Issue] = []

    def error(name: str, reason: str) -> None:
        issues.append(Issue(name, reason, ERROR))

    def warn(name: str, reason: str) -> None:
        issues.append(Issue(name, reason, WARNING))

    def text(name: str, value: str, limit: int) -> None:
        if not value:
            error(name, "required, empty")
        elif len(value) > limit:
            error(name, f"{name} longer than {limit:,} characters ({len(value):,})")

    def url(name: str, value: str) -> None:
        if not value:
            error(name, "required, empty")
        elif not _URL.match(value):
            error(name, "not an absolute http(s) URL")

    if item.is_eligible_checkout and not item.is_eligible_search:
        error("is_eligible_checkout", "checkout requires is_eligible_search")
    if not item.is_eligible_search:
        warn("is_eligible_search", "false: the item is not surfaced (archived product)")
    text("item_id", item.item_id, MAX_ITEM_ID)
    text("title", item.title, MAX_TITLE)
    if item.title and item.title.isupper() and len(item.title) > 3:
        warn("title", "all capitals")
    text("description", item.description, MAX_DESCRIPTION)
    if _MARKUP.search(item.description):
        error("description", "not plain text (HTML markup)")
    url("url", item.url)
    text("brand", item.brand, MAX_BRAND)
    if not item.product_category:
        error("product_category", "required, empty")
    url("image_url", item.image_url)
    if not is_supported_currency(item.currency_code):
        error("price", f"currency {item.currency_code!r} is not an ISO 4217 code the platform knows")
    elif item.price_minor <= 0:
        error("price", "not positive")
    if item.availability not in (IN_STOCK, OUT_OF_STOCK, PREORDER):
        error("availability", "required, empty")
    if item.inventory_quantity < 0:
        error("inventory_quantity", "negative")
    if item.availability == OUT_OF_STOCK and item.is_eligible_search:
        warn("availability", "out of stock: searchable but not purchasable")
    text("seller_name", item.seller.name, MAX_SELLER_NAME)
    url("seller_url", item.seller.url)
    url("return_policy", item.seller.return_policy)
    if item.seller.return_window_days <= 0:
        error("return_window", "not a positive number of days")
    if not _COUNTRY.match(item.seller.store_country):
        error("store_country", "not an ISO 3166-1 alpha-2 code")
    if not item.seller.target_countries:
        error("target_countries", "required, empty")
    for country in item.seller.target_countries:
        if not _COUNTRY.match(country):
            error("target_countries", f"{country!r} is not an ISO 3166-1 alpha-2 code")
    return tuple(issues)


def entry(product: Product, stock: Stock | None, seller: Seller) -> Entry:
    item = to_item(product, stock, seller)
    return Entry(item, validate(item))


def price_text(minor: int, currency_code: str) -> str:
    """The spec's price form: the amount with its currency ("79.99 USD")."""
    places = exponent(currency_code) if is_supported_currency(currency_code) else 2
    amount = Decimal(minor).scaleb(-places)
    return f"{amount:.{places}f} {currency_code}"


def spec_row(item: FeedItem) -> dict[str, Any]:
    """The item as one line of a JSON Lines feed file, in the spec's field names and value forms."""
    return {
        "item_id": item.item_id,
        "title": item.title,
        "description": item.description,
        "url": item.url,
        "brand": item.brand,
        "product_category": item.product_category,
        "image_url": item.image_url,
        "price": price_text(item.price_minor, item.currency_code),
        "availability": item.availability,
        "inventory_quantity": item.inventory_quantity,
        "is_eligible_search": item.is_eligible_search,
        "is_eligible_checkout": item.is_eligible_checkout,
        "seller_name": item.seller.name,
        "seller_url": item.seller.url,
        "return_policy": item.seller.return_policy,
        "return_window": item.seller.return_window_days,
        "store_country": item.seller.store_country,
        "target_countries": list(item.seller.target_countries),
    }
