"""The crm-activity projection on the real SQLite store: a customer's order, refund, return, ticket
and registration events become the activity the CRM agents read; a redelivery changes nothing; the
topics interleaved in any order (each topic's events keeping their own order, as partitions do) end
in the same documents; and a segmentation run kept by SegmentRuns reads the projection and rotates
only when a customer moved."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.message import Message

from holidaypeak.events.v1 import order_events_pb2 as order_ev
from holidaypeak.events.v1 import payment_events_pb2 as payment_ev
from holidaypeak.events.v1 import return_events_pb2 as return_ev
from holidaypeak.events.v1 import ticket_events_pb2 as ticket_ev
from holidaypeak.events.v1 import user_events_pb2 as user_ev
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.agents.crm_activity import CONTAINER, CustomerActivity, Stage
from hph.agents.crm_activity.records import ReturnStage
from hph.agents.crm_segmentation_personalization.rfm import Segment
from hph.agents.crm_segmentation_personalization.runs import SegmentRuns
from hph.runtime.events import new_event
from hph.runtime.storage import Query
from hph.runtime.storage.sqlite import SqliteDocumentStore
from tests.support.clocks import ManualClock

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 20, 10, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteDocumentStore]:
    opened = await SqliteDocumentStore.open(tmp_path / "store.sqlite3")
    try:
        yield opened
    finally:
        await opened.close()


def at(payload: Message, hours: float, key: str) -> EventEnvelope:
    envelope = new_event(payload, source="test", subject=f"test/{key}", partition_key=key)
    envelope.occurred_at.FromDatetime(T0 + timedelta(hours=hours))
    return envelope


def streams(user: str) -> dict[str, list[EventEnvelope]]:
    """One customer's events per topic, each topic in its own order."""
    order, ret, ticket = f"ord-{user}", f"ret-{user}", f"tkt-{user}"
    line = order_ev.OrderLine(sku="ORN-1", category_id="ornaments", quantity=3, name="Glass ball")
    return {
        "user-events": [at(user_ev.UserRegistered(user_id=user), 0, user)],
        "order-events": [
            at(
                order_ev.OrderCreated(
                    order_id=order,
                    user_id=user,
                    lines=[line],
                    total_minor=9_000,
                    currency_code="USD",
                    campaign_code="HOLIDAY-EMAIL",
                ),
                1,
                order,
            ),
            at(order_ev.OrderPaid(order_id=order, user_id=user, amount_minor=9_000, currency_code="USD"), 1.1, order),
            at(
                order_ev.OrderStatusChanged(order_id=order, user_id=user, new_status=order_ev.ORDER_STATUS_DELIVERED),
                50,
                order,
            ),
            at(
                order_ev.OrderStatusChanged(
                    order_id=order, user_id=user, new_status=order_ev.ORDER_STATUS_PARTIALLY_RETURNED
                ),
                130,
                order,
            ),
        ],
        "payment-events": [
            at(
                payment_ev.RefundIssued(
                    refund_id="rf-1",
                    payment_id="p",
                    order_id=order,
                    user_id=user,
                    amount_minor=3_000,
                    total_refunded_minor=3_000,
                    currency_code="USD",
                ),
                129,
                order,
            ),
        ],
        "return-events": [
            at(
                return_ev.ReturnRequested(
                    return_id=ret,
                    order_id=order,
                    user_id=user,
                    lines=[return_ev.ReturnLine(sku="ORN-1", quantity=1)],
                    reason=return_ev.RETURN_REASON_DAMAGED,
                ),
                60,
                order,
            ),
            at(return_ev.ReturnApproved(return_id=ret, order_id=order, user_id=user), 61, order),
            at(return_ev.ReturnReceived(return_id=ret, order_id=order, user_id=user), 120, order),
            at(
                return_ev.ReturnRefunded(
                    return_id=ret, order_id=order, user_id=user, amount_minor=3_000, currency_code="USD"
                ),
                129,
                order,
            ),
        ],
        "ticket-events": [
            at(
                ticket_ev.TicketCreated(
                    ticket_id=ticket, user_id=user, order_id=order, priority=ticket_ev.TICKET_PRIORITY_NORMAL
                ),
                70,
                ticket,
            ),
            at(
                ticket_ev.TicketTriaged(
                    ticket_id=ticket,
                    user_id=user,
                    priority=ticket_ev.TICKET_PRIORITY_HIGH,
                    category=ticket_ev.TICKET_CATEGORY_RETURN,
                ),
                71,
                ticket,
            ),
            at(
                ticket_ev.TicketStatusChanged(
                    ticket_id=ticket, user_id=user, new_status=ticket_ev.TICKET_STATUS_RESOLVED
                ),
                90,
                ticket,
            ),
            at(
                ticket_ev.TicketStatusChanged(
                    ticket_id=ticket, user_id=user, new_status=ticket_ev.TICKET_STATUS_IN_PROGRESS
                ),
                95,
                ticket,
            ),
        ],
    }


