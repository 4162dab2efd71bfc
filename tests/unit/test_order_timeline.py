"""The order-status core: entries and actors derived from envelopes, idempotent folding in time
order, current state and next step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from holidaypeak.events.v1 import order_events_pb2 as orders
from holidaypeak.events.v1 import payment_events_pb2 as payments
from holidaypeak.events.v1 import return_events_pb2 as returns
from holidaypeak.events.v1 import shipment_events_pb2 as shipments
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.agents.order_status import timeline

pytestmark = pytest.mark.unit

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
OWNER = "ava"


def envelope(event_id: str, minutes: int, causation: str = "", **payload: object) -> EventEnvelope:
    ((field, message),) = payload.items()
    env = EventEnvelope(
        event_id=event_id, event_type=f"holidaypeak.events.v1.{type(message).__name__}", causation_id=causation
    )
    env.occurred_at.FromDatetime(T0 + timedelta(minutes=minutes))
    getattr(env, field).CopyFrom(message)
    return env


def journey() -> list[EventEnvelope]:
    return [
        envelope(
            "e1",
            0,
            order_created=orders.OrderCreated(
                order_id="O",
                user_id=OWNER,
                currency_code="USD",
                total_minor=2500,
                lines=[orders.OrderLine(sku="S", quantity=2)],
            ),
        ),
        envelope(
            "e2",
            1,
            payment_succeeded=payments.PaymentSucceeded(
                order_id="O", user_id=OWNER, payment_id="P", amount_minor=2500, currency_code="USD"
            ),
        ),
        envelope(
            "e3",
            1,
            order_status_changed=orders.OrderStatusChanged(
                order_id="O",
                user_id=OWNER,
                previous_status=orders.ORDER_STATUS_PENDING,
                new_status=orders.ORDER_STATUS_PAID,
            ),
        ),
        envelope(
            "e4",
            60,
            shipment_created=shipments.ShipmentCreated(order_id="O", user_id=OWNER, shipment_id="SH", carrier="ups"),
        ),
        envelope(
            "e5",
            120,
            shipment_status_changed=shipments.ShipmentStatusChanged(
                order_id="O",
                user_id=OWNER,
                shipment_id="SH",
                new_status=shipments.SHIPMENT_STATUS_PICKED_UP,
                location="Memphis, TN",
            ),
        ),
    ]


def folded(events: list[EventEnvelope]) -> dict[str, object]:
    doc = timeline.new_document("O", OWNER)
    for env in events:
        doc = timeline.fold(doc, env) or doc
    return doc


def test_actors_come_from_what_the_envelope_carries() -> None:
    doc = folded(journey())
    assert [(e["event_type"], e["actor"]) for e in doc["entries"]] == [  # type: ignore[index]
        ("OrderCreated", "customer"),
        ("PaymentSucceeded", "customer"),
        ("OrderStatusChanged", "system"),  # paid follows the payment
        ("ShipmentCreated", "staff"),
        ("ShipmentStatusChanged", "carrier"),
    ]
    by_staff = envelope(
        "c", 5, order_cancelled=orders.OrderCancelled(order_id="O", user_id=OWNER, actor_id="staff-sam")
    )
    by_owner = envelope("c", 5, order_cancelled=orders.OrderCancelled(order_id="O", user_id=OWNER, actor_id=OWNER))
    expired = envelope("c", 5, order_cancelled=orders.OrderCancelled(order_id="O", user_id=OWNER))
    assert [timeline.entry_of(e)["actor"] for e in (by_staff, by_owner, expired)] == ["staff", "customer", "system"]  # type: ignore[index]
    caused = envelope("r", 5, "c", refund_issued=payments.RefundIssued(order_id="O", user_id=OWNER, refund_id="R"))
    manual = envelope("r", 5, refund_issued=payments.RefundIssued(order_id="O", user_id=OWNER, refund_id="R"))
    assert [timeline.entry_of(e)["actor"] for e in (caused, manual)] == ["system", "staff"]  # type: ignore[index]
    fulfilling = envelope(
        "f",
        5,
        order_status_changed=orders.OrderStatusChanged(
            order_id="O",
            user_id=OWNER,
            previous_status=orders.ORDER_STATUS_PAID,
            new_status=orders.ORDER_STATUS_FULFILLING,
        ),
    )
    assert timeline.entry_of(fulfilling)["actor"] == "staff"  # type: ignore[index]


def test_folding_is_idempotent_and_in_time_order_whatever_the_arrival_order() -> None:
    events = journey()
    once = folded(events)
    assert folded(events + events) == once
    assert folded(list(reversed(events)))["entries"] == once["entries"]
    assert timeline.fold(once, events[2]) is None  # a redelivery changes nothing


def test_state_and_next_step_follow_the_order() -> None:
    events = journey()
    assert timeline.next_step(folded(events[:1])).code == "pay_order"  # type: ignore[union-attr]
    assert timeline.next_step(folded(events[:3])).code == "pack_and_ship"  # type: ignore[union-attr]
    shipped = folded(events)
    assert shipped["payment"] == "paid" and shipped["status"] == orders.ORDER_STATUS_PAID
    assert timeline.open_shipment(shipped) == "SH"
    assert timeline.next_step(shipped).code == "carrier_delivers"  # type: ignore[union-attr]
    assert timeline.headline(shipped).startswith("On its way: picked up since 2026-12-01")
    requested = envelope(
        "x", 500, return_requested=returns.ReturnRequested(order_id="O", user_id=OWNER, return_id="RT")
    )
    assert timeline.next_step(folded([*events, requested])).code == "staff_reviews_return"  # type: ignore[union-attr]


def test_the_placing_status_change_and_unknown_events_make_no_entry() -> None:
    placing = envelope(
        "p",
        0,
        order_status_changed=orders.OrderStatusChanged(
            order_id="O", user_id=OWNER, new_status=orders.ORDER_STATUS_PENDING
        ),
    )
    assert timeline.entry_of(placing) is None
    assert timeline.entry_of(EventEnvelope(event_id="z")) is None
