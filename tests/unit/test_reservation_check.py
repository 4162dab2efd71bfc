"""CreateOrder's reading of the reservation policy answer (which refusal, which fields), a
FailedPrecondition's field violations on the wire and through a downstream caller, and the agent's
hot-purchases projection on a real SQLite store (idempotent, cancellations, the window)."""

from __future__ import annotations

from datetime import UTC, datetime

import grpc
import pytest
from google.rpc import error_details_pb2

from holidaypeak.agents.v1 import inventory_reservation_validation_service_pb2 as pb
from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from holidaypeak.events.v1 import order_events_pb2
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.agents.inventory_reservation_validation.purchases import PURCHASES, PURCHASES_KEY, HotPurchases
from hph.runtime.errors import FailedPrecondition, FieldViolation
from hph.runtime.events import new_event
from hph.runtime.rpc.downstream import refusal_from
from hph.runtime.storage import SqliteDocumentStore
from hph.services.orders.reservation_check import policy_refusal

pytestmark = pytest.mark.unit

ENDS = datetime(2026, 12, 31, tzinfo=UTC)


def answer(*lines: pb.LineValidation, decision: int) -> pb.ValidateReservationResponse:
    window = pb.PeakWindow(active=True)
    window.ends_at.FromDatetime(ENDS)
    return pb.ValidateReservationResponse(decision=decision, lines=lines, peak_window=window)


def line(sku: str, requested: int, allowed: int, decision: int, factor: int, *options: str) -> pb.LineValidation:
    return pb.LineValidation(
        product_id=sku,
        sku=sku,
        requested_quantity=requested,
        allowed_quantity=allowed,
        decision=decision,
        limiting_factor=factor,
        reason=f"reason of {sku}",
        options=[pb.ReservationOption(reason=text) for text in options],
    )


ALLOWED = line("A-1", 1, 1, pb.RESERVATION_DECISION_ALLOW, pb.LIMITING_FACTOR_NONE)
LIMITED = line("HOT-1", 3, 1, pb.RESERVATION_DECISION_LIMIT, pb.LIMITING_FACTOR_PEAK_LIMIT, "order 1 instead of 3")
SHORT = line(
    "B-2",
    5,
    2,
    pb.RESERVATION_DECISION_BACKORDER,
    pb.LIMITING_FACTOR_EFFECTIVE_AVAILABILITY,
    "order the 2 available now",
    "order 2 now and 3 on backorder, restocked in about 7 days",
)


def test_an_answer_allowing_every_line_refuses_nothing() -> None:
    assert policy_refusal(answer(ALLOWED, decision=pb.RESERVATION_DECISION_ALLOW)) is None


def test_a_peak_limit_is_purchase_limit_exceeded_naming_every_held_back_line() -> None:
    refusal = policy_refusal(answer(ALLOWED, LIMITED, SHORT, decision=pb.RESERVATION_DECISION_LIMIT))
    assert refusal is not None
    assert refusal.reason == ErrorReason.ERROR_REASON_PURCHASE_LIMIT_EXCEEDED
    assert refusal.subject == "products/HOT-1"
    assert dict(refusal.metadata) == {
        "skus": "HOT-1,B-2",
        "allowed": "HOT-1=1,B-2=2",
        "peak_window_ends_at": "2026-12-31T00:00:00Z",
    }
    assert refusal.violations == (
        FieldViolation(
            "cart.items[1].quantity", "HOT-1: 1 of 3 allowed; reason of HOT-1. You can order 1 instead of 3"
        ),
        FieldViolation(
            "cart.items[2].quantity",
            "B-2: 2 of 5 allowed; reason of B-2. You can order the 2 available now; "
            "or order 2 now and 3 on backorder, restocked in about 7 days",
        ),
    )


def test_availability_alone_is_out_of_stock() -> None:
    refusal = policy_refusal(answer(SHORT, ALLOWED, decision=pb.RESERVATION_DECISION_BACKORDER))
    assert refusal is not None
    assert refusal.reason == ErrorReason.ERROR_REASON_OUT_OF_STOCK
    assert "peak_window_ends_at" not in refusal.metadata
    assert [v.field for v in refusal.violations] == ["cart.items[0].quantity"]


