"""The feed projection's document per product and its merges (pure; no I/O).

A document holds two parts, each with the version it was taken at:

- `product`: the approved catalog values (name, description, brand, category, price, image, active),
  from ProductCreated/ProductUpdated snapshots, or from the catalog itself; `archived_at`: the
  newest ProductArchived (it withdraws the product unless a newer snapshot puts it back);
- `stock`: units on hand and available, from the level every inventory event carries, or from
  inventory itself.

A version is `[when, sequence]`: an event's occurred_at (RFC 3339, UTC) and its sequence in its
partition (a product's or SKU's events share one partition, so ties in time keep the log's order);
a read from a service counts as the record's updated_at with sequence -1, so the event of the same
change, applied later, wins without changing anything. A part is replaced only by a newer version,
so any order of delivery, a redelivery, a replay of the whole group and a backfill from the services
all end in the same document.
"""

from __future__ import annotations

import copy
from typing import Any

KIND = "acp-item"
PRODUCT_FIELDS = ("name", "description", "brand", "category_id", "price_minor", "currency_code", "image_url")
Version = list[Any]  # [when (RFC 3339), sequence]
Doc = dict[str, Any]


def empty(product_id: str) -> Doc:
    return {"id": product_id, "item_id": product_id, "kind": KIND, "product": None, "stock": None}


def newer(candidate: Version, current: Version | None) -> bool:
    return current is None or (str(candidate[0]), int(candidate[1])) > (str(current[0]), int(current[1]))


def with_product(doc: Doc, values: dict[str, Any], version: Version) -> Doc | None:
    """`doc` with this snapshot of the product (all of PRODUCT_FIELDS and `active`); None when the
    document already holds a version at least as new."""
    if not newer(version, doc.get("product_at")):
        return None
    merged = copy.deepcopy(doc)
    merged["product"] = {name: values[name] for name in (*PRODUCT_FIELDS, "active")}
    merged["product_at"] = list(version)
    return merged


def archived(doc: Doc, version: Version) -> Doc | None:
    """`doc` with its product withdrawn from sale at `version`; None when it already knows a
    withdrawal at least as new. Kept apart from the values (ProductArchived carries none), so it
    counts only against a snapshot older than it, in whichever order the two arrive."""
    if not newer(version, doc.get("archived_at")):
        return None
    merged = copy.deepcopy(doc)
    merged["archived_at"] = list(version)
    return merged


def active(doc: Doc) -> bool:
    """Whether the product is for sale: its newest snapshot says so and no newer withdrawal."""
    product = doc.get("product") or {}
    withdrawn = doc.get("archived_at")
    if withdrawn is not None and newer(withdrawn, doc.get("product_at")):
        return False
    return bool(product.get("active", True))


def with_stock(doc: Doc, on_hand: int, available: int, version: Version) -> Doc | None:
    """`doc` with this stock level; None when the document already holds one at least as new."""
    if not newer(version, doc.get("stock_at")):
        return None
    merged = copy.deepcopy(doc)
    merged["stock"] = {"on_hand": int(on_hand), "available": max(int(available), 0)}
    merged["stock_at"] = list(version)
    return merged


def complete(doc: Doc) -> bool:
    """Whether the document holds a product to make an item of (stock may still be unknown)."""
    product = doc.get("product")
    return isinstance(product, dict) and all(name in product for name in PRODUCT_FIELDS)


def data_as_of(doc: Doc) -> str:
    """The newest change the document reflects (RFC 3339), or "" for none."""
    return max((str(doc[key][0]) for key in ("product_at", "stock_at", "archived_at") if doc.get(key)), default="")
