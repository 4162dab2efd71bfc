"""The people of a gRPC test: staff and admin callers, and shoppers with a saved address and card."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from holidaypeak.commerce.v1 import cart_service_pb2 as cart_pb
from holidaypeak.commerce.v1 import cart_service_pb2_grpc as cart_grpc
from holidaypeak.commerce.v1 import catalog_service_pb2 as catalog_pb
from holidaypeak.commerce.v1 import catalog_service_pb2_grpc as catalog_grpc
from holidaypeak.commerce.v1 import checkout_service_pb2_grpc as checkout_grpc
from holidaypeak.commerce.v1 import inventory_service_pb2 as inventory_pb
from holidaypeak.commerce.v1 import inventory_service_pb2_grpc as inventory_grpc
from holidaypeak.commerce.v1 import order_pb2
from holidaypeak.commerce.v1 import order_service_pb2 as orders_pb
from holidaypeak.commerce.v1 import order_service_pb2_grpc as orders_grpc
from holidaypeak.commerce.v1 import user_service_pb2 as users_pb
from holidaypeak.commerce.v1 import user_service_pb2_grpc as users_grpc
from tests.support.platform_harness import Hub
from tests.support.tokens import Metadata

# The card the offline payment provider always approves.
APPROVED_CARD = "pm_card_visa"

HOME: dict[str, Any] = {
    "name": "Ava Thompson",
    "line1": "1450 Market Street",
    "city": "San Francisco",
    "region": "CA",
    "postal_code": "94103",
    "country_code": "US",
}


def staff(hub: Hub, sub: str = "staff-sam") -> Metadata:
    return hub.auth("staff", sub)


def admin(hub: Hub) -> Metadata:
    return hub.auth("admin", "admin-ada")


@dataclass
class Shopper:
    """A customer of the hub and what they saved to check out with."""

    hub: Hub
    sub: str
    me: Metadata
    address_id: str = ""
    cards: dict[str, str] = field(default_factory=dict)  # provider token -> saved payment method id

    @property
    def card_id(self) -> str:
        """The first card saved ("" without one)."""
        return next(iter(self.cards.values()), "")

    @property
    def cart(self) -> cart_grpc.CartServiceStub:
        return cart_grpc.CartServiceStub(self.hub.channel)

    @property
    def checkout(self) -> checkout_grpc.CheckoutServiceStub:
        return checkout_grpc.CheckoutServiceStub(self.hub.channel)

    @property
    def orders(self) -> orders_grpc.OrderServiceStub:
        return orders_grpc.OrderServiceStub(self.hub.channel)

    async def add(self, sku: str, quantity: int) -> None:
        await self.cart.AddCartItem(cart_pb.AddCartItemRequest(product_id=sku, quantity=quantity), metadata=self.me)

    def order_request(self, key: str, **fields: object) -> orders_pb.CreateOrderRequest:
        """An order of the cart to the saved address, paid with the first card; `key` is its request id."""
        return orders_pb.CreateOrderRequest(
            shipping_address_id=self.address_id,
            payment_method_id=self.card_id,
            request_id=key,
            **fields,  # type: ignore[arg-type]
        )

    async def place(self, key: str, **fields: object) -> order_pb2.Order:
        placed: order_pb2.Order = await self.orders.CreateOrder(self.order_request(key, **fields), metadata=self.me)
        return placed


async def a_shopper(
    hub: Hub,
    sub: str,
    *,
    cards: Sequence[str] = (APPROVED_CARD,),
    address: dict[str, Any] | None = HOME,
    register: bool = True,
) -> Shopper:
    """A customer `sub`, registered unless told not to, with `address` (none if None) and `cards`
    (provider tokens, in order) saved."""
    shopper = Shopper(hub, sub, hub.auth("customer", sub))
    users = users_grpc.UserServiceStub(hub.channel)
    if register:
        await users.Register(users_pb.RegisterRequest(name=f"Shopper {sub}"), metadata=shopper.me)
    if address is not None:
        shopper.address_id = (
            await users.CreateAddress(users_pb.CreateAddressRequest(**address), metadata=shopper.me)
        ).id
    for token in cards:
        method = await users.CreatePaymentMethod(users_pb.CreatePaymentMethodRequest(token=token), metadata=shopper.me)
        shopper.cards[token] = method.id
    return shopper


async def stock_up(hub: Hub, skus: list[str], on_hand: int, reason: str = "test stock") -> None:
    """Sets each SKU's units on hand (as staff do), so tests never run short."""
    inventory = inventory_grpc.InventoryServiceStub(hub.channel)
    for sku in skus:
        await inventory.UpdateInventoryItem(
            inventory_pb.UpdateInventoryItemRequest(sku=sku, quantity_on_hand=on_hand, reason=reason),
            metadata=staff(hub),
        )


async def stocked_products(hub: Hub, count: int, on_hand: int = 10_000) -> list[str]:
    """The first `count` listed products, each with `on_hand` units."""
    page = await catalog_grpc.CatalogServiceStub(hub.channel).ListProducts(catalog_pb.ListProductsRequest(limit=count))
    skus = [str(p.id) for p in page.products[:count]]
    await stock_up(hub, skus, on_hand)
    return skus
