"""CartService over gRPC: one document per cart in the `carts` container (partition key /id, id = the
owner's user id), changed by etag compare-and-swap; every answer is re-priced from the catalog and
re-checked against inventory (see `rules` for the document and the pricing rules).

A cart never written reads as an empty cart. Changes to one cart are serialised per process (a lock
per cart, so concurrent adds queue instead of racing) and across processes by the etag.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from holidaypeak.commerce.v1 import cart_pb2
from holidaypeak.commerce.v1 import cart_service_pb2 as pb
from holidaypeak.commerce.v1 import cart_service_pb2_grpc as pb_grpc
from hph.commerce import identifiers
from hph.runtime import clock as clocks
from hph.runtime import money, validation
from hph.runtime.commit import Done, Write, commit, stored
from hph.runtime.deps import Dependencies
from hph.runtime.errors import Aborted, Violations
from hph.runtime.rpc.call_context import idempotency_key, require_owner, require_user_id
from hph.runtime.server import ServiceBinding
from hph.runtime.storage import Container, ContainerSpec, CreateOp, Document, NotFoundError, ReplaceOp, is_valid_id
from hph.services.cart import rules
from hph.services.cart.clients import CatalogLookup, InventoryLookup
from hph.services.cart.rules import ProductAnswer, ProductInfo, StockInfo

CARTS = "carts"
# What this service keeps (the host creates it).
CONTAINERS = (ContainerSpec(CARTS, "/id"),)

Change = Callable[[Document], Document | None]


@dataclass(frozen=True)
class Lookups:
    """Catalog and inventory answers already fetched during a call, reused for its response."""

    products: Mapping[str, ProductAnswer]
    stock: Mapping[str, StockInfo] | None  # None: inventory could not answer
    skus: frozenset[str]

    def stock_of(self, sku: str) -> StockInfo | None:
        return None if self.stock is None else self.stock.get(sku)


class CartLocks:
    """One asyncio lock per cart, alive only while someone holds or awaits it."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def __call__(self, user_id: str) -> asyncio.Lock:
        lock = self._locks.get(user_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[user_id] = lock
        return lock


def cart_message(user_id: str, doc: Document, priced: rules.PricedCart) -> cart_pb2.Cart:
    currency = priced.currency_code

    def major(minor: int) -> float:
        return money.to_major(minor, currency)

    return cart_pb2.Cart(
        user_id=user_id,
        items=[
            cart_pb2.CartItem(
                product_id=line.product_id,
                name=line.name,
                quantity=line.quantity,
                price=major(line.price_minor),
                current_price=major(line.current_price_minor),
                price_changed=line.price_changed,
                available=line.available,
                availability_warning=line.availability_warning,
                line_total=major(line.line_total_minor),
                image_url=line.image_url,
                added_at=clocks.to_timestamp(line.added_at),
            )
            for line in priced.lines
        ],
        subtotal=major(priced.subtotal_minor),
        total=major(priced.total_minor),
        currency_code=currency,
        item_count=priced.item_count,
        updated_at=clocks.to_timestamp(doc.get("updated_at")),
        etag=doc.get("_etag", ""),
    )


def _skus(doc: Document) -> list[str]:
    return [line["product_id"] for line in doc.get("lines") or []]


class CartServicer(pb_grpc.CartServiceServicer):
    def __init__(
        self, deps: Dependencies, carts: Container, catalog: CatalogLookup, inventory: InventoryLookup
    ) -> None:
        self._deps = deps
        self._carts = carts
        self._catalog = catalog
        self._inventory = inventory
        self._locks = CartLocks()

    async def GetCart(self, request: pb.GetCartRequest, context: Any) -> cart_pb2.Cart:
        user_id = self._target_user(request.user_id)
        doc = await self._read(user_id) or rules.new_cart(user_id)
        if request.view == pb.CART_VIEW_STORED:
            # No catalog or stock reads: the lines as stored, at their snapshot prices.
            return cart_message(
                user_id, doc, rules.stored_cart(doc, default_currency=self._deps.settings.default_currency)
            )
        return await self._respond(user_id, doc)

    async def AddCartItem(self, request: pb.AddCartItemRequest, context: Any) -> cart_pb2.Cart:
        violations = Violations()
        identifiers.check_product_id(violations, request.product_id)
        rules.check_quantity(violations, request.quantity, minimum=1)
        key = idempotency_key(request.request_id)
        validation.request_id(violations, key)
        violations.raise_if_any()
        user_id = require_user_id()
        request_fingerprint = rules.fingerprint("add", request.product_id, request.quantity)

        before = await self._read(user_id) or rules.new_cart(user_id)
        if rules.was_applied(before, key, request_fingerprint):
            return await self._respond(user_id, before)  # a retry: answered even if the product changed since
        product = await self._catalog.product(request.product_id)
        rules.require_purchasable(product)
        now = clocks.to_iso(self._deps.clock())
        # Refuse early (over 99, full cart, other currency) before asking inventory; re-checked on write.
        rules.add_line(before, product, request.quantity, now)
        lookups = await self._lookup([*_skus(before), product.product_id], known=product)
        rules.require_in_stock(product.product_id, lookups.stock_of(product.product_id))

        doc = await self._change(
            user_id,
            lambda cart: rules.add_line(cart, product, request.quantity, now),
            key=key,
            request_fingerprint=request_fingerprint,
        )
        return await self._respond(user_id, doc, lookups)

    async def UpdateCartItem(self, request: pb.UpdateCartItemRequest, context: Any) -> cart_pb2.Cart:
        violations = Violations()
        identifiers.check_product_id(violations, request.product_id)
        rules.check_quantity(violations, request.quantity, minimum=0)
        rules.check_etag(violations, request.etag)
        key = idempotency_key(request.request_id)
        validation.request_id(violations, key)
        violations.raise_if_any()
        user_id = require_user_id()
        doc = await self._change(
            user_id,
            lambda cart: rules.set_quantity(cart, request.product_id, request.quantity),
            key=key,
            request_fingerprint=rules.fingerprint("update", request.product_id, request.quantity, request.etag),
            etag=request.etag,
        )
        return await self._respond(user_id, doc)

    async def RemoveCartItem(self, request: pb.RemoveCartItemRequest, context: Any) -> cart_pb2.Cart:
        violations = Violations()
        identifiers.check_product_id(violations, request.product_id)
        rules.check_etag(violations, request.etag)
        key = idempotency_key(request.request_id)
        validation.request_id(violations, key)
        violations.raise_if_any()
        user_id = require_user_id()
        doc = await self._change(
            user_id,
            lambda cart: rules.remove_line(cart, request.product_id),
            key=key,
            request_fingerprint=rules.fingerprint("remove", request.product_id, request.etag),
            etag=request.etag,
        )
        return await self._respond(user_id, doc)

    async def ClearCart(self, request: pb.ClearCartRequest, context: Any) -> cart_pb2.Cart:
        violations = Violations()
        rules.check_etag(violations, request.etag)
        key = idempotency_key(request.request_id)
        validation.request_id(violations, key)
        violations.raise_if_any()
        user_id = self._target_user(request.user_id)
        doc = await self._change(
            user_id,
            rules.clear_lines,
            key=key,
            request_fingerprint=rules.fingerprint("clear", request.etag),
            etag=request.etag,
        )
        return await self._respond(user_id, doc)

    # --- helpers --------------------------------------------------------------------------

    def _target_user(self, requested: str) -> str:
        """Whose cart a Get/Clear is about: the caller's, or a named user's for staff (and the
        platform's own identity, e.g. orders clearing a cart after an order)."""
        if not requested:
            return require_user_id()
        violations = Violations()
        violations.check(is_valid_id(requested), "user_id", "is not a user id")
        violations.raise_if_any()
        require_owner(requested, resource="cart")
        return requested

    async def _read(self, user_id: str) -> Document | None:
        try:
            return await self._carts.read(user_id, user_id)
        except NotFoundError:
            return None

    async def _change(
        self, user_id: str, change: Change, *, key: str, request_fingerprint: str, etag: str = ""
    ) -> Document:
        """Applies `change` to the stored cart (creating it on first write) with etag CAS; a change
        already applied under the same idempotency key is not applied again."""

        def apply(doc: Document) -> Document | None:
            if rules.was_applied(doc, key, request_fingerprint):
                return None
            changed = change(doc)
            if changed is None:
                return None
            changed = rules.remember_request(changed, key, request_fingerprint)
            changed["updated_at"] = clocks.to_iso(self._deps.clock())
            return changed

        async def plan(attempt: int) -> Write[Document] | Done[Document]:
            current = await self._read(user_id)
            if current is not None:
                if rules.was_applied(current, key, request_fingerprint):
                    return Done(current)  # a retry: answer the cart as it is, whatever its etag now
                if etag and current.get("_etag") != etag:
                    raise Aborted(f"cart {user_id!r} changed since etag {etag!r}; read it again")
                changed = apply(dict(current))
                if changed is None:
                    return Done(current)
                return Write([ReplaceOp(changed, if_match=current["_etag"])], stored(0))
            if etag:
                raise Aborted(f"the cart changed since etag {etag!r}; read it again")
            fresh = rules.new_cart(user_id)
            created = apply(fresh)
            if created is None:
                return Done(fresh)  # nothing to store: the cart stays unwritten (and empty)
            # Another process writing the first version fails the create: apply on top of theirs.
            return Write([CreateOp(created)], stored(0))

        busy = "the cart is being changed by others; retry"
        pinned = f"cart {user_id!r} changed meanwhile; read it again" if etag else ""
        async with self._locks(user_id):
            return await commit(self._carts, user_id, plan, busy=busy, pinned=pinned)

    async def _lookup(self, skus: list[str], *, known: ProductInfo | None = None) -> Lookups:
        """Asks the catalog (each product not already known) and inventory (one call) concurrently."""
        wanted = list(dict.fromkeys(skus))
        to_ask = [sku for sku in wanted if known is None or sku != known.product_id]
        products, stock = await asyncio.gather(self._catalog.products(to_ask), self._inventory.availability(wanted))
        if known is not None:
            products[known.product_id] = known
        return Lookups(products=products, stock=stock, skus=frozenset(wanted))

    async def _respond(self, user_id: str, doc: Document, lookups: Lookups | None = None) -> cart_pb2.Cart:
        skus = _skus(doc)
        if skus and (lookups is None or not lookups.skus.issuperset(skus)):
            lookups = await self._lookup(skus)  # lines appeared meanwhile (or nothing was fetched yet)
        priced = rules.price_cart(
            doc,
            lookups.products if lookups else {},
            lookups.stock if lookups else {},
            default_currency=self._deps.settings.default_currency,
        )
        return cart_message(user_id, doc, priced)


async def create_binding(deps: Dependencies) -> ServiceBinding:
    carts = await deps.store.container(CARTS, "/id")
    servicer = CartServicer(deps, carts, CatalogLookup(deps.channels), InventoryLookup(deps.channels))
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["CartService"].full_name,
        add_to_server=lambda server: pb_grpc.add_CartServiceServicer_to_server(servicer, server),
    )
