"""OrderStatusService over gRPC: the order's timeline from the projection, its state and next step,
and the ETA asked of logistics-eta-computation through AgentClient (deadline, breaker, fallback).

Why a call and not the ETA core in process: the estimate needs the ETA agent's own projections (the
shipment's scans and the carrier's on-time record); sharing the pure core would make this agent keep
copies of them. Agents run as separate pods, so the ETA agent is asked like any other agent; when it
cannot answer, the status is still served, without `eta`: `eta_skipped` says why, and the last ETA
it gave for the order (`eta_memory`, the agent's memory) is shown with its age.
"""

from __future__ import annotations

from typing import Any

from holidaypeak.agents.v1 import agent_types_pb2, explanation_pb2
from holidaypeak.agents.v1 import logistics_eta_computation_service_pb2 as eta_pb
from holidaypeak.agents.v1 import logistics_eta_computation_service_pb2_grpc as eta_grpc
from holidaypeak.agents.v1 import order_status_service_pb2 as pb
from holidaypeak.agents.v1 import order_status_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import order_pb2
from holidaypeak.events.v1 import order_events_pb2 as order_events
from hph.agents.order_status import timeline
from hph.agents.order_status.eta_memory import EtaMemory, LastEta
from hph.agents.order_status.projection import CONTAINER, GROUP, SOURCE, TIMELINES, TIMELINES_KEY, TOPICS, Timelines
from hph.agents.runtime import Driver, data_freshness, explanation, narrate_if_asked
from hph.commerce import identifiers
from hph.commerce.agent_calls import AgentClient
from hph.runtime.clock import Clock, from_iso, to_timestamp
from hph.runtime.deps import Dependencies
from hph.runtime.errors import NotFound, Violations
from hph.runtime.narrator import Narrator
from hph.runtime.rpc.call_context import require_owner
from hph.runtime.server import ServiceBinding

CONTAINERS = (CONTAINER,)
ETA_AGENT = "logistics-eta-computation"
SOURCE_TO_PB = {
    timeline.ORDER: pb.TIMELINE_SOURCE_ORDER,
    timeline.PAYMENT: pb.TIMELINE_SOURCE_PAYMENT,
    timeline.SHIPMENT: pb.TIMELINE_SOURCE_SHIPMENT,
    timeline.RETURN: pb.TIMELINE_SOURCE_RETURN,
}
ACTOR_TO_PB = {
    timeline.CUSTOMER: pb.TIMELINE_ACTOR_CUSTOMER,
    timeline.STAFF: pb.TIMELINE_ACTOR_STAFF,
    timeline.SYSTEM: pb.TIMELINE_ACTOR_SYSTEM,
    timeline.CARRIER: pb.TIMELINE_ACTOR_CARRIER,
}
PAYMENT_TO_PB = {
    "unpaid": order_pb2.ORDER_PAYMENT_STATUS_UNPAID,
    "paid": order_pb2.ORDER_PAYMENT_STATUS_PAID,
    "failed": order_pb2.ORDER_PAYMENT_STATUS_FAILED,
    "partially_refunded": order_pb2.ORDER_PAYMENT_STATUS_PARTIALLY_REFUNDED,
    "refunded": order_pb2.ORDER_PAYMENT_STATUS_REFUNDED,
}
# Statuses an ETA is given for (unset once delivered, cancelled, returned, or before payment).
ETA_STATUSES = {order_events.ORDER_STATUS_PAID, order_events.ORDER_STATUS_FULFILLING, order_events.ORDER_STATUS_SHIPPED}


