"""Catalog rules, free of I/O: identifiers, field limits, search text, category tree walks."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping

from hph.commerce.identifiers import CATEGORY_ID as CATEGORY_ID  # one home, shared with the product agents
from hph.runtime import money, validation
from hph.runtime.errors import Violations

MAX_SEARCH_WORDS = 8
MAX_TAGS = 20
# Attribute names are keys shoppers never see raw but agents and feeds match on: one spelling each.
ATTRIBUTE_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_ATTRIBUTES = 30
MAX_ATTRIBUTE_VALUE = 200
ACTIVE, ARCHIVED = "active", "archived"


def new_product_id(request_id: str) -> str:
    """A generated SKU; derived from the idempotency key so a retried create lands on the same id."""
    seed = hashlib.sha256(request_id.encode()).hexdigest() if request_id else uuid.uuid4().hex
    return f"PRD-{seed[:12].upper()}"


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:64] or "category"


def normalize_tags(tags: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for tag in tags:
        cleaned = " ".join(tag.lower().split())
        if cleaned:
            seen.setdefault(cleaned, None)
    return list(seen)


def search_text(name: str, description: str, brand: str, tags: Iterable[str]) -> str:
    """Lower-cased text that search words are matched against."""
    return " ".join([name, brand, " ".join(tags), description]).lower()


def search_words(search: str) -> list[str]:
    return [w for w in search.lower().split() if w][:MAX_SEARCH_WORDS]


def check_search(violations: Violations, search: str) -> None:
    violations.check(len(search) <= 200, "search", "must be at most 200 characters")


def check_product_fields(
    violations: Violations,
    *,
    name: str | None = None,
    description: str | None = None,
    image_url: str | None = None,
    brand: str | None = None,
    tags: list[str] | None = None,
) -> None:
    """Checks whichever product fields are given (None = not being set)."""
    if name is not None:
        validation.text(violations, "name", name, required=True, max_length=200)
    if description is not None:
        validation.text(violations, "description", description, max_length=5000)
    if image_url is not None:
        validation.http_url(violations, "image_url", image_url)
    if brand is not None:
        validation.text(violations, "brand", brand, max_length=100)
    if tags is not None:
        violations.check(len(tags) <= MAX_TAGS, "tags", f"at most {MAX_TAGS} tags")
        for i, tag in enumerate(tags):
            validation.text(violations, f"tags[{i}]", tag, required=True, max_length=40)


def check_attributes(violations: Violations, attributes: Mapping[str, str], *, removals: bool) -> None:
    """Checks attribute names and values; with `removals`, an empty value (remove it) is allowed."""
    violations.check(len(attributes) <= MAX_ATTRIBUTES, "attributes", f"at most {MAX_ATTRIBUTES} attributes")
    for name, value in sorted(attributes.items()):
        field = f"attributes.{name}"
        if not ATTRIBUTE_NAME.fullmatch(name):
            violations.add(field, "name must be 1..40 of a-z, 0-9 and '_', starting with a letter")
            continue
        if value == "" and removals:
            continue
        validation.text(violations, field, value, required=True, max_length=MAX_ATTRIBUTE_VALUE)


def merged_attributes(current: Mapping[str, str], changes: Mapping[str, str]) -> dict[str, str]:
    """`current` with `changes` applied: a value sets its attribute, an empty value removes it."""
    merged = dict(current)
    for name, value in changes.items():
        if value.strip():
            merged[name] = value.strip()
        else:
            merged.pop(name, None)
    return dict(sorted(merged.items()))


def check_price(violations: Violations, price: float, currency_code: str) -> int | None:
    """Validates a price and returns it in minor units (None when invalid)."""
    if not violations.check(
        money.is_supported_currency(currency_code),
        "currency_code",
        "must be a supported ISO 4217 code such as USD",
    ):
        return None
    try:
        minor = money.to_minor(price, currency_code)
    except money.MoneyError as exc:
        violations.add("price", str(exc))
        return None
    return minor if violations.check(minor > 0, "price", "must be greater than 0") else None


def descendants(category_id: str, parents: Mapping[str, str]) -> set[str]:
    """The category and every category below it (parents maps child id -> parent id)."""
    children: dict[str, list[str]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    found, stack = {category_id}, [category_id]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def creates_cycle(category_id: str, new_parent_id: str, parents: Mapping[str, str]) -> bool:
    """True when making new_parent_id the parent of category_id would close a loop."""
    seen: set[str] = set()
    current = new_parent_id
    while current and current not in seen:
        if current == category_id:
            return True
        seen.add(current)
        current = parents.get(current, "")
    return False
