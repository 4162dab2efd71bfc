"""InventoryJitReplenishmentService over gRPC: checks the request, reads live stock (as the
platform) and the stock signals projection once, plans every SKU with the decision core, orders
the lines by order-by day and answers a page (priced, for the economic order quantity, and named
from the catalog)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from holidaypeak.agents.v1 import agent_types_pb2
from holidaypeak.agents.v1 import inventory_jit_replenishment_service_pb2 as pb
from holidaypeak.agents.v1 import inventory_jit_replenishment_service_pb2_grpc as pb_grpc
from hph.agents.inventory_jit_replenishment import core
from hph.agents.inventory_jit_replenishment.rules import PlanRules, default_rules
from hph.agents.inventory_signals import demand as dm
from hph.agents.inventory_signals.projection import CONTAINER, SOURCE, StockSignals
from hph.agents.inventory_signals.snapshot import Snapshot, load_snapshot
from hph.agents.inventory_signals.stock import Stock
from hph.agents.inventory_signals.supply import RetailCalendar, Supply, default_calendar, default_supply
from hph.agents.runtime import Driver, agent_memory, data_freshness, explanation, narrate_if_asked
from hph.agents.runtime.paging import offset_token, query_digest, token_offset
from hph.commerce.clients import CatalogClient, InventoryClient
from hph.commerce.identifiers import PRODUCT_ID, PRODUCT_ID_HINT
from hph.runtime import validation
from hph.runtime.clock import Clock, to_timestamp
from hph.runtime.deps import Dependencies
from hph.runtime.errors import NotFound, Violations
from hph.runtime.memory import MemoryNamespace, Policy
from hph.runtime.narrator import Narrator
from hph.runtime.server import ServiceBinding

CONTAINERS = (CONTAINER,)
MAX_SKUS = 100
MIN_LEVEL, MAX_LEVEL = 0.5, 0.999
STOCK_SOURCE = "rpc:InventoryService.ListInventoryItems"
AGENT = "inventory-jit-replenishment"
# The last catalog-wide plan's order-by days, kept a week: the next plan says which moved.
LAST_PLAN_KEY = "last-plan"
LAST_PLAN_TTL = timedelta(days=7)
METHOD_TO_PB = {core.EOQ: pb.ORDER_QUANTITY_METHOD_EOQ, core.COVER_TARGET: pb.ORDER_QUANTITY_METHOD_COVER_TARGET}


class ReplenishmentServicer(pb_grpc.InventoryJitReplenishmentServiceServicer):
    def __init__(
        self,
        signals: StockSignals,
        inventory: InventoryClient,
        catalog: CatalogClient,
        clock: Clock,
        *,
        rules: PlanRules | None = None,
        supply: Supply | None = None,
        calendar: RetailCalendar | None = None,
        memory: MemoryNamespace | None = None,
        narrator: Narrator | None = None,
    ) -> None:
        self._memory = memory
        self._signals = signals
        self._inventory = inventory
        self._catalog = catalog
        self._clock = clock
        self._rules = rules or default_rules()
        self._supply = supply or default_supply()
        self._calendar = calendar or default_calendar()
        self._narrator = narrator or Narrator.off()

    async def PlanReplenishment(
        self, request: pb.PlanReplenishmentRequest, context: Any
    ) -> pb.PlanReplenishmentResponse:
        size, offset, digest = _check(request)
        level = request.service_level or self._rules.service_level
        horizon = request.horizon_days or self._rules.horizon_days
        now = self._clock()
        stocks = await self._stocks(list(dict.fromkeys(request.skus)))
        snapshot = await load_snapshot(self._signals, self._calendar, now.date())
        lines = [self._line(stock, snapshot, now, level, horizon, None) for stock in stocks]
        chosen = [line for line in core.ordered(lines) if line.needs_order or not request.needs_order_only]
        page = chosen[offset : offset + size]
        products = await self._catalog.products(line.sku for line in page) if page else {}
        priced = [
            self._line(line.stock, snapshot, now, level, horizon, _minor(products[line.sku].price))
            if line.sku in products
            else line
            for line in page
        ]
        following = offset + size if offset + size < len(chosen) else None
        moved = await self._moved_since_last_plan(lines, whole=not request.skus)
        due_now = sum(1 for line in lines if line.order_by == now.date())
        needing = sum(1 for line in lines if line.needs_order)
        z = dm.z_of(level)
        response = pb.PlanReplenishmentResponse(
            lines=[
                _line(line, products[line.sku].name if line.sku in products else "", moved.get(line.sku))
                for line in priced
            ],
            next_page_token=offset_token(following, digest) if following is not None else "",
            service_level=level,
            z=round(z, 4),
            explanation=explanation(
                f"{len(lines)} SKU(s): {needing} to order within {horizon} days, {due_now} of them today "
                f"(at or below their reorder point)",
                _model_drivers(snapshot, level, z, horizon, self._rules),
                method=f"{core.METHOD}+{dm.METHOD}+{self._rules.version}+{self._supply.version}",
                freshness=data_freshness(
                    now,
                    data_as_of=snapshot.data_as_of,
                    sources=[STOCK_SOURCE, SOURCE, "file:supply.json", "file:retail_calendar.json"],
                ),
            ),
        )
        await narrate_if_asked(self._narrator, response, context, subject="replenishment plan")
        return response

    def _line(
        self, stock: Stock, snapshot: Snapshot, now: datetime, level: float, horizon: int, price: int | None
    ) -> core.PlanLine:
        return core.plan_line(
            stock,
            snapshot.signals.get(stock.sku),
            seasonality=snapshot.seasonality,
            supplier=self._supply.supplier_of(stock.sku),
            rules=self._rules,
            now=now,
            since=snapshot.since,
            service_level=level,
            horizon_days=horizon,
            unit_price_minor=price,
        )

    async def _moved_since_last_plan(self, lines: Sequence[core.PlanLine], *, whole: bool) -> dict[str, str]:
        """Per SKU, the order-by day of the last catalog-wide plan when it differs from this one's
        (remembered a week), and remembers this plan's."""
        if self._memory is None or not whole:
            return {}
        current = {line.sku: line.order_by.isoformat() if line.order_by else "" for line in lines}
        previous = await self._memory.value(LAST_PLAN_KEY)
        await self._memory.put(LAST_PLAN_KEY, current)
        if not isinstance(previous, dict):
            return {}
        return {sku: str(previous[sku]) for sku, day in current.items() if sku in previous and previous[sku] != day}

    async def _stocks(self, skus: Sequence[str]) -> list[Stock]:
        if not skus:
            return [Stock.of(item) for item in await self._inventory.items()]
        found = []
        for sku in skus:
            item = await self._inventory.item(sku)
            if item is None:
                raise NotFound(f"product {sku!r} not found")
            found.append(Stock.of(item))
        return found


