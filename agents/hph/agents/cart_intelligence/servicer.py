"""CartIntelligenceService over gRPC: whose cart (the caller's, or anyone's for staff), read from
CartService with live stock from InventoryService, scored by the decision core (`risk`), and
cross-sell from the shared co-purchase projection (hph.agents.copurchases). AnalyzeCart answers
again from the agent's memory while the shopper's cart is unchanged (`assessments`).

Ownership is checked here, from the contract's owner_only/owner_override_role (hph.runtime.rpc
`require_owner`), before anything is read; the cart is then read as the platform with the user id
named, which is how a separate agent pod reads another service (docs/agents.md).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import grpc
from google.protobuf import duration_pb2

from holidaypeak.agents.v1 import agent_types_pb2, explanation_pb2
from holidaypeak.agents.v1 import cart_intelligence_service_pb2 as pb
from holidaypeak.agents.v1 import cart_intelligence_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import cart_pb2, cart_service_pb2, cart_service_pb2_grpc, inventory_item_pb2, product_pb2
from hph.agents.cart_intelligence import risk
from hph.agents.cart_intelligence.assessments import Assessments
from hph.agents.cart_intelligence.history import CONTAINER, GROUP, TOPIC, ShopperCheckouts
from hph.agents.cart_intelligence.history import SOURCE as HISTORY_SOURCE
from hph.agents.copurchases import CONTAINER as COPURCHASES_CONTAINER
from hph.agents.copurchases import SOURCE as COPURCHASES_SOURCE
from hph.agents.copurchases import Association, CoPurchases
from hph.agents.runtime import Driver, data_freshness, explanation, narrate_if_asked
from hph.commerce.clients import CatalogClient, InventoryClient
from hph.commerce.pricing.tables import ShippingTable, default_shipping_table
from hph.runtime import money
from hph.runtime.clock import Clock
from hph.runtime.deps import Dependencies
from hph.runtime.errors import DomainError, Violations
from hph.runtime.narrator import Narrator
from hph.runtime.rpc.call_context import require_owner, require_user_id
from hph.runtime.rpc.downstream import PlatformClient, refusal_from
from hph.runtime.server import ServiceBinding
from hph.runtime.storage import is_valid_id

log = logging.getLogger("hph.agents.cart_intelligence")

# What this agent keeps (the host creates them): its shopper checkouts and the shared co-purchases.
CONTAINERS = (CONTAINER, COPURCHASES_CONTAINER)
CART_SOURCE = "rpc:CartService.GetCart"
STOCK_SOURCE = "rpc:InventoryService.BatchGetAvailability"
CATALOG_SOURCE = "rpc:CatalogService.GetProduct"
SHIPPING_SOURCE = "table:shipping_rates"
CROSS_SELL_METHOD = "copurchase-rules-v1"
DEFAULT_LIMIT, MAX_LIMIT = 6, 24
# Associations asked beyond the limit, so archived products can be dropped without a short answer.
SPARE_SUGGESTIONS = 6
DEADLINE_SECONDS = 5.0

LEVEL_TO_PB = {
    risk.Level.LOW: agent_types_pb2.RISK_LEVEL_LOW,
    risk.Level.MEDIUM: agent_types_pb2.RISK_LEVEL_MEDIUM,
    risk.Level.HIGH: agent_types_pb2.RISK_LEVEL_HIGH,
}


class CartReader(PlatformClient):
    """The cart of a named user, priced now (snapshot and current prices, added_at), as the
    platform: the agent has already checked the caller may see it."""

    async def cart(
        self, user_id: str, view: cart_service_pb2.CartView = cart_service_pb2.CART_VIEW_FULL
    ) -> cart_pb2.Cart:
        """The cart re-priced against the catalog and stock (FULL), or as stored (STORED: no catalog
        or stock reads; enough for its etag)."""
        stub = self._channels.stub("cart", cart_service_pb2_grpc.CartServiceStub)
        try:
            cart: cart_pb2.Cart = await stub.GetCart(
                cart_service_pb2.GetCartRequest(user_id=user_id, view=view),
                timeout=DEADLINE_SECONDS,
                metadata=self._as_platform(),
            )
        except grpc.aio.AioRpcError as exc:
            raise refusal_from(exc, "cart") from None
        return cart


class CartIntelligenceServicer(pb_grpc.CartIntelligenceServiceServicer):
    def __init__(
        self,
        carts: CartReader,
        inventory: InventoryClient,
        catalog: CatalogClient,
        checkouts: ShopperCheckouts,
        copurchases: CoPurchases,
        shipping: ShippingTable,
        clock: Clock,
        narrator: Narrator | None = None,
        assessments: Assessments | None = None,
    ) -> None:
        self._assessments = assessments or Assessments(None)
        self._carts = carts
        self._inventory = inventory
        self._catalog = catalog
        self._checkouts = checkouts
        self._copurchases = copurchases
        self._shipping = shipping
        self._clock = clock
        self._narrator = narrator or Narrator.off()

    async def AnalyzeCart(self, request: pb.AnalyzeCartRequest, context: Any) -> pb.AnalyzeCartResponse:
        user_id = _target_user(request.user_id)
        if self._assessments.enabled:
            stored = await self._carts.cart(user_id, cart_service_pb2.CART_VIEW_STORED)
            remembered = await self._assessments.recall(user_id, stored.etag)
            if remembered is not None:
                await narrate_if_asked(self._narrator, remembered, context, subject="cart abandonment risk")
                return remembered
        response = await self._assess(user_id)
        await narrate_if_asked(self._narrator, response, context, subject="cart abandonment risk")
        return response

    async def _assess(self, user_id: str) -> pb.AnalyzeCartResponse:
        cart, history = await asyncio.gather(self._carts.cart(user_id), self._checkouts.history(user_id))
        now = self._clock()
        currency = cart.currency_code
        stock, stock_known = await self._stock([item.product_id for item in cart.items])
        lines = [_line(item, currency, stock.get(item.product_id), now) for item in cart.items]
        assessment = risk.assess(lines, currency, history, self._shipping_for(currency), now)
        sources = [CART_SOURCE, STOCK_SOURCE, HISTORY_SOURCE, SHIPPING_SOURCE] if lines else [CART_SOURCE]
        response = pb.AnalyzeCartResponse(
            user_id=user_id,
            abandonment_risk=assessment.risk,
            risk_level=LEVEL_TO_PB[assessment.level],
            lines=[_line_message(line, currency) for line in assessment.lines],
            actions=[
                agent_types_pb2.SuggestedAction(
                    code=action.code, description=action.description, priority=rank, target_id=action.target_id
                )
                for rank, action in enumerate(assessment.actions, start=1)
            ],
            cart_age=duration_pb2.Duration(seconds=int(assessment.cart_age_seconds)),
            explanation=explanation(
                assessment.summary,
                assessment.drivers,
                method=risk.METHOD,
                freshness=data_freshness(
                    now,
                    data_as_of=self._checkouts.data_as_of if lines else None,
                    sources=sources,
                    degraded=bool(lines) and not stock_known,
                ),
            ),
        )
        if stock_known:  # a degraded answer is not kept: the next ask tries inventory again
            await self._assessments.remember(user_id, cart.etag, response)
        return response

    async def CrossSell(self, request: pb.CrossSellRequest, context: Any) -> pb.CrossSellResponse:
        violations = Violations()
        violations.check(0 <= request.limit <= MAX_LIMIT, "limit", f"must be 0..{MAX_LIMIT}")
        violations.raise_if_any()
        user_id = _target_user(request.user_id)
        limit = request.limit or DEFAULT_LIMIT
        cart = await self._carts.cart(user_id)
        now = self._clock()
        in_cart = list(dict.fromkeys(item.product_id for item in cart.items))
        if not in_cart:
            return pb.CrossSellResponse(
                user_id=user_id,
                explanation=explanation(
                    "empty cart: nothing to go with",
                    method=CROSS_SELL_METHOD,
                    freshness=data_freshness(now, sources=[CART_SOURCE]),
                ),
            )
        rules, orders, data_as_of = await asyncio.gather(
            self._copurchases.frequently_bought_with(in_cart, exclude=in_cart, limit=limit + SPARE_SUGGESTIONS),
            self._copurchases.orders_counted(),
            self._copurchases.data_as_of(),
        )
        products, (stock, stock_known) = await asyncio.gather(
            self._catalog.products(rule.product_id for rule in rules),
            self._stock([rule.product_id for rule in rules]),
        )
        suggestions = [
            _suggestion(rule, products[rule.product_id], stock.get(rule.product_id))
            for rule in rules
            if rule.product_id in products and products[rule.product_id].status == product_pb2.PRODUCT_STATUS_ACTIVE
        ][:limit]
        summary = (
            f"{len(suggestions)} product(s) bought with the cart's {len(in_cart)} in {orders} orders"
            if suggestions
            else f"no product is bought with the cart's {len(in_cart)} often enough in {orders} orders"
        )
        response = pb.CrossSellResponse(
            user_id=user_id,
            products=suggestions,
            explanation=explanation(
                summary,
                [
                    Driver("orders_considered", orders, "orders placed and not cancelled", unit="orders"),
                    Driver("cart_products", len(in_cart), f"{len(in_cart)} product(s) in the cart, never suggested"),
                    *(s.drivers[0] for s in suggestions[:3]),
                ],
                method=CROSS_SELL_METHOD,
                freshness=data_freshness(
                    now,
                    data_as_of=data_as_of,
                    sources=[CART_SOURCE, COPURCHASES_SOURCE, CATALOG_SOURCE, STOCK_SOURCE],
                    degraded=bool(rules) and not stock_known,
                ),
            ),
        )
        await narrate_if_asked(self._narrator, response, context, subject="cart cross-sell")
        return response

    async def _stock(self, skus: Sequence[str]) -> tuple[Mapping[str, inventory_item_pb2.SkuAvailability], bool]:
        """Live availability by SKU, and whether inventory answered (the answer degrades without it)."""
        if not skus:
            return {}, True
        try:
            return await self._inventory.availability(skus), True
        except DomainError:
            log.warning("inventory did not answer; stock risk counted 0", exc_info=True)
            return {}, False

    def _shipping_for(self, currency: str) -> risk.Shipping:
        """Standard shipping to the default destination, as checkout estimates it before an address."""
        zone = self._shipping.zone_for(self._shipping.default_destination.country_code)
        if zone is None or not currency or not zone.ships_in(currency):
            return risk.Shipping(None, None)
        standard = next((rate for rate in zone.options if rate.option_id == "standard"), None)
        return risk.Shipping(
            standard.amount_minor[currency] if standard else None,
            zone.free_standard_threshold_minor.get(currency),
        )


def _target_user(requested: str) -> str:
    """The caller's own id, or the named user's when the caller may see their cart (staff)."""
    if not requested:
        return require_user_id()
    violations = Violations()
    violations.check(is_valid_id(requested), "user_id", "is not a user id")
    violations.raise_if_any()
    require_owner(requested, resource="cart")
    return requested


def _line(
    item: cart_pb2.CartItem, currency: str, stock: inventory_item_pb2.SkuAvailability | None, now: datetime
) -> risk.Line:
    added_at = item.added_at.ToDatetime(tzinfo=UTC) if item.HasField("added_at") else now
    return risk.Line(
        product_id=item.product_id,
        quantity=item.quantity,
        price_when_added_minor=money.to_minor(item.price, currency),
        current_price_minor=money.to_minor(item.current_price, currency),
        added_at=added_at,
        available=stock.quantity_available if stock is not None else None,
    )


def _money(minor: int, currency: str) -> agent_types_pb2.Money:
    return agent_types_pb2.Money(
        currency_code=currency, amount_minor=minor, amount=money.to_major(minor, currency) if currency else 0.0
    )


def _line_message(line: risk.LineRisk, currency: str) -> pb.CartLineInsight:
    return pb.CartLineInsight(
        product_id=line.line.product_id,
        quantity=line.line.quantity,
        price_when_added=_money(line.line.price_when_added_minor, currency),
        current_price=_money(line.line.current_price_minor, currency),
        quantity_available=line.line.available or 0,
        stock_risk=line.stock_risk,
        out_of_stock=line.out_of_stock,
    )


def _suggestion(
    rule: Association, product: product_pb2.Product, stock: inventory_item_pb2.SkuAvailability | None
) -> agent_types_pb2.ProductSuggestion:
    reason = (
        f"bought with {rule.antecedent} in {rule.co_occurrences} of {rule.orders_considered} orders "
        f"(confidence {rule.confidence:.2f}, lift {rule.lift:.1f})"
    )
    return agent_types_pb2.ProductSuggestion(
        product=agent_types_pb2.ProductRef(
            product_id=product.id,
            name=product.name,
            category_id=product.category_id,
            brand=product.brand,
            image_url=product.image_url,
            price=_money(money.to_minor(product.price, product.currency_code), product.currency_code),
            in_stock=stock.in_stock if stock is not None else product.in_stock,
        ),
        score=round(rule.confidence, 4),
        reason=reason,
        association=agent_types_pb2.ProductAssociation(
            co_occurrences=rule.co_occurrences,
            orders_considered=rule.orders_considered,
            support=rule.support,
            confidence=rule.confidence,
            lift=rule.lift,
        ),
        drivers=[
            explanation_pb2.Driver(
                name="confidence",
                value=rule.confidence,
                unit="ratio",
                reason=f"{product.id}: {reason}",
            ),
            explanation_pb2.Driver(name="lift", value=rule.lift, unit="ratio", reason=f"lift {rule.lift:.2f} (> 1)"),
        ],
    )


async def create_binding(deps: Dependencies) -> ServiceBinding:
    checkouts = ShopperCheckouts(await CONTAINER.open(deps.store))
    copurchases = await CoPurchases.open(deps.store)
    if deps.bus is not None:
        # Idempotent: one document per order, created once, its flags only ever set.
        deps.bus.subscribe(TOPIC, GROUP, checkouts.handle, idempotent=True)
    copurchases.follow(deps.bus)  # the shared group; product-detail-enrichment declares the same one
    servicer = CartIntelligenceServicer(
        CartReader(deps.channels, deps.service_credentials),
        InventoryClient(deps.channels, deps.service_credentials),
        CatalogClient(deps.channels),
        checkouts,
        copurchases,
        default_shipping_table(),
        deps.clock,
        deps.narrator,
        Assessments.of(deps),
    )
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["CartIntelligenceService"].full_name,
        add_to_server=lambda server: pb_grpc.add_CartIntelligenceServiceServicer_to_server(servicer, server),
    )
