"""InventoryHealthCheckService over gRPC: checks the request, reads live stock (InventoryService, as
the platform) and the stock signals projection, assesses every SKU with the decision core and
answers a page, most urgent first, with the catalog-wide summary and the explanation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from holidaypeak.agents.v1 import agent_types_pb2
from holidaypeak.agents.v1 import inventory_health_check_service_pb2 as pb
from holidaypeak.agents.v1 import inventory_health_check_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import inventory_item_pb2
from hph.agents.inventory_health_check import core
from hph.agents.inventory_health_check.rules import HealthRules, default_rules
from hph.agents.inventory_signals import demand as dm
from hph.agents.inventory_signals.projection import CONTAINER, SOURCE, StockSignals
from hph.agents.inventory_signals.snapshot import Snapshot, load_snapshot
from hph.agents.inventory_signals.stock import Stock
from hph.agents.inventory_signals.supply import RetailCalendar, Supply, default_calendar, default_supply
from hph.agents.runtime import agent_memory, data_freshness, explanation, narrate_if_asked
from hph.agents.runtime.paging import offset_token, query_digest, token_offset
from hph.commerce.clients import CatalogClient, InventoryClient
from hph.commerce.identifiers import PRODUCT_ID, PRODUCT_ID_HINT
from hph.runtime import validation
from hph.runtime.clock import Clock
from hph.runtime.deps import Dependencies
from hph.runtime.errors import NotFound, Violations
from hph.runtime.memory import MemoryNamespace, Policy
from hph.runtime.narrator import Narrator
from hph.runtime.server import ServiceBinding

CONTAINERS = (CONTAINER,)
AGENT = "inventory-health-check"
MAX_SKUS = 100
STOCK_SOURCE = "rpc:InventoryService.ListInventoryItems"
HEALTH_TO_PB = {
    core.HEALTHY: inventory_item_pb2.INVENTORY_HEALTH_HEALTHY,
    core.LOW: inventory_item_pb2.INVENTORY_HEALTH_LOW_STOCK,
    core.OUT: inventory_item_pb2.INVENTORY_HEALTH_OUT_OF_STOCK,
    core.OVERSTOCKED: inventory_item_pb2.INVENTORY_HEALTH_OVERSTOCKED,
}
HEALTH_FROM_PB = {value: name for name, value in HEALTH_TO_PB.items()}
ANOMALY_TO_PB = {
    core.NEGATIVE: pb.INVENTORY_ANOMALY_KIND_NEGATIVE_STOCK,
    core.RESERVED_ABOVE: pb.INVENTORY_ANOMALY_KIND_RESERVED_ABOVE_ON_HAND,
    core.STALE: pb.INVENTORY_ANOMALY_KIND_STALE_RESERVATION,
    core.MOVEMENT: pb.INVENTORY_ANOMALY_KIND_UNEXPLAINED_MOVEMENT,
}
SEVERITY_TO_PB = {
    "info": agent_types_pb2.SEVERITY_INFO,
    "low": agent_types_pb2.SEVERITY_LOW,
    "medium": agent_types_pb2.SEVERITY_MEDIUM,
    "high": agent_types_pb2.SEVERITY_HIGH,
    "critical": agent_types_pb2.SEVERITY_CRITICAL,
}
# The last catalog-wide summary, kept a day: the next answer says what moved since.
LAST_SUMMARY_KEY = "last-summary"
LAST_SUMMARY_TTL_SECONDS = 86_400


class HealthCheckServicer(pb_grpc.InventoryHealthCheckServiceServicer):
    def __init__(
        self,
        signals: StockSignals,
        inventory: InventoryClient,
        catalog: CatalogClient,
        clock: Clock,
        *,
        rules: HealthRules | None = None,
        supply: Supply | None = None,
        calendar: RetailCalendar | None = None,
        memory: MemoryNamespace | None = None,
        narrator: Narrator | None = None,
    ) -> None:
        self._signals = signals
        self._inventory = inventory
        self._catalog = catalog
        self._clock = clock
        self._rules = rules or default_rules()
        self._supply = supply or default_supply()
        self._calendar = calendar or default_calendar()
        self._memory = memory
        self._narrator = narrator or Narrator.off()

    async def assess_all(self, skus: Sequence[str] = ()) -> tuple[list[core.Assessment], Snapshot, datetime]:
        """Every SKU's assessment (or those of `skus`; NOT_FOUND for one no product has), unordered."""
        now = self._clock()
        if skus:
            items = []
            for sku in skus:
                item = await self._inventory.item(sku)
                if item is None:
                    raise NotFound(f"product {sku!r} not found")
                items.append(item)
        else:
            items = await self._inventory.items()
        catalog = await load_snapshot(self._signals, self._calendar, now.date())
        assessed = [
            core.assess(
                Stock.of(item),
                catalog.signals.get(item.sku),
                seasonality=catalog.seasonality,
                supplier=self._supply.supplier_of(item.sku),
                rules=self._rules,
                now=now,
                since=catalog.since,
            )
            for item in items
        ]
        return assessed, catalog, now

    async def CheckHealth(self, request: pb.CheckHealthRequest, context: Any) -> pb.CheckHealthResponse:
        classes, size, offset, digest = _check(request)
        assessed, catalog, now = await self.assess_all(list(dict.fromkeys(request.skus)))
        counts = {name: sum(1 for a in assessed if a.health == name) for name in core.CLASSES}
        with_anomalies = sum(1 for a in assessed if a.anomalies)
        chosen = [
            a
            for a in core.ordered(assessed)
            if (not classes or a.health in classes) and (not request.anomalies_only or a.anomalies)
        ]
        page = chosen[offset : offset + size]
        names = await self._catalog.products(a.sku for a in page) if page else {}
        following = offset + size if offset + size < len(chosen) else None
        summary = (
            f"{len(assessed)} SKU(s): {counts[core.OUT]} out of stock, {counts[core.LOW]} low, "
            f"{counts[core.OVERSTOCKED]} overstocked, {counts[core.HEALTHY]} healthy; {with_anomalies} with anomalies"
        )
        summary += await self._since_last(counts, with_anomalies, whole=not request.skus)
        response = pb.CheckHealthResponse(
            items=[_item(a, names[a.sku].name if a.sku in names else "") for a in page],
            next_page_token=offset_token(following, digest) if following is not None else "",
            summary=[pb.HealthCount(health=HEALTH_TO_PB[name], count=counts[name]) for name in core.CLASSES],
            skus_with_anomalies=with_anomalies,
            explanation=explanation(
                summary,
                core.thresholds(self._rules),
                method=f"{core.METHOD}+{dm.METHOD}+{self._rules.version}+{self._supply.version}",
                freshness=data_freshness(
                    now,
                    data_as_of=catalog.data_as_of,
                    sources=[STOCK_SOURCE, SOURCE, "file:supply.json", "file:retail_calendar.json"],
                ),
            ),
        )
        await narrate_if_asked(self._narrator, response, context, subject="inventory health")
        return response

    async def _since_last(self, counts: dict[str, int], anomalies: int, *, whole: bool) -> str:
        """What moved since the last catalog-wide check (remembered a day), and remembers this one."""
        if self._memory is None or not whole:
            return ""
        current = {**counts, "anomalies": anomalies}
        previous = await self._memory.value(LAST_SUMMARY_KEY)
        await self._memory.put(LAST_SUMMARY_KEY, current)
        if not isinstance(previous, dict):
            return ""
        moves = [
            f"{name.replace('_', ' ')} {current[name] - int(previous.get(name, 0)):+d}"
            for name in (core.OUT, core.LOW, "anomalies")
            if current[name] != int(previous.get(name, 0))
        ]
        return f"; since the last check: {', '.join(moves)}" if moves else "; unchanged since the last check"