def _minor(price: float) -> int:
    return round(price * 100)


def _model_drivers(snapshot: Snapshot, level: float, z: float, horizon: int, rules: PlanRules) -> list[Driver]:
    season = snapshot.seasonality
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    weekday = ", ".join(f"{name} {value:.2f}" for name, value in zip(days, season.weekday, strict=True))
    periods = ", ".join(
        f"{name} {value:.2f}{'' if name in season.measured else ' (prior)'}" for name, value in season.periods.items()
    )
    return [
        Driver("service_level", level, reason=f"z = {z:.3f} (standard normal quantile)"),
        Driver("horizon_days", horizon, unit="days", reason="orders due within it are flagged needs_order"),
        Driver(
            "cover_target_days", rules.cover_target_days, unit="days", reason="cover an order adds past its lead time"
        ),
        Driver("weekday_index", len(season.weekday), reason=f"weekday indices (catalog demand): {weekday}"),
        Driver("retail_periods", len(season.periods), reason=f"period multipliers: {periods}"),
    ]


def _line(line: core.PlanLine, name: str, previous_order_by: str | None) -> pb.ReplenishmentLine:
    stock, plan = line.stock, line.plan
    drivers = [driver.to_proto() for driver in line.drivers]
    if previous_order_by is not None:
        now_text = line.order_by.isoformat() if line.order_by else "no order foreseen"
        was = previous_order_by or "no order foreseen"
        shift = (
            (line.order_by - date.fromisoformat(previous_order_by)).days if line.order_by and previous_order_by else 0
        )
        drivers.append(
            Driver(
                "order_by_moved_days",
                shift,
                unit="days",
                reason=f"the last plan said {was}, this one {now_text}",
            ).to_proto()
        )
    order_by = (
        to_timestamp(datetime.combine(line.order_by, time.min, tzinfo=UTC)) if line.order_by is not None else None
    )
    return pb.ReplenishmentLine(
        sku=line.sku,
        product_name=name,
        stock=agent_types_pb2.StockPosition(
            sku=line.sku,
            quantity_on_hand=stock.on_hand,
            quantity_reserved=stock.reserved,
            quantity_available=stock.available,
            safety_stock=math.ceil(plan.reorder.safety_stock - 1e-9),
            reorder_point=plan.reorder_level,
        ),
        demand=agent_types_pb2.DemandRate(
            units_per_day=round(plan.reorder.demand_over_lead / line.supplier.lead_time_days, 4),
            stddev_units_per_day=round(plan.demand.sigma, 4),
            window_days=plan.demand.window_days,
            orders=plan.demand.orders,
        ),
        supplier_id=line.supplier.supplier_id,
        lead_time_days=line.supplier.lead_time_days,
        safety_stock=math.ceil(plan.reorder.safety_stock - 1e-9),
        reorder_point=plan.reorder_level,
        order_quantity=line.order_quantity,
        quantity_method=METHOD_TO_PB[line.quantity_method],
        order_by=order_by,
        needs_order=line.needs_order,
        drivers=drivers,
    )