def test_field_violations_of_a_refusal_travel_as_bad_request_and_pass_through_a_caller() -> None:
    refusal = FailedPrecondition(
        "too many",
        reason=ErrorReason.ERROR_REASON_PURCHASE_LIMIT_EXCEEDED,
        subject="products/HOT-1",
        metadata={"skus": "HOT-1"},
        violations=(FieldViolation("cart.items[0].quantity", "at most 2"),),
    )
    status = refusal.to_status()
    kinds = [detail.type_url.rsplit(".", 1)[1] for detail in status.details]
    assert kinds == ["ErrorInfo", "PreconditionFailure", "BadRequest"]
    bad = error_details_pb2.BadRequest()
    status.details[2].Unpack(bad)
    assert [(v.field, v.description) for v in bad.field_violations] == [("cart.items[0].quantity", "at most 2")]
    assert len(FailedPrecondition("plain", reason=ErrorReason.ERROR_REASON_OUT_OF_STOCK).to_status().details) == 2

    # What a service that called the refusing one makes of it: the same refusal, fields included.
    received = grpc.aio.AioRpcError(
        grpc.StatusCode.FAILED_PRECONDITION,
        grpc.aio.Metadata(),
        grpc.aio.Metadata(("grpc-status-details-bin", status.SerializeToString())),
        details="too many",
    )
    passed_on = refusal_from(received, "orders")
    assert isinstance(passed_on, FailedPrecondition)
    assert (passed_on.reason, passed_on.subject, dict(passed_on.metadata)) == (
        ErrorReason.ERROR_REASON_PURCHASE_LIMIT_EXCEEDED,
        "products/HOT-1",
        {"skus": "HOT-1"},
    )
    assert passed_on.violations == (FieldViolation("cart.items[0].quantity", "at most 2"),)


# --- the hot-purchases projection --------------------------------------------------------------


def created(order_id: str, shopper: str, at: datetime, **lines: int) -> EventEnvelope:
    payload = order_events_pb2.OrderCreated(
        order_id=order_id,
        user_id=shopper,
        currency_code="USD",
        lines=[order_events_pb2.OrderLine(sku=sku.replace("_", "-"), quantity=n) for sku, n in lines.items()],
    )
    return new_event(payload, source="orders", subject=f"orders/{order_id}", partition_key=order_id, clock=lambda: at)


def cancelled(order_id: str, shopper: str, **lines: int) -> EventEnvelope:
    payload = order_events_pb2.OrderCancelled(
        order_id=order_id,
        user_id=shopper,
        lines=[order_events_pb2.OrderLine(sku=sku.replace("_", "-"), quantity=n) for sku, n in lines.items()],
    )
    return new_event(payload, source="orders", subject=f"orders/{order_id}", partition_key=order_id)


NOV_1 = datetime(2026, 11, 1, tzinfo=UTC)
DEC_1, DEC_2 = datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 2, tzinfo=UTC)
WINDOW_START = datetime(2026, 11, 20, tzinfo=UTC)


@pytest.fixture
async def purchases(store: SqliteDocumentStore) -> HotPurchases:
    return HotPurchases(await store.container(PURCHASES, PURCHASES_KEY), {"HOT-1", "HOT-2"})


async def test_purchases_count_hot_lines_in_the_window_once_each(purchases: HotPurchases) -> None:
    first = created("ORD-1", "ava", DEC_1, HOT_1=2, PLAIN_1=5)
    await purchases.handle(first)
    await purchases.handle(first)  # redelivered: no second effect
    await purchases.handle(created("ORD-2", "ava", DEC_2, HOT_1=1, HOT_2=1))
    await purchases.handle(created("ORD-0", "ava", NOV_1, HOT_1=7))  # before the window
    await purchases.handle(created("ORD-3", "ben", DEC_1, HOT_1=4))
    await purchases.handle(created("ORD-4", "ava", DEC_1, PLAIN_1=9))  # nothing hot
    assert await purchases.bought("ava", {"HOT-1", "HOT-2", "PLAIN-1"}, WINDOW_START) == {
        "HOT-1": 3,
        "HOT-2": 1,
        "PLAIN-1": 0,
    }
    assert await purchases.bought("ben", {"HOT-1"}, WINDOW_START) == {"HOT-1": 4}
    assert purchases.data_as_of == DEC_2


async def test_a_cancelled_order_stops_counting_even_when_the_cancellation_came_first(purchases: HotPurchases) -> None:
    await purchases.handle(created("ORD-1", "ava", DEC_1, HOT_1=2))
    await purchases.handle(cancelled("ORD-1", "ava", HOT_1=2))
    await purchases.handle(cancelled("ORD-1", "ava", HOT_1=2))  # redelivered
    await purchases.handle(cancelled("ORD-2", "ava", HOT_1=1))  # before its creation
    await purchases.handle(created("ORD-2", "ava", DEC_1, HOT_1=1))
    await purchases.handle(created("ORD-3", "ava", DEC_1, HOT_1=1))
    assert await purchases.bought("ava", {"HOT-1"}, WINDOW_START) == {"HOT-1": 1}