def interleaved(per_topic: dict[str, list[EventEnvelope]], rng: random.Random) -> list[EventEnvelope]:
    """The topics merged in a random order, each keeping its own order."""
    queues = {topic: list(events) for topic, events in per_topic.items()}
    merged = []
    while any(queues.values()):
        topic = rng.choice([t for t, q in queues.items() if q])
        merged.append(queues[topic].pop(0))
    return merged


async def documents(store: SqliteDocumentStore) -> list[dict[str, Any]]:
    container = await CONTAINER.open(store)
    items = (await container.query(Query(), max_items=1000)).items
    return sorted(({k: v for k, v in d.items() if not k.startswith("_")} for d in items), key=lambda d: str(d["id"]))


async def test_events_become_the_customers_activity_and_a_redelivery_changes_nothing(
    store: SqliteDocumentStore,
) -> None:
    activity = await CustomerActivity.open(store)
    log = [event for events in streams("ava").values() for event in events]
    for envelope in log:
        await activity.apply(envelope)
    ava = await activity.of("ava")
    (order,) = ava.orders
    assert (order.order_id, order.total_minor, order.refunded_minor, order.net_minor) == (
        "ord-ava",
        9_000,
        3_000,
        6_000,
    )
    assert order.stage is Stage.PARTIALLY_RETURNED and order.delivered and order.campaign_code == "HOLIDAY-EMAIL"
    assert [(line.sku, line.category_id, line.quantity) for line in order.lines] == [("ORN-1", "ornaments", 3)]
    (returned,) = ava.returns
    assert (returned.units, returned.stage, returned.reason) == (
        1,
        ReturnStage.REFUNDED,
        return_ev.RETURN_REASON_DAMAGED,
    )
    (ticket,) = ava.tickets
    assert (ticket.status, ticket.priority, ticket.open) == (ticket_ev.TICKET_STATUS_IN_PROGRESS, 3, True)
    assert ava.registered_at == T0 and ava.data_as_of == T0 + timedelta(hours=130)

    before = await documents(store)
    for envelope in log:  # every event delivered again
        await activity.apply(envelope)
    assert await documents(store) == before


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
async def test_the_topics_in_any_order_end_in_the_same_documents(tmp_path: Path, seed: int) -> None:
    results = []
    for attempt, order in enumerate(("as-written", "interleaved")):
        store = await SqliteDocumentStore.open(tmp_path / f"{order}-{attempt}.sqlite3")
        try:
            activity = await CustomerActivity.open(store)
            per_topic = streams("ben")
            log = (
                [e for events in per_topic.values() for e in events]
                if order == "as-written"
                else interleaved(per_topic, random.Random(seed))
            )
            for envelope in log:
                await activity.apply(envelope)
            results.append(await documents(store))
        finally:
            await store.close()
    assert results[0] == results[1]


async def test_segmentation_runs_read_the_projection_and_rotate_only_when_someone_moved(
    store: SqliteDocumentStore,
) -> None:
    activity = await CustomerActivity.open(store)
    for user in ("ava", "ben"):
        for events in streams(user).values():
            for envelope in events:
                await activity.apply(envelope)
    clock = ManualClock(T0 + timedelta(days=10))
    runs = SegmentRuns(activity, None, clock, refresh=timedelta(minutes=15))
    first = await runs.latest()
    assert set(first.current.customers) == {"ava", "ben"} and first.previous is None
    clock.advance(20 * 60)
    again = await runs.latest()
    assert again.current.run_at > first.current.run_at and again.previous is None  # nobody moved

    await activity.apply(at(user_ev.UserRegistered(user_id="cy"), 240, "cy"))
    moved = await runs.latest(force=True)
    assert moved.current.customers["cy"].segment is Segment.PROSPECT
    assert moved.previous == first.current.assignments()