def _item(a: core.Assessment, name: str) -> pb.SkuHealth:
    return pb.SkuHealth(
        sku=a.sku,
        product_name=name,
        health=HEALTH_TO_PB[a.health],
        stock=agent_types_pb2.StockPosition(
            sku=a.sku,
            quantity_on_hand=a.stock.on_hand,
            quantity_reserved=a.stock.reserved,
            quantity_available=a.stock.available,
            safety_stock=a.stock.safety_stock,
            reorder_point=a.reorder_level,
        ),
        demand=agent_types_pb2.DemandRate(
            units_per_day=round(a.seasonal_rate, 4),
            stddev_units_per_day=round(a.demand.sigma, 4),
            window_days=a.demand.window_days,
            orders=a.demand.orders,
        ),
        days_of_cover=round(a.days_of_cover, 2) if a.days_of_cover is not None else None,
        urgency=a.urgency,
        anomalies=[
            pb.InventoryAnomaly(
                kind=ANOMALY_TO_PB[anomaly.kind],
                severity=SEVERITY_TO_PB[anomaly.severity],
                message=anomaly.message,
                reservation_ids=list(anomaly.reservation_ids),
            )
            for anomaly in a.anomalies
        ],
        drivers=[driver.to_proto() for driver in a.drivers],
    )


def _digest(request: pb.CheckHealthRequest) -> str:
    parts = [sorted(request.skus), sorted(request.health), request.anomalies_only, request.page_size]
    return query_digest(parts)


def _check(request: pb.CheckHealthRequest) -> tuple[set[str], int, int, str]:
    violations = Violations()
    violations.check(len(request.skus) <= MAX_SKUS, "skus", f"at most {MAX_SKUS} SKUs")
    for index, sku in enumerate(request.skus):
        validation.identifier(violations, f"skus[{index}]", sku, PRODUCT_ID, PRODUCT_ID_HINT)
    classes: set[str] = set()
    for index, value in enumerate(request.health):
        if value in HEALTH_FROM_PB:
            classes.add(HEALTH_FROM_PB[value])
        else:
            violations.add(
                f"health[{index}]",
                "unknown class (INVENTORY_HEALTH_HEALTHY, _LOW_STOCK, _OUT_OF_STOCK, _OVERSTOCKED)",
            )
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
    return classes, size, offset, digest


async def create_binding(deps: Dependencies) -> ServiceBinding:
    signals = await StockSignals.open(deps.store)
    signals.follow(deps.bus)
    servicer = HealthCheckServicer(
        signals,
        InventoryClient(deps.channels, deps.service_credentials),
        CatalogClient(deps.channels),
        deps.clock,
        memory=agent_memory(deps, AGENT, "summaries", Policy(ttl=timedelta(seconds=LAST_SUMMARY_TTL_SECONDS))),
        narrator=deps.narrator,
    )
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["InventoryHealthCheckService"].full_name,
        add_to_server=lambda server: pb_grpc.add_InventoryHealthCheckServiceServicer_to_server(servicer, server),
    )
