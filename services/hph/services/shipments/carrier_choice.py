"""Choosing a carrier when CreateShipment names none: agent logistics-carrier-selection is asked (a
short deadline, a breaker, hph.commerce.agent_calls) with the parcel as described and the order's
shipping address; when it cannot answer, the service's own default is used and the shipment says
that selection was skipped. Shipment creation never waits longer than the deadline and never fails
because of the agent.

The default: the first carrier of the carrier table (carriers.json order) that sells the requested
service level (standard when none) and takes the parcel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from holidaypeak.agents.v1 import logistics_carrier_selection_service_pb2 as agent_pb
from holidaypeak.agents.v1 import logistics_carrier_selection_service_pb2_grpc as agent_grpc
from holidaypeak.commerce.v1 import order_pb2
from holidaypeak.commerce.v1 import shipment_service_pb2 as pb
from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.commerce.agent_calls import AgentClient
from hph.commerce.carriers import Carrier, CarrierTable, ServiceLevel
from hph.runtime.deps import Dependencies
from hph.runtime.errors import FailedPrecondition

AGENT = "logistics-carrier-selection"
RPC = "SelectCarrier"
REQUESTED, BY_AGENT, DEFAULT = "requested", "agent", "default"


@dataclass(frozen=True)
class Choice:
    carrier: Carrier
    level: ServiceLevel
    method: str
    reason: str
    skipped: bool = False
    rate_minor: int = 0
    currency_code: str = ""

    def document(self) -> dict[str, object]:
        return {
            "method": self.method,
            "reason": self.reason,
            "selection_skipped": self.skipped,
            "rate_minor": self.rate_minor,
            "currency_code": self.currency_code,
        }


class CarrierChooser:
    def __init__(self, deps: Dependencies, carriers: CarrierTable, levels: dict[int, ServiceLevel]) -> None:
        self._carriers = carriers
        self._levels = levels
        self.client = AgentClient(
            deps,
            AGENT,
            agent_grpc.LogisticsCarrierSelectionServiceStub,
            deadline_seconds=deps.settings.carrier_selection_deadline_seconds,
        )

    async def choose(
        self, request: pb.CreateShipmentRequest, order: order_pb2.Order, promised_by: datetime | None
    ) -> Choice:
        address = order.shipping_address
        ask = agent_pb.SelectCarrierRequest(
            parcel=agent_pb.Parcel(
                weight_grams=request.package_weight_grams,
                length_mm=request.package_length_mm,
                width_mm=request.package_width_mm,
                height_mm=request.package_height_mm,
                destination_country_code=address.country_code,
                destination_region=address.region,
                destination_postal_code=address.postal_code,
            ),
            min_service_level=request.service_level,
            max_alternatives=1,
        )
        if promised_by is not None:
            ask.promised_by.FromDatetime(promised_by)
        result = await self.client.call(RPC, ask, response=agent_pb.SelectCarrierResponse, fallback=lambda: None)
        answer = result.value
        if answer is not None:
            carrier = self._carriers.get(answer.selected.carrier)
            level = self._levels.get(answer.selected.service_level)
            if carrier is not None and level is not None and carrier.offers(level):
                return Choice(
                    carrier,
                    level,
                    BY_AGENT,
                    answer.selected.reason,
                    rate_minor=answer.selected.rate.amount_minor,
                    currency_code=answer.selected.rate.currency_code,
                )
            why = f"{AGENT} chose {answer.selected.carrier!r}, which this service does not know"
        else:
            why = result.note()
        return self.default(request, why)

    def default(self, request: pb.CreateShipmentRequest, why: str) -> Choice:
        level = self._levels.get(request.service_level, ServiceLevel.STANDARD)
        longest = max(request.package_length_mm, request.package_width_mm, request.package_height_mm)
        for carrier in self._carriers.carriers.values():
            if (
                carrier.offers(level)
                and request.package_weight_grams <= carrier.max_weight_grams
                and longest <= carrier.max_length_mm
            ):
                reason = f"default carrier: the first that sells {level.value} and takes the parcel; {why}"
                return Choice(carrier, level, DEFAULT, reason, skipped=True)
        raise FailedPrecondition(
            f"no carrier sells {level.value} for a {request.package_weight_grams} g parcel",
            reason=ErrorReason.ERROR_REASON_NO_CARRIER_SERVES,
        )
