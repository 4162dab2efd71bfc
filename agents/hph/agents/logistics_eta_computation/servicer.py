"""LogisticsEtaComputationService over gRPC: gathers the route, readiness, scans and the carrier's
record from the agent's projection, asks the pure core, and answers with every term as a driver."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from holidaypeak.agents.v1 import agent_types_pb2
from holidaypeak.agents.v1 import logistics_eta_computation_service_pb2 as pb
from holidaypeak.agents.v1 import logistics_eta_computation_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import shipment_pb2
from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.agents.logistics_eta_computation import core
from hph.agents.logistics_eta_computation.projection import (
    CONTAINERS,
    DELIVERIES,
    DELIVERIES_KEY,
    GROUP,
    PARCELS,
    PARCELS_KEY,
    SOURCE,
    TOPICS,
    Parcels,
    order_key,
    recent_since,
    shipment_key,
)
from hph.agents.logistics_eta_computation.tables import EtaTables, default_tables
from hph.agents.runtime import data_freshness, explanation, narrate_if_asked
from hph.runtime import validation
from hph.runtime.cache import TtlCache
from hph.runtime.clock import Clock, from_iso, to_timestamp
from hph.runtime.deps import Dependencies
from hph.runtime.errors import FailedPrecondition, NotFound, Violations
from hph.runtime.narrator import Narrator
from hph.runtime.server import ServiceBinding
from hph.runtime.storage.port import MAX_ID_LENGTH

__all__ = ["CONTAINERS", "EtaServicer", "create_binding"]

LEVEL_FROM_PB = {
    shipment_pb2.SERVICE_LEVEL_UNSPECIFIED: "standard",
    shipment_pb2.SERVICE_LEVEL_ECONOMY: "economy",
    shipment_pb2.SERVICE_LEVEL_STANDARD: "standard",
    shipment_pb2.SERVICE_LEVEL_EXPEDITED: "expedited",
    shipment_pb2.SERVICE_LEVEL_OVERNIGHT: "overnight",
}
# EstimateRoutes answers a handful of routes (checkout's options to one destination), not a table.
MAX_ROUTES = 10
LEVEL_TO_PB = {name: level for level, name in LEVEL_FROM_PB.items() if level != shipment_pb2.SERVICE_LEVEL_UNSPECIFIED}


ON_TIME_FRESH_SECONDS = 10.0


class EtaServicer(pb_grpc.LogisticsEtaComputationServiceServicer):
    def __init__(self, tables: EtaTables, parcels: Parcels, clock: Clock, narrator: Narrator | None = None) -> None:
        self._tables = tables
        self._parcels = parcels
        self._clock = clock
        self._narrator = narrator or Narrator.off()
        # A carrier's on-time record over the recent window is a query over its deliveries, asked for
        # every shipping option of every checkout; it moves with whole deliveries, so a few seconds
        # old (on the services' clock, simulated or not) is as good as fresh.
        self._on_time: TtlCache[core.OnTimeRecord] = TtlCache(
            ttl_seconds=ON_TIME_FRESH_SECONDS, max_entries=1_000, clock=lambda: self._clock().timestamp()
        )

    async def ComputeEta(self, request: pb.ComputeEtaRequest, context: Any) -> pb.ComputeEtaResponse:
        confidence = _check(request)
        now = self._clock()
        route, ready_at, progress, sources = await self._inputs(request, now)
        promised = request.promised_by.ToDatetime(tzinfo=UTC) if request.HasField("promised_by") else None
        where = "route.carrier" if request.HasField("route") else "shipment_id"
        response = await self._estimate(route, ready_at, progress, sources, now, confidence, promised, where)
        await narrate_if_asked(self._narrator, response, context, subject="delivery estimate")
        return response

    async def EstimateRoutes(self, request: pb.EstimateRoutesRequest, context: Any) -> pb.EstimateRoutesResponse:
        violations = Violations()
        violations.check(
            1 <= len(request.routes) <= MAX_ROUTES, "routes", f"give 1..{MAX_ROUTES} routes (got {len(request.routes)})"
        )
        for index, given in enumerate(request.routes[:MAX_ROUTES]):
            _check_route(violations, f"routes[{index}]", given)
        confidence = _confidence(violations, request.confidence)
        violations.raise_if_any()
        now = self._clock()
        estimates = []
        for index, given in enumerate(request.routes):
            route, ready_at = _route(given, now)
            estimates.append(
                await self._estimate(
                    route, ready_at, core.Progress(), [], now, confidence, None, f"routes[{index}].carrier"
                )
            )
        # Ready "now" (unset or given as the moment of asking), the same routes keep these estimates
        # until the next cut-off or midnight, and the carriers' records stay fresh that long at most.
        valid_until = min(core.next_change(now, self._tables), now + timedelta(seconds=ON_TIME_FRESH_SECONDS))
        return pb.EstimateRoutesResponse(
            valid_until=to_timestamp(valid_until),
            estimates=estimates,
            explanation=explanation(
                "; ".join(e.explanation.summary for e in estimates),
                method=estimates[0].explanation.method,
                freshness=estimates[0].explanation.freshness,
            ),
        )

    async def _estimate(
        self,
        route: core.Route,
        ready_at: datetime,
        progress: core.Progress,
        sources: list[str],
        now: datetime,
        confidence: float,
        promised: datetime | None,
        carrier_field: str,
    ) -> pb.ComputeEtaResponse:
        carrier = route.carrier or self._tables.default_carrier.get(route.service_level, "")
        record = self._on_time.get((carrier, route.service_level))
        if record is None:
            record = await self._parcels.on_time(
                carrier, route.service_level, recent_since(now, self._tables.window.recent_days), self._tables
            )
            self._on_time.put((carrier, route.service_level), record)
        try:
            answer = core.estimate(
                route,
                ready_at=ready_at,
                now=now,
                tables=self._tables,
                progress=progress,
                record=record,
                confidence=confidence,
                promised_by=promised,
            )
        except core.UnsupportedRoute as exc:
            violations = Violations()
            violations.add(carrier_field, str(exc))
            violations.raise_if_any()
            raise  # pragma: no cover - raise_if_any raised
        return pb.ComputeEtaResponse(
            estimate=agent_types_pb2.DeliveryEstimate(
                estimated_delivery_at=to_timestamp(answer.eta),
                window=agent_types_pb2.TimeWindow(
                    start_time=to_timestamp(answer.window_start), end_time=to_timestamp(answer.window_end)
                ),
                confidence=answer.confidence,
                at_risk=answer.at_risk,
            ),
            carrier=answer.carrier,
            service_level=LEVEL_TO_PB[answer.service_level],
            zone=answer.zone,
            handling_days=answer.handling_days,
            transit_days=answer.transit_days,
            non_working_days=answer.non_working_days,
            observed_delay_days=answer.observed_delay_days,
            carrier_on_time_rate=answer.on_time_rate,
            window_start_business_days=answer.window_start_business_days,
            window_end_business_days=answer.window_end_business_days,
            explanation=explanation(
                answer.summary,
                answer.drivers,
                method=f"{core.METHOD}+{self._tables.version}",
                freshness=data_freshness(
                    now,
                    data_as_of=self._parcels.freshness.data_as_of,
                    sources=[
                        *sources,
                        "projection:eta-deliveries",
                        "file:eta_tables.json",
                        "file:holidays.json",
                        "file:carriers.json",
                    ],
                ),
            ),
        )

    async def _inputs(
        self, request: pb.ComputeEtaRequest, now: datetime
    ) -> tuple[core.Route, datetime, core.Progress, list[str]]:
        if request.shipment_id:
            doc = await self._parcels.read(shipment_key(request.shipment_id))
            if doc is None:
                raise NotFound(f"shipment {request.shipment_id!r} not found")
            order = await self._parcels.read(order_key(doc["order_id"]))
            paid = order.get("paid_at") if order else ""
            ready_at = from_iso(paid) if paid else from_iso(doc["picked_up_at"]) if doc["picked_up_at"] else now
            progress = core.Progress(
                picked_up_at=from_iso(doc["picked_up_at"]) if doc["picked_up_at"] else None,
                exceptions=len(doc["exceptions"]),
                delivered_at=from_iso(doc["delivered_at"]) if doc["delivered_at"] else None,
            )
            route = core.Route(doc["carrier"], doc["service_level"], doc["country_code"], doc["postal_code"])
            return route, ready_at, progress, [SOURCE]
        if request.order_id:
            doc = await self._parcels.read(order_key(request.order_id))
            if doc is None:
                raise NotFound(f"order {request.order_id!r} not found")
            if not doc["paid_at"]:
                raise FailedPrecondition(
                    f"order {request.order_id!r} is not paid yet: handling starts when it is",
                    reason=ErrorReason.ERROR_REASON_ORDER_NOT_PAID,
                )
            route = core.Route("", "standard", doc["country_code"] or "US", doc["postal_code"])
            return route, from_iso(doc["paid_at"]), core.Progress(), [SOURCE]
        route, ready = _route(request.route, now)
        return route, ready, core.Progress(), []


def _route(given: pb.EtaRoute, now: datetime) -> tuple[core.Route, datetime]:
    ready = given.ready_at.ToDatetime(tzinfo=UTC) if given.HasField("ready_at") else now
    route = core.Route(
        given.carrier,
        LEVEL_FROM_PB.get(given.service_level, "standard"),
        given.destination_country_code,
        given.destination_postal_code,
    )
    return route, ready


def _check(request: pb.ComputeEtaRequest) -> float:
    violations = Violations()
    chosen = [bool(request.shipment_id), bool(request.order_id), request.HasField("route")]
    violations.check(sum(chosen) == 1, "shipment_id", "give exactly one of shipment_id, order_id and route")
    validation.text(violations, "shipment_id", request.shipment_id, max_length=MAX_ID_LENGTH)
    validation.text(violations, "order_id", request.order_id, max_length=MAX_ID_LENGTH)
    if request.HasField("route"):
        _check_route(violations, "route", request.route)
    confidence = _confidence(violations, request.confidence)
    violations.raise_if_any()
    return confidence


def _check_route(violations: Violations, where: str, route: pb.EtaRoute) -> None:
    country = route.destination_country_code
    violations.check(
        len(country) == 2 and country.isalpha() and country.isupper(),
        f"{where}.destination_country_code",
        'an ISO 3166-1 alpha-2 code, upper case (e.g. "US")',
    )
    violations.check(route.service_level in LEVEL_FROM_PB, f"{where}.service_level", "unknown service level")
    validation.text(violations, f"{where}.destination_postal_code", route.destination_postal_code, max_length=16)
    validation.text(violations, f"{where}.carrier", route.carrier, max_length=32)


def _confidence(violations: Violations, given: float) -> float:
    confidence = given or core.DEFAULT_CONFIDENCE
    violations.check(0.5 <= confidence <= 0.99, "confidence", "between 0.5 and 0.99 (0: the default 0.8)")
    return confidence


async def create_binding(deps: Dependencies) -> ServiceBinding:
    tables = default_tables()
    parcels = Parcels(
        await deps.store.container(PARCELS, PARCELS_KEY), await deps.store.container(DELIVERIES, DELIVERIES_KEY)
    )
    if deps.bus is not None:
        for topic in TOPICS:
            # Idempotent: a parcel's fields are set to the event's own values, set once or kept as
            # sets; a delivery is a create that conflicts when repeated.
            deps.bus.subscribe(topic, GROUP, parcels.handle, idempotent=True)
    servicer = EtaServicer(tables, parcels, deps.clock, deps.narrator)
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["LogisticsEtaComputationService"].full_name,
        add_to_server=lambda server: pb_grpc.add_LogisticsEtaComputationServiceServicer_to_server(servicer, server),
    )
