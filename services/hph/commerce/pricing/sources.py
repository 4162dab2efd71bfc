"""Collects what `rules.assess` needs from the services that own it: the cart, the catalog's current
products, stock availability, and the shopper's saved address and payment method.

Independent reads run concurrently (cart, address and payment method first; then products and
stock, which need the cart's SKUs). Checkout and orders both gather through here, so a validated
estimate and the order it becomes are priced from the same inputs.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from holidaypeak.commerce.v1 import address_pb2, cart_pb2, payment_method_pb2, product_pb2
from holidaypeak.common.v1 import postal_address_pb2
from hph.commerce.clients import CartClient, CatalogClient, InventoryClient, UserDirectory
from hph.commerce.pricing import rules
from hph.commerce.pricing.tables import Destination
from hph.runtime import money, validation
from hph.runtime.clock import Clock
from hph.runtime.deps import Dependencies
from hph.runtime.errors import Violations

ON_BEHALF = "saved {what} of another user cannot be checked on their behalf"
ID_MAX = 64
OPTION_MAX = 32


@dataclass(frozen=True)
class Gathered:
    cart: cart_pb2.Cart
    checkout: rules.CheckoutInput
    # The saved address the checkout ships to, when one was found.
    address: address_pb2.Address | None


@dataclass(frozen=True)
class GatherRequest:
    # Whose cart: "" for the caller's own; a user id when staff act for someone else.
    user_id: str = ""
    # "" means the default address / payment method.
    address_id: str = ""
    payment_method_id: str = ""
    shipping_option: str = ""
    check_payment: bool = True
    check_stock: bool = True
    strict: bool = False


def check_request_fields(
    violations: Violations, *, address_id: str = "", payment_method_id: str = "", shipping_option: str = ""
) -> None:
    """Shape checks only; whether the ids exist is a checkout issue, not a malformed request."""
    validation.text(violations, "shipping_address_id", address_id, max_length=ID_MAX)
    validation.text(violations, "payment_method_id", payment_method_id, max_length=ID_MAX)
    validation.text(violations, "shipping_option", shipping_option, max_length=OPTION_MAX)


class CheckoutSources:
    def __init__(
        self,
        cart: CartClient,
        users: UserDirectory,
        catalog: CatalogClient,
        inventory: InventoryClient,
        *,
        clock: Clock,
        default_currency: str,
    ) -> None:
        self._cart = cart
        self._users = users
        self._catalog = catalog
        self._inventory = inventory
        self._clock = clock
        self._default_currency = default_currency

    async def gather(self, request: GatherRequest) -> Gathered:
        now = self._clock()
        on_behalf = bool(request.user_id)
        cart, (address_check, address), payment_check = await asyncio.gather(
            self._cart.get(request.user_id),
            self._address(request.address_id, on_behalf),
            self._payment(request.payment_method_id, on_behalf, now) if request.check_payment else _none(),
        )
        skus = [item.product_id for item in cart.items]
        products, stock = await asyncio.gather(
            self._catalog.products(skus),
            self._inventory.availability(skus) if request.check_stock and skus else _none(),
        )
        currency = cart.currency_code or self._default_currency
        checkout = rules.CheckoutInput(
            lines=[_cart_line(item, currency) for item in cart.items],
            currency_code=currency,
            products={pid: _product(product) for pid, product in products.items()},
            stock=None
            if stock is None
            else {sku: rules.Stock(a.quantity_available, a.low_stock) for sku, a in stock.items()},
            address=address_check,
            payment=payment_check,
            shipping_option=request.shipping_option,
            strict=request.strict,
            now=now,
        )
        return Gathered(cart=cart, checkout=checkout, address=address)

    async def _address(self, address_id: str, on_behalf: bool) -> tuple[rules.AddressCheck, address_pb2.Address | None]:
        if on_behalf:
            if address_id:
                return rules.AddressCheck.invalid(ON_BEHALF.format(what="addresses")), None
            return rules.AddressCheck.none_given(), None
        if address_id:
            address = await self._users.address(address_id)
            if address is None:
                return rules.AddressCheck.invalid(f"Address {address_id!r} is not one of your saved addresses."), None
        else:
            address = await self._users.default_address()
            if address is None:
                return rules.AddressCheck.none_given(), None
        return rules.AddressCheck.found(destination_of(address)), address

    async def _payment(self, payment_method_id: str, on_behalf: bool, now: datetime) -> rules.PaymentCheck:
        if on_behalf:
            if payment_method_id:
                return rules.PaymentCheck.invalid(ON_BEHALF.format(what="payment methods"))
            return rules.PaymentCheck.none_given()
        if payment_method_id:
            method = await self._users.payment_method(payment_method_id)
            if method is None:
                return rules.PaymentCheck.invalid(
                    f"Payment method {payment_method_id!r} is not one of your saved payment methods."
                )
        else:
            method = await self._users.default_payment_method()
            if method is None:
                return rules.PaymentCheck.none_given()
        return _usable(method, now)


def checkout_sources(deps: Dependencies) -> CheckoutSources:
    return CheckoutSources(
        CartClient(deps.channels),
        UserDirectory(deps.channels),
        CatalogClient(deps.channels),
        InventoryClient(deps.channels, deps.service_credentials),
        clock=deps.clock,
        default_currency=deps.settings.default_currency,
    )


def postal_address(address: address_pb2.Address) -> postal_address_pb2.PostalAddress:
    return postal_address_pb2.PostalAddress(
        name=address.name,
        line1=address.line1,
        line2=address.line2,
        city=address.city,
        region=address.region,
        postal_code=address.postal_code,
        country_code=address.country_code,
        phone=address.phone,
    )


def destination_of(address: address_pb2.Address) -> Destination:
    return Destination(country_code=address.country_code, region=address.region, postal_code=address.postal_code)


def _usable(method: payment_method_pb2.PaymentMethod, now: datetime) -> rules.PaymentCheck:
    if method.exp_year and rules.card_expired(method.exp_month, method.exp_year, now):
        card = f"{method.brand or 'card'} ending in {method.last4}"
        return rules.PaymentCheck.invalid(f"The {card} expired in {method.exp_month:02d}/{method.exp_year}.")
    return rules.PaymentCheck.usable()


def _cart_line(item: cart_pb2.CartItem, currency: str) -> rules.CartLine:
    try:
        added: int | None = money.to_minor(item.price, currency)
    except money.MoneyError:
        added = None  # a snapshot we cannot read exactly is not compared
    return rules.CartLine(product_id=item.product_id, quantity=item.quantity, added_price_minor=added)


def _product(product: product_pb2.Product) -> rules.Product:
    return rules.Product(
        product_id=product.id,
        name=product.name,
        price_minor=money.to_minor(product.price, product.currency_code),
        currency_code=product.currency_code,
        active=product.status == product_pb2.PRODUCT_STATUS_ACTIVE,
        image_url=product.image_url,
        category_id=product.category_id,
    )


async def _none() -> None:
    return None
