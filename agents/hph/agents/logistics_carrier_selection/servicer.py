"""LogisticsCarrierSelectionService over gRPC: checks the request, builds the parcel (described, or
from a paid order's items and address), reads the carriers' on-time counts from the deliveries
projection and answers with the decision core's choice, its ranked alternatives and explanation."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import grpc

from holidaypeak.agents.v1 import agent_types_pb2
from holidaypeak.agents.v1 import logistics_carrier_selection_service_pb2 as pb
from holidaypeak.agents.v1 import logistics_carrier_selection_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import order_pb2, order_service_pb2, order_service_pb2_grpc, shipment_pb2
from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.agents.logistics_carrier_selection import decisions
from hph.agents.logistics_carrier_selection.deliveries import CONTAINER, GROUP, SOURCE, TOPIC, CarrierDeliveries
from hph.agents.logistics_carrier_selection.rates import Parcel, RateBook, default_rate_book
from hph.agents.runtime import data_freshness, explanation, narrate_if_asked
from hph.commerce.carriers import MAX_LENGTH_MM, MAX_WEIGHT_GRAMS, ServiceLevel
from hph.commerce.identifiers import check_order_id
from hph.runtime.clock import Clock, to_timestamp
from hph.runtime.deps import Dependencies
from hph.runtime.errors import FailedPrecondition, NotFound, Unavailable, Violations
from hph.runtime.narrator import Narrator
from hph.runtime.rpc.downstream import UNKNOWN_ID, PlatformClient
from hph.runtime.server import ServiceBinding

# What this agent keeps (the host creates it): the carriers' deliveries.
CONTAINERS = (CONTAINER,)
MAX_ALTERNATIVES = 10
# An order's parcel when only its order is given: this much per unit (products carry no weight yet).
ORDER_UNIT_GRAMS = 500
ORDER_DEADLINE_SECONDS = 5.0
PROMISE_HORIZON = timedelta(days=365)
NO_CARRIER_SERVES = ErrorReason.ERROR_REASON_NO_CARRIER_SERVES
LEVEL_FROM_PB = {shipment_pb2.ServiceLevel.Value(f"SERVICE_LEVEL_{lv.name}"): lv for lv in ServiceLevel}
LEVEL_TO_PB = {lv: number for number, lv in LEVEL_FROM_PB.items()}
SHIPPABLE = {order_pb2.ORDER_STATUS_PAID, order_pb2.ORDER_STATUS_FULFILLING, order_pb2.ORDER_STATUS_SHIPPED}


class OrderReader(PlatformClient):
    async def order(self, order_id: str) -> order_pb2.Order:
        stub = self._channels.stub("orders", order_service_pb2_grpc.OrderServiceStub)
        try:
            return await stub.GetOrder(  # type: ignore[no-any-return]
                order_service_pb2.GetOrderRequest(order_id=order_id),
                metadata=self._as_platform(),
                timeout=ORDER_DEADLINE_SECONDS,
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() in UNKNOWN_ID:
                raise NotFound(f"order {order_id} not found") from None
            raise Unavailable(f"the orders service did not answer ({exc.code().name}); retry shortly") from None


class CarrierSelectionServicer(pb_grpc.LogisticsCarrierSelectionServiceServicer):
    def __init__(
        self,
        book: RateBook,
        deliveries: CarrierDeliveries,
        orders: OrderReader,
        clock: Clock,
        narrator: Narrator | None = None,
    ) -> None:
        self._book = book
        self._deliveries = deliveries
        self._orders = orders
        self._clock = clock
        self._narrator = narrator or Narrator.off()

    async def SelectCarrier(self, request: pb.SelectCarrierRequest, context: Any) -> pb.SelectCarrierResponse:
        now = self._clock()
        promised_by = self._check(request, now)
        parcel = await self._parcel(request)
        carriers = list(dict.fromkeys(c.strip().lower() for c in request.carriers)) or list(self._book.carriers.codes)
        counts = await self._deliveries.counts(carriers)
        try:
            selection = decisions.select(
                self._book,
                parcel,
                now=now,
                promised_by=promised_by,
                counts=counts,
                min_level=LEVEL_FROM_PB.get(request.min_service_level),
                carriers=carriers,
                max_alternatives=request.max_alternatives or decisions.DEFAULT_ALTERNATIVES,
            )
        except decisions.NoCarrier as exc:
            raise FailedPrecondition(
                str(exc), reason=NO_CARRIER_SERVES, metadata={"carriers": ",".join(carriers)}
            ) from None
        response = pb.SelectCarrierResponse(
            selected=self._option(selection.selected, selection.promised_by),
            alternatives=[self._option(o, selection.promised_by) for o in selection.alternatives],
            explanation=explanation(
                selection.summary,
                selection.drivers,
                method=f"{decisions.METHOD}+{self._book.version}",
                freshness=data_freshness(
                    now,
                    data_as_of=self._deliveries.freshness.data_as_of,
                    sources=[SOURCE, f"rates:{self._book.version}", "carriers:hph.commerce"],
                ),
            ),
        )
        await narrate_if_asked(self._narrator, response, context, subject="carrier selection")
        return response

    def _check(self, request: pb.SelectCarrierRequest, now: datetime) -> date | None:
        violations = Violations()
        has_order, has_parcel = bool(request.order_id), request.HasField("parcel")
        violations.check(has_order != has_parcel, "order_id", "give exactly one of order_id and parcel")
        if has_order:
            check_order_id(violations, request.order_id)
        if has_parcel:
            parcel = request.parcel
            violations.check(
                1 <= parcel.weight_grams <= MAX_WEIGHT_GRAMS, "parcel.weight_grams", f"must be 1..{MAX_WEIGHT_GRAMS}"
            )
            for side in ("length_mm", "width_mm", "height_mm"):
                value = getattr(parcel, side)
                violations.check(0 <= value <= MAX_LENGTH_MM, f"parcel.{side}", f"must be 0..{MAX_LENGTH_MM}")
            code = parcel.destination_country_code
            violations.check(
                len(code) == 2 and code.isalpha() and code.isascii(),
                "parcel.destination_country_code",
                "an ISO 3166-1 alpha-2 code is required",
            )
            violations.check(
                len(parcel.destination_postal_code) <= 32, "parcel.destination_postal_code", "at most 32 characters"
            )
        violations.check(
            request.min_service_level == 0 or request.min_service_level in LEVEL_FROM_PB,
            "min_service_level",
            "is not a known service level",
        )
        for index, code in enumerate(request.carriers):
            violations.check(
                self._book.carriers.get(code.strip().lower()) is not None,
                f"carriers[{index}]",
                f"must be one of {', '.join(self._book.carriers.codes)}",
            )
        violations.check(
            0 <= request.max_alternatives <= MAX_ALTERNATIVES, "max_alternatives", f"must be 0..{MAX_ALTERNATIVES}"
        )
        promised: date | None = None
        if request.HasField("promised_by"):
            try:
                moment = request.promised_by.ToDatetime(tzinfo=UTC)
            except (ValueError, OverflowError):
                violations.add("promised_by", "is not a valid timestamp")
            else:
                if violations.check(
                    now.date() <= moment.date() and moment <= now + PROMISE_HORIZON,
                    "promised_by",
                    "must be from today to a year ahead",
                ):
                    promised = moment.date()
        violations.raise_if_any()
        return promised

    async def _parcel(self, request: pb.SelectCarrierRequest) -> Parcel:
        if request.HasField("parcel"):
            given = request.parcel
            return Parcel(
                given.weight_grams,
                given.length_mm,
                given.width_mm,
                given.height_mm,
                given.destination_country_code.upper(),
                given.destination_postal_code,
            )
        order = await self._orders.order(request.order_id)
        if order.status not in SHIPPABLE:
            raise FailedPrecondition(
                f"order {order.id} is not paid: only paid orders are shipped",
                reason=ErrorReason.ERROR_REASON_ORDER_NOT_SHIPPABLE,
                subject=f"orders/{order.id}",
            )
        units = sum(item.quantity for item in order.items)
        address = order.shipping_address
        weight = min(MAX_WEIGHT_GRAMS, max(1, units) * ORDER_UNIT_GRAMS)
        return Parcel(weight, country_code=address.country_code.upper(), postal_code=address.postal_code)

    def _option(self, option: decisions.Option, promised_by: date) -> pb.CarrierOption:
        quote = option.quote
        start = datetime.combine(option.delivery_day, time(8), tzinfo=UTC)
        end = datetime.combine(option.delivery_day + timedelta(days=1), time(0), tzinfo=UTC)
        return pb.CarrierOption(
            carrier=quote.carrier.code,
            service_level=LEVEL_TO_PB[quote.level],  # type: ignore[arg-type]
            rate=agent_types_pb2.Money(
                currency_code=self._book.currency_code, amount_minor=quote.rate_minor, amount=quote.rate_minor / 100
            ),
            zone=quote.zone.name,
            billable_weight_grams=quote.billable_weight_grams,
            dimensional_weight_grams=quote.dimensional_weight_grams,
            estimate=agent_types_pb2.DeliveryEstimate(
                estimated_delivery_at=to_timestamp(datetime.combine(option.delivery_day, time(17), tzinfo=UTC)),
                window=agent_types_pb2.TimeWindow(start_time=to_timestamp(start), end_time=to_timestamp(end)),
                confidence=round(option.on_time_rate, 4),
                at_risk=not option.meets_promise,
            ),
            meets_promise=option.meets_promise,
            on_time_rate=round(option.on_time_rate, 4),
            score=round(option.score_minor / 100, 2),
            reason=option.reason,
        )


async def create_binding(deps: Dependencies) -> ServiceBinding:
    container = await deps.store.container(CONTAINER.name, CONTAINER.partition_key_path)
    deliveries = CarrierDeliveries(container, deps.clock)
    if deps.bus is not None:
        # Idempotent: one document per delivered shipment, a create that conflicts when repeated.
        deps.bus.subscribe(TOPIC, GROUP, deliveries.handle, idempotent=True)
    servicer = CarrierSelectionServicer(
        default_rate_book(),
        deliveries,
        OrderReader(deps.channels, deps.service_credentials),
        deps.clock,
        deps.narrator,
    )
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["LogisticsCarrierSelectionService"].full_name,
        add_to_server=lambda server: pb_grpc.add_LogisticsCarrierSelectionServiceServicer_to_server(servicer, server),
    )
