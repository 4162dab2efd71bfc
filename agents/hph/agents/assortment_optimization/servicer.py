"""AssortmentOptimizationService over gRPC: checks the request, reads the catalog's active products
and categories, live stock, review ratings (as the platform) and the stock signals projection's
daily demand, scores every product with the decision core and answers the chosen assortment."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc

from holidaypeak.agents.v1 import agent_types_pb2
from holidaypeak.agents.v1 import assortment_optimization_service_pb2 as pb
from holidaypeak.agents.v1 import assortment_optimization_service_pb2_grpc as pb_grpc
from hph.agents.assortment_optimization import core, knapsack
from hph.agents.catalog_search.sources import ServiceReader, ServiceState, category_info, category_path
from hph.agents.inventory_signals.projection import CONTAINER as SIGNALS_CONTAINER
from hph.agents.inventory_signals.projection import SOURCE as SIGNALS_SOURCE
from hph.agents.inventory_signals.projection import StockSignals
from hph.agents.inventory_signals.supply import Supply, default_supply
from hph.agents.runtime import Driver, data_freshness, explanation, narrate_if_asked
from hph.commerce.clients import InventoryClient
from hph.runtime import validation
from hph.runtime.clock import Clock, from_iso
from hph.runtime.deps import Dependencies
from hph.runtime.errors import InvalidArgument, NotFound, Violations
from hph.runtime.money import MAX_MINOR_UNITS, MoneyError, to_major, to_minor
from hph.runtime.narrator import Narrator
from hph.runtime.rpc.downstream import refusal_from
from hph.runtime.server import ServiceBinding

CONTAINERS = (SIGNALS_CONTAINER,)
DEFAULT_WINDOW_DAYS, MAX_WINDOW_DAYS = 90, 365
DEFAULT_PROMOTE_SHARE = 0.1
ACTION_TO_PB = {
    core.KEEP: pb.ASSORTMENT_ACTION_KEEP,
    core.DROP: pb.ASSORTMENT_ACTION_DROP,
    core.PROMOTE: pb.ASSORTMENT_ACTION_PROMOTE,
}
SOURCES = (
    "rpc:CatalogService.ListProducts",
    "rpc:CatalogService.ListCategories",
    "rpc:InventoryService.ListInventoryItems",
    "rpc:ReviewService.ListReviews",
    SIGNALS_SOURCE,
    "file:supply.json",
)


class AssortmentServicer(pb_grpc.AssortmentOptimizationServiceServicer):
    def __init__(
        self,
        reader: ServiceReader,
        inventory: InventoryClient,
        signals: StockSignals,
        clock: Clock,
        *,
        currency: str = "USD",
        supply: Supply | None = None,
        narrator: Narrator | None = None,
    ) -> None:
        self._reader = reader
        self._inventory = inventory
        self._signals = signals
        self._clock = clock
        self._currency = currency  # the platform's, for an empty selection
        self._supply = supply or default_supply()
        self._narrator = narrator or Narrator.off()

    async def RecommendAssortment(
        self, request: pb.RecommendAssortmentRequest, context: Any
    ) -> pb.RecommendAssortmentResponse:
        window, promote_share, max_products, budget = _check(request)
        now = self._clock()
        try:
            categories = {c.id: category_info(c) async for c in self._reader.categories()}
            all_products = [p async for p in self._reader.every_product(include_archived=True)]
        except grpc.aio.AioRpcError as exc:
            raise refusal_from(exc, "catalog") from None
        if request.category_id and request.category_id not in categories:
            raise NotFound(f"category {request.category_id!r} not found")
        products = [
            p
            for p in all_products
            if not request.category_id or request.category_id in category_path(p.category_id, categories)[0]
        ]
        currency = products[0].currency_code if products else self._currency
        if budget is not None and budget[1] != currency:
            raise InvalidArgument.for_field("budget.currency_code", f"must be the catalog's currency {currency}")
        state = ServiceState(products=products)
        try:
            await self._reader.read_ratings(state)
        except grpc.aio.AioRpcError as exc:
            raise refusal_from(exc, "reviews") from None
        stock = {item.sku: item for item in await self._inventory.items()}
        signals = {doc["sku"]: doc async for doc in self._signals.every()}
        candidates = []
        for product in products:
            price_minor = to_minor(product.price, product.currency_code)
            item = stock.get(product.id)
            on_hand = item.quantity_on_hand if item is not None else 0
            units, mean_on_hand = core.window_activity(signals.get(product.id, {}).get("days", {}), now.date(), window)
            rating, reviews = state.ratings.get(product.id, (0.0, 0))
            candidates.append(
                core.Candidate(
                    product_id=product.id,
                    name=product.name,
                    category_id=product.category_id,
                    brand=product.brand,
                    image_url=product.image_url,
                    price_minor=price_minor,
                    currency_code=product.currency_code,
                    unit_cost_minor=self._supply.unit_cost_minor(product.id, price_minor),
                    on_hand=on_hand,
                    available=item.quantity_available if item is not None else 0,
                    units_sold=units,
                    mean_on_hand=mean_on_hand if mean_on_hand is not None else float(on_hand),
                    rating=rating,
                    reviews=reviews,
                )
            )
        # Off the event loop: the exact search may take up to about a second of CPU on the whole
        # catalog, and the loop serves other calls (and, co-hosted, other services) meanwhile.
        plan = await asyncio.to_thread(
            core.recommend,
            candidates,
            window_days=window,
            max_products=max_products,
            budget_minor=budget[0] if budget else None,
            promote_share=promote_share,
        )
        newest = max((str(doc.get("last_event_at", "")) for doc in signals.values()), default="")
        response = pb.RecommendAssortmentResponse(
            decisions=[_decision(d) for d in plan.decisions],
            kept=plan.kept,
            dropped=plan.dropped,
            total_score=round(plan.total_score, 6),
            total_cost=_money(plan.total_cost_minor, currency),
            exact=plan.exact,
            explanation=explanation(
                _summary(plan, len(candidates)),
                _plan_drivers(plan, window, max_products, budget[0] if budget else None, promote_share),
                method=f"{core.METHOD}+{self._supply.version}",
                freshness=data_freshness(now, data_as_of=from_iso(newest) if newest else None, sources=SOURCES),
            ),
        )
        await narrate_if_asked(self._narrator, response, context, subject="assortment")
        return response


def _check(request: pb.RecommendAssortmentRequest) -> tuple[int, float, int | None, tuple[int, str] | None]:
    violations = Violations()
    validation.text(violations, "category_id", request.category_id, max_length=64)
    violations.check(request.max_products >= 0, "max_products", "must not be negative (0 means no size limit)")
    violations.check(0 <= request.window_days <= MAX_WINDOW_DAYS, "window_days", f"must be 0..{MAX_WINDOW_DAYS}")
    violations.check(0 <= request.promote_share <= 1, "promote_share", "must be a share 0..1")
    budget: tuple[int, str] | None = None
    if request.HasField("budget"):
        money = request.budget
        currency = money.currency_code.strip().upper()
        violations.check(bool(currency), "budget.currency_code", "is required with a budget")
        minor = money.amount_minor
        if minor == 0 and money.amount and currency:
            try:
                minor = to_minor(money.amount, currency)
            except MoneyError as exc:
                violations.add("budget.amount", str(exc))
        violations.check(minor >= 0 and money.amount >= 0, "budget", "must not be negative")
        violations.check(minor <= MAX_MINOR_UNITS, "budget.amount_minor", "is too large")
        budget = (minor, currency)
    violations.raise_if_any()
    window = request.window_days or DEFAULT_WINDOW_DAYS
    share = request.promote_share or DEFAULT_PROMOTE_SHARE
    return window, share, (request.max_products or None), budget


def _money(minor: int, currency: str) -> agent_types_pb2.Money:
    return agent_types_pb2.Money(currency_code=currency, amount_minor=minor, amount=to_major(minor, currency))


def _decision(d: core.Decision) -> pb.AssortmentDecision:
    c = d.candidate
    return pb.AssortmentDecision(
        product=agent_types_pb2.ProductRef(
            product_id=c.product_id,
            name=c.name,
            category_id=c.category_id,
            brand=c.brand,
            image_url=c.image_url,
            in_stock=c.available > 0,
        ),
        action=ACTION_TO_PB[d.action],
        score=round(d.score, 6),
        sales_velocity=round(d.factors.sales_velocity, 4),
        margin=round(d.factors.margin, 4),
        rating=round(d.factors.rating, 3),
        stock_turn=round(d.factors.stock_turn, 4),
        inventory_cost=_money(d.inventory_cost_minor, c.currency_code),
        drivers=[driver.to_proto() for driver in d.drivers],
    )


def _summary(plan: core.Plan, considered: int) -> str:
    promoted = sum(1 for d in plan.decisions if d.action == core.PROMOTE)
    how = "exact" if plan.exact else "greedy (too large to solve exactly)"
    return (
        f"keep {plan.kept} of {considered} product(s) ({promoted} promoted), drop {plan.dropped}; "
        f"total score {plan.total_score:.4f} at inventory cost {plan.total_cost_minor} (minor units); {how}"
    )


def _plan_drivers(
    plan: core.Plan, window: int, max_products: int | None, budget: int | None, share: float
) -> list[Driver]:
    drivers = [
        Driver("objective", round(plan.total_score, 6), "sum of the kept products' scores (maximised)"),
        Driver("window_days", window, "days of order history scored", unit="days"),
        Driver("promote_share", share, "share of kept products promoted", unit="share"),
        Driver(
            "exact",
            1.0 if plan.exact else 0.0,
            f"knapsack solved exactly up to {knapsack.MAX_EXACT_ITEMS} products and "
            f"{knapsack.MAX_NODES:,} search branches, greedy beyond",
        ),
    ]
    if max_products is not None:
        drivers.append(
            Driver("max_products", plan.kept, f"{plan.kept} kept of at most {max_products}", threshold=max_products)
        )
    if budget is not None:
        drivers.append(
            Driver(
                "budget",
                plan.total_cost_minor,
                f"inventory cost {plan.total_cost_minor} of a budget of {budget} (minor units)",
                threshold=budget,
                unit="minor units",
            )
        )
    return drivers


async def create_binding(deps: Dependencies) -> ServiceBinding:
    signals = await StockSignals.open(deps.store)
    signals.follow(deps.bus)
    servicer = AssortmentServicer(
        ServiceReader(deps.channels, deps.service_credentials),
        InventoryClient(deps.channels, deps.service_credentials),
        signals,
        deps.clock,
        currency=deps.settings.default_currency,
        narrator=deps.narrator,
    )
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["AssortmentOptimizationService"].full_name,
        add_to_server=lambda server: pb_grpc.add_AssortmentOptimizationServiceServicer_to_server(servicer, server),
    )
