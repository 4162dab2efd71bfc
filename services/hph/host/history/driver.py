"""Plays a `HistoryPlan` through the real services, in simulated time.

The platform runs in this process (`start_platform`) on a `SimulatedClock`: every document and
event the services write is stamped by that clock (`deps.clock`), which the driver moves forward
to each planned moment before making the call a shopper or staff member would make at that moment,
over gRPC with dev tokens. The actions of all orders are kept in one queue ordered by their moment
(an order is placed, paid, shipped, scanned, delivered, reviewed, returned days apart, interleaved
with the other orders), so the clock only ever moves forward and a scan is never "in the future".

The event log itself stamps each event's *enqueued* time with the wall clock, so in this mode the
enqueued times are the minutes of the generation while `occurred_at` in each envelope is the
simulated past. That is deliberate: retention (`event_retention_hours`) and `hph events lag` are
about the log's own time, and keeping them on the wall clock means a 90-day history is neither
swept on the next start nor reported as 90 days of lag; projections read `occurred_at`.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

import grpc

from holidaypeak.commerce.v1 import cart_service_pb2 as cart_pb
from holidaypeak.commerce.v1 import cart_service_pb2_grpc as cart_grpc
from holidaypeak.commerce.v1 import inventory_service_pb2 as inventory_pb
from holidaypeak.commerce.v1 import inventory_service_pb2_grpc as inventory_grpc
from holidaypeak.commerce.v1 import order_service_pb2 as orders_pb
from holidaypeak.commerce.v1 import order_service_pb2_grpc as orders_grpc
from holidaypeak.commerce.v1 import payment_service_pb2 as payments_pb
from holidaypeak.commerce.v1 import payment_service_pb2_grpc as payments_grpc
from holidaypeak.commerce.v1 import return_pb2, shipment_pb2
from holidaypeak.commerce.v1 import return_service_pb2 as returns_pb
from holidaypeak.commerce.v1 import return_service_pb2_grpc as returns_grpc
from holidaypeak.commerce.v1 import review_service_pb2 as reviews_pb
from holidaypeak.commerce.v1 import review_service_pb2_grpc as reviews_grpc
from holidaypeak.commerce.v1 import shipment_service_pb2 as shipments_pb
from holidaypeak.commerce.v1 import shipment_service_pb2_grpc as shipments_grpc
from holidaypeak.commerce.v1 import user_service_pb2 as users_pb
from holidaypeak.commerce.v1 import user_service_pb2_grpc as users_grpc
from hph.commerce.carriers import ServiceLevel, default_carrier_table
from hph.commerce.demo_data import generate_catalog
from hph.host.app import AGENTS, SERVICES, start_platform
from hph.host.history.plan import HUBS, REVIEW_PHRASES, SHOPPER_CITIES, HistoryPlan, PlannedOrder, plan_history
from hph.runtime.auth.dev_issuer import DevIssuer
from hph.runtime.clock import SimulatedClock
from hph.runtime.settings import Settings

log = logging.getLogger("hph.seed.history")

Metadata = tuple[tuple[str, str], ...]
# The card the offline payment provider always approves.
APPROVED_CARD = "pm_card_visa"
# Units a staff member adds when a product runs short (replenishment).
RESTOCK_UNITS = 200
_LEVELS = {
    "economy": shipment_pb2.SERVICE_LEVEL_ECONOMY,
    "standard": shipment_pb2.SERVICE_LEVEL_STANDARD,
    "expedited": shipment_pb2.SERVICE_LEVEL_EXPEDITED,
    "overnight": shipment_pb2.SERVICE_LEVEL_OVERNIGHT,
}
_TOKEN_SECONDS = 6 * 3600
# Called with (simulated days done, days) as the history advances.
Progress = Callable[[int, int], None]


@dataclass
class HistorySummary:
    """What the generated history holds (the CLI prints it; the tests compare two runs)."""

    days: int
    seed: int
    start: str = ""
    end: str = ""
    orders: int = 0
    revenue_minor: int = 0
    cancelled: int = 0
    shipments: int = 0
    delivered: int = 0
    late: int = 0
    exceptions: int = 0
    lost: int = 0
    reviews: int = 0
    returns: int = 0
    refunded_minor: int = 0
    restocks: int = 0
    failed_actions: int = 0
    orders_per_day: dict[str, int] = field(default_factory=dict)
    # Per delivered shipment: carrier, level, when the order was placed, where to, the carrier's own
    # estimate and the actual delivery (ISO times), for `hph eval eta`.
    deliveries: list[dict[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"history {self.start}..{self.end} ({self.days} days, seed {self.seed})",
            f"orders {self.orders} (cancelled {self.cancelled}), revenue {self.revenue_minor / 100:,.2f}",
            f"shipments {self.shipments}: delivered {self.delivered}, late {self.late}, "
            f"exceptions {self.exceptions}, lost {self.lost}",
            f"reviews {self.reviews}, returns {self.returns} (refunded {self.refunded_minor / 100:,.2f})",
            f"restocks {self.restocks}, failed actions {self.failed_actions}",
        ]


@dataclass
class _OrderState:
    planned: PlannedOrder
    order_id: str = ""
    shipment_id: str = ""
    estimated: datetime | None = None


Action = Callable[[], Awaitable[None]]


class HistoryDriver:
    """Drives the plan against a running platform reached on `channel`."""

    def __init__(self, channel: grpc.aio.Channel, issuer: DevIssuer, clock: SimulatedClock, plan: HistoryPlan) -> None:
        self._clock = clock
        self._issuer = issuer
        self._plan = plan
        self._queue: list[tuple[datetime, int, Action]] = []
        self._sequence = itertools.count()
        self._carriers = default_carrier_table()
        self._shoppers: list[tuple[Metadata, str, str]] = []  # (metadata, address id, card id)
        self.summary = HistorySummary(days=plan.days, seed=plan.seed)
        self._users = users_grpc.UserServiceStub(channel)
        self._cart = cart_grpc.CartServiceStub(channel)
        self._orders = orders_grpc.OrderServiceStub(channel)
        self._payments = payments_grpc.PaymentServiceStub(channel)
        self._shipments = shipments_grpc.ShipmentServiceStub(channel)
        self._reviews = reviews_grpc.ReviewServiceStub(channel)
        self._returns = returns_grpc.ReturnServiceStub(channel)
        self._inventory = inventory_grpc.InventoryServiceStub(channel)

    def _auth(self, role: str, sub: str) -> Metadata:
        token = self._issuer.issue(sub, role, email=f"{sub}@example.com", ttl_seconds=_TOKEN_SECONDS)
        return (("authorization", f"Bearer {token}"),)

    def _at(self, moment: datetime, action: Action) -> None:
        heapq.heappush(self._queue, (moment, next(self._sequence), action))

    async def run(self, progress: Progress | None = None) -> HistorySummary:
        plan = self._plan
        self.summary.start = plan.start.isoformat()
        self.summary.end = (plan.start + timedelta(days=plan.days - 1)).isoformat()
        self._staff = self._auth("staff", "history-staff")
        self._admin = self._auth("admin", "history-admin")
        await self._register_shoppers()
        for planned in plan.orders:
            state = _OrderState(planned)
            self._at(planned.placed_at, partial(self._place, state))
        # The history stops at the start of `end`: what would happen later (parcels still moving,
        # reviews not yet written) is left undone, as it is at any real moment.
        stop = datetime.combine(plan.start + timedelta(days=plan.days), time(), tzinfo=UTC)
        while self._queue and self._queue[0][0] < stop:
            moment, _, action = heapq.heappop(self._queue)
            self._clock.advance_to(moment)
            try:
                await action()
            except grpc.aio.AioRpcError as failure:
                self.summary.failed_actions += 1
                log.warning(
                    "history action failed",
                    extra={"at": moment.isoformat(), "code": failure.code().name, "detail": failure.details()},
                )
            if progress is not None:
                progress(min(plan.days, (moment.date() - plan.start).days), plan.days)
        if progress is not None:
            progress(plan.days, plan.days)
        return self.summary

    async def _register_shoppers(self) -> None:
        for index in range(self._plan.shoppers):
            sub = f"history-shopper-{index:03d}"
            me = self._auth("customer", sub)
            city, region, postal = SHOPPER_CITIES[index % len(SHOPPER_CITIES)]
            await self._users.Register(users_pb.RegisterRequest(name=f"Demo Shopper {index}"), metadata=me)
            address = await self._users.CreateAddress(
                users_pb.CreateAddressRequest(
                    name=f"Demo Shopper {index}",
                    line1=f"{100 + index} Main Street",
                    city=city,
                    region=region,
                    postal_code=postal,
                    country_code="US",
                ),
                metadata=me,
            )
            card = await self._users.CreatePaymentMethod(
                users_pb.CreatePaymentMethodRequest(token=APPROVED_CARD), metadata=me
            )
            self._shoppers.append((me, address.id, card.id))

    async def _place(self, state: _OrderState) -> None:
        me, address_id, card_id = self._shoppers[state.planned.shopper]
        for sku, quantity in state.planned.lines:
            await self._add_to_cart(me, sku, quantity)
        create = orders_pb.CreateOrderRequest(
            shipping_address_id=address_id,
            payment_method_id=card_id,
            request_id=uuid.uuid4().hex,
            campaign_code=state.planned.campaign_code,
        )
        try:
            order = await self._orders.CreateOrder(create, metadata=me)
        except grpc.aio.AioRpcError as failure:
            if failure.code() != grpc.StatusCode.FAILED_PRECONDITION:
                raise
            await self._restock([sku for sku, _ in state.planned.lines])
            order = await self._orders.CreateOrder(create, metadata=me)
        await self._payments.CreatePayment(
            payments_pb.CreatePaymentRequest(
                order_id=order.id,
                payment_method_id=card_id,
                amount_minor=order.total_minor,
                currency_code=order.currency_code,
                request_id=uuid.uuid4().hex,
            ),
            metadata=me,
        )
        state.order_id = order.id
        self.summary.orders += 1
        day = state.planned.placed_at.date().isoformat()
        self.summary.orders_per_day[day] = self.summary.orders_per_day.get(day, 0) + 1
        if state.planned.cancelled:
            self._at(state.planned.placed_at + timedelta(hours=1), lambda: self._cancel(state))
            return
        self.summary.revenue_minor += order.total_minor
        self._at(_ship_moment(state.planned.placed_at), lambda: self._ship(state))

    async def _add_to_cart(self, me: Metadata, sku: str, quantity: int) -> None:
        request = cart_pb.AddCartItemRequest(product_id=sku, quantity=quantity, request_id=uuid.uuid4().hex)
        try:
            await self._cart.AddCartItem(request, metadata=me)
        except grpc.aio.AioRpcError as failure:
            if failure.code() != grpc.StatusCode.FAILED_PRECONDITION:
                raise
            await self._restock([sku])
            await self._cart.AddCartItem(request, metadata=me)

    async def _restock(self, skus: list[str]) -> None:
        for sku in skus:
            await self._inventory.UpdateInventoryItem(
                inventory_pb.UpdateInventoryItemRequest(
                    sku=sku, quantity_on_hand_delta=RESTOCK_UNITS, reason="replenishment"
                ),
                metadata=self._staff,
            )
            self.summary.restocks += 1

    async def _cancel(self, state: _OrderState) -> None:
        me = self._shoppers[state.planned.shopper][0]
        await self._orders.CancelOrder(
            orders_pb.CancelOrderRequest(
                order_id=state.order_id, reason="changed my mind", request_id=uuid.uuid4().hex
            ),
            metadata=me,
        )
        self.summary.cancelled += 1

    async def _ship(self, state: _OrderState) -> None:
        fate = state.planned.shipment
        assert fate is not None
        shipment = await self._shipments.CreateShipment(
            shipments_pb.CreateShipmentRequest(
                order_id=state.order_id,
                carrier=fate.carrier,
                service_level=_LEVELS[fate.level],
                package_weight_grams=800 + 400 * len(state.planned.lines),
                request_id=uuid.uuid4().hex,
            ),
            metadata=self._staff,
        )
        self.summary.shipments += 1
        state.shipment_id = shipment.id
        shipped = self._clock()
        carrier = self._carriers.get(fate.carrier)
        assert carrier is not None
        estimated = carrier.estimate_delivery(shipped, ServiceLevel(fate.level))
        state.estimated = estimated
        delivered = _business_days(estimated, fate.delay_days).replace(hour=9, minute=0, second=0, microsecond=0)
        delivered = max(delivered, shipped + timedelta(hours=20))
        hub = HUBS[state.planned.placed_at.second % len(HUBS)]
        scans: list[tuple[datetime, int, str]] = [
            (shipped + timedelta(hours=2), shipment_pb2.SHIPMENT_STATUS_PICKED_UP, "Warehouse, Reno, NV, US"),
            (shipped + timedelta(hours=10), shipment_pb2.SHIPMENT_STATUS_IN_TRANSIT, hub),
        ]
        if fate.exception:
            scans += [
                (shipped + timedelta(hours=20), shipment_pb2.SHIPMENT_STATUS_EXCEPTION, hub),
                (shipped + timedelta(hours=30), shipment_pb2.SHIPMENT_STATUS_IN_TRANSIT, hub),
            ]
        if fate.lost:
            self.summary.lost += 1
        else:
            scans += [
                (
                    max(delivered - timedelta(hours=2), scans[-1][0] + timedelta(hours=1)),
                    shipment_pb2.SHIPMENT_STATUS_OUT_FOR_DELIVERY,
                    "Local depot",
                ),
                (
                    max(delivered + timedelta(hours=3), scans[-1][0] + timedelta(hours=4)),
                    shipment_pb2.SHIPMENT_STATUS_DELIVERED,
                    "Front door",
                ),
            ]
        for moment, status, location in scans:
            self._at(
                moment,
                partial(self._scan, state, moment, status, location),
            )

    async def _scan(self, state: _OrderState, moment: datetime, status: int, location: str) -> None:
        await self._shipments.AddShipmentEvent(
            shipments_pb.AddShipmentEventRequest(
                shipment_id=state.shipment_id,
                status=status,  # type: ignore[arg-type]
                location=location,
                description="carrier scan",
                request_id=uuid.uuid4().hex,
            ),
            metadata=self._staff,
        )
        if status == shipment_pb2.SHIPMENT_STATUS_EXCEPTION:
            self.summary.exceptions += 1
        if status != shipment_pb2.SHIPMENT_STATUS_DELIVERED:
            return
        self.summary.delivered += 1
        estimated = state.estimated
        assert estimated is not None and state.planned.shipment is not None
        if moment.date() > estimated.date():
            self.summary.late += 1
        self.summary.deliveries.append(
            {
                "shipment_id": state.shipment_id,
                "carrier": state.planned.shipment.carrier,
                "service_level": state.planned.shipment.level,
                "placed_at": state.planned.placed_at.isoformat(),
                "postal_code": SHOPPER_CITIES[state.planned.shopper % len(SHOPPER_CITIES)][2],
                "estimated": estimated.isoformat(),
                "delivered": moment.isoformat(),
            }
        )
        planned = state.planned
        if planned.review_rating:
            self._at(moment + timedelta(days=planned.review_after_days), lambda: self._review(state))
        if planned.returned:
            self._at(moment + timedelta(days=planned.return_after_days), lambda: self._return(state))

    async def _review(self, state: _OrderState) -> None:
        me = self._shoppers[state.planned.shopper][0]
        rating = state.planned.review_rating
        phrases = REVIEW_PHRASES[rating]
        phrase = phrases[len(state.planned.lines) % len(phrases)]
        try:
            await self._reviews.CreateReview(
                reviews_pb.CreateReviewRequest(
                    product_id=state.planned.lines[0][0],
                    rating=rating,
                    title=phrase.capitalize(),
                    comment=f"{phrase.capitalize()}. Bought it for the holidays; {phrases[0]}.",
                    request_id=uuid.uuid4().hex,
                ),
                metadata=me,
            )
        except grpc.aio.AioRpcError as failure:
            if failure.code() != grpc.StatusCode.ALREADY_EXISTS:  # this shopper reviewed the product before
                raise
            return
        self.summary.reviews += 1

    async def _return(self, state: _OrderState) -> None:
        me = self._shoppers[state.planned.shopper][0]
        sku, quantity = state.planned.lines[0]
        created = await self._returns.CreateReturn(
            returns_pb.CreateReturnRequest(
                order_id=state.order_id,
                items=[return_pb2.ReturnItem(product_id=sku, quantity=quantity)],
                reason=return_pb2.RETURN_REASON_NO_LONGER_NEEDED,
                request_id=uuid.uuid4().hex,
            ),
            metadata=me,
        )
        self.summary.returns += 1
        await self._returns.ApproveReturn(returns_pb.ApproveReturnRequest(return_id=created.id), metadata=self._admin)
        self._at(self._clock() + timedelta(days=3), lambda: self._receive_and_refund(created.id))

    async def _receive_and_refund(self, return_id: str) -> None:
        await self._returns.ReceiveReturn(returns_pb.ReceiveReturnRequest(return_id=return_id), metadata=self._staff)
        await self._returns.RestockReturn(returns_pb.RestockReturnRequest(return_id=return_id), metadata=self._staff)
        refunded = await self._returns.RefundReturn(
            returns_pb.RefundReturnRequest(return_id=return_id), metadata=self._admin
        )
        self.summary.refunded_minor += refunded.refund_amount_minor


def _ship_moment(placed_at: datetime) -> datetime:
    """Orders placed before the 14:00 cut-off leave the same afternoon, later ones the next business day."""
    moment = placed_at.replace(hour=16, minute=0, second=0, microsecond=0)
    if placed_at.hour >= 14:
        moment += timedelta(days=1)
    while moment.weekday() >= 5:
        moment += timedelta(days=1)
    return max(moment, placed_at + timedelta(hours=2))


def _business_days(moment: datetime, days: int) -> datetime:
    step = timedelta(days=1 if days >= 0 else -1)
    for _ in range(abs(days)):
        moment += step
        while moment.weekday() >= 5:
            moment += step
    return moment


async def generate_history(
    settings: Settings,
    *,
    days: int,
    seed: int,
    orders_per_day: float = 12.0,
    shoppers: int = 40,
    end: date | None = None,
    progress: Progress | None = None,
) -> HistorySummary:
    """Runs the platform in this process on a simulated clock over the `days` days before `end`
    (today by default) and plays the plan for `seed` through it; the data dir keeps the result."""
    last = end or datetime.now(UTC).date()
    plan = plan_history(
        list(generate_catalog().products),
        days=days,
        seed=seed,
        end=last,
        orders_per_day=orders_per_day,
        shoppers=shoppers,
    )
    clock = SimulatedClock(datetime.combine(plan.start, datetime.min.time(), tzinfo=UTC))
    local = replace(settings, grpc_host="127.0.0.1", grpc_port=0, dev_issuer_enabled=True)
    platform = await start_platform(local, [*SERVICES, *AGENTS], seed=True, clock=clock)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{platform.grpc.port}")
    try:
        issuer = DevIssuer.from_settings(local)
        summary = await HistoryDriver(channel, issuer, clock, plan).run(progress)
    finally:
        await channel.close()
        await platform.stop()
    log.info("demo history generated", extra={"summary": {k: v for k, v in vars(summary).items() if k != "deliveries"}})
    return summary