class OrderStatusServicer(pb_grpc.OrderStatusServiceServicer):
    def __init__(
        self,
        timelines: Timelines,
        eta: AgentClient[eta_grpc.LogisticsEtaComputationServiceStub],
        clock: Clock,
        narrator: Narrator | None = None,
        last_etas: EtaMemory | None = None,
    ) -> None:
        self._timelines = timelines
        self._eta = eta
        self._clock = clock
        self._last_etas = last_etas or EtaMemory(None)
        self._narrator = narrator or Narrator.off()

    async def GetOrderStatus(self, request: pb.GetOrderStatusRequest, context: Any) -> pb.GetOrderStatusResponse:
        violations = Violations()
        identifiers.check_order_id(violations, request.order_id)
        violations.raise_if_any()
        doc = await self._timelines.read(request.order_id)
        if doc is None or not doc["user_id"]:
            raise NotFound(f"order {request.order_id!r} not found")
        require_owner(doc["user_id"], resource="order", hide_existence=True)

        step = timeline.next_step(doc)
        drivers: list[Driver | explanation_pb2.Driver] = [
            Driver(
                "timeline_entries",
                len(doc["entries"]),
                f"{len(doc['entries'])} events of the order so far",
                unit="events",
            ),
            Driver(
                "open_shipments",
                int(bool(timeline.open_shipment(doc))),
                f"{len(doc['shipments'])} shipment(s), latest undelivered: {timeline.open_shipment(doc) or 'none'}",
                unit="shipments",
            ),
        ]
        sources = [SOURCE]
        eta, skipped, note = await self._estimate(doc)
        last: LastEta | None = None
        if eta is not None:
            sources.append(f"agent:{ETA_AGENT}")
            drivers.extend(eta.explanation.drivers)
        elif skipped:
            drivers.append(Driver("eta_skipped", 1, note))
            last = await self._last_etas.recall(doc["id"])
            if last is not None:
                sources.append(f"memory:{ETA_AGENT}-last")
                drivers.append(
                    Driver(
                        "last_known_eta_age",
                        self._age_seconds(last) / 3600,
                        f"last ETA from {ETA_AGENT}, {last.computed_at:%Y-%m-%d %H:%M} UTC",
                        unit="hours",
                    )
                )
        response = pb.GetOrderStatusResponse(
            order_id=doc["id"],
            status=doc["status"],
            payment_status=PAYMENT_TO_PB.get(doc["payment"], order_pb2.ORDER_PAYMENT_STATUS_UNSPECIFIED),
            headline=timeline.headline(doc),
            timeline=[
                pb.TimelineEntry(
                    occurred_at=to_timestamp(from_iso(entry["occurred_at"])),
                    source=SOURCE_TO_PB[entry["source"]],
                    event_type=entry["event_type"],
                    summary=entry["summary"],
                    actor=ACTOR_TO_PB[entry["actor"]],
                    reference_id=entry["reference_id"],
                )
                for entry in doc["entries"]
            ],
            next_step=agent_types_pb2.SuggestedAction(code=step.code, description=step.description, priority=1)
            if step
            else None,
            eta=eta.estimate if eta is not None else None,
            explanation=explanation(
                f"{timeline.headline(doc)}; next: {step.description if step else 'nothing'}"
                + (f"; {eta.explanation.summary}" if eta is not None else ""),
                drivers,
                method=timeline.METHOD,
                freshness=data_freshness(
                    self._clock(),
                    data_as_of=self._timelines.freshness.data_as_of,
                    sources=sources,
                    degraded=bool(skipped),
                ),
            ),
            eta_skipped=skipped,
            last_known_eta=pb.RememberedEta(
                estimate=last.estimate,
                computed_at=to_timestamp(last.computed_at),
                age_seconds=self._age_seconds(last),
                shipment_id=last.shipment_id,
            )
            if last is not None
            else None,
        )
        await narrate_if_asked(self._narrator, response, context, subject="order status")
        return response

    def _age_seconds(self, last: LastEta) -> int:
        return max(0, int((self._clock() - last.computed_at).total_seconds()))

    async def _estimate(self, doc: dict[str, Any]) -> tuple[eta_pb.ComputeEtaResponse | None, str, str]:
        """The ETA agent's answer, or None with "<agent>: <why>" and a one-line note when it was
        skipped (both "" when no ETA is due). An answer is remembered for when the agent is down."""
        if doc["status"] not in ETA_STATUSES:
            return None, "", ""
        shipment = timeline.open_shipment(doc)
        if doc["status"] == order_events.ORDER_STATUS_SHIPPED and not shipment:
            return None, "", ""
        request = (
            eta_pb.ComputeEtaRequest(shipment_id=shipment) if shipment else eta_pb.ComputeEtaRequest(order_id=doc["id"])
        )
        result = await self._eta.call("ComputeEta", request, response=eta_pb.ComputeEtaResponse, fallback=lambda: None)
        if result.answered and result.value is not None:
            await self._last_etas.remember(doc["id"], LastEta(result.value.estimate, self._clock(), shipment))
            return result.value, "", ""
        return None, f"{ETA_AGENT}: {result.skipped}", f"ETA skipped: {result.note()}"


async def create_binding(deps: Dependencies) -> ServiceBinding:
    timelines = Timelines(await deps.store.container(TIMELINES, TIMELINES_KEY))
    if deps.bus is not None:
        for topic in TOPICS:
            # Idempotent: a timeline folds an event in once, by its event id.
            deps.bus.subscribe(topic, GROUP, timelines.handle, idempotent=True)
    eta = AgentClient(deps, ETA_AGENT, eta_grpc.LogisticsEtaComputationServiceStub)
    servicer = OrderStatusServicer(timelines, eta, deps.clock, deps.narrator, EtaMemory.of(deps))
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["OrderStatusService"].full_name,
        add_to_server=lambda server: pb_grpc.add_OrderStatusServiceServicer_to_server(servicer, server),
    )