def _digest(request: pb.PlanReplenishmentRequest) -> str:
    parts = [
        sorted(request.skus),
        request.service_level,
        request.horizon_days,
        request.needs_order_only,
        request.page_size,
    ]
    return query_digest(parts)


def _check(request: pb.PlanReplenishmentRequest) -> tuple[int, int, str]:
    violations = Violations()
    violations.check(len(request.skus) <= MAX_SKUS, "skus", f"at most {MAX_SKUS} SKUs")
    for index, sku in enumerate(request.skus):
        validation.identifier(violations, f"skus[{index}]", sku, PRODUCT_ID, PRODUCT_ID_HINT)
    level = request.service_level
    violations.check(
        level == 0 or (math.isfinite(level) and MIN_LEVEL <= level <= MAX_LEVEL),
        "service_level",
        f"must be {MIN_LEVEL}..{MAX_LEVEL} (0 for the default)",
    )
    violations.check(0 <= request.horizon_days <= 180, "horizon_days", "must be 1..180 days (0 for the default)")
    size = validation.page_size(violations, "page_size", request.page_size)
    digest = _digest(request)
    offset = 0
    token = validation.page_token(violations, "page_token", request.page_token)
    if token is not None:
        decoded = token_offset(token, digest)
        violations.check(
            decoded is not None, "page_token", "is not a token of this query; keep the other parameters as they were"
        )
        offset = decoded or 0
    violations.raise_if_any()
    return size, offset, digest


async def create_binding(deps: Dependencies) -> ServiceBinding:
    signals = await StockSignals.open(deps.store)
    signals.follow(deps.bus)
    servicer = ReplenishmentServicer(
        signals,
        InventoryClient(deps.channels, deps.service_credentials),
        CatalogClient(deps.channels),
        deps.clock,
        memory=agent_memory(deps, AGENT, "plans", Policy(ttl=LAST_PLAN_TTL)),
        narrator=deps.narrator,
    )
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["InventoryJitReplenishmentService"].full_name,
        add_to_server=lambda server: pb_grpc.add_InventoryJitReplenishmentServiceServicer_to_server(servicer, server),
    )
