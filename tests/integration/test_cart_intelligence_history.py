"""The cart-intelligence shopper checkouts projection on the real SQLite store: paid and
cancelled-unpaid orders counted per shopper, and the same counts after every event is delivered
again (a redelivery, or `hph events replay --group cart-intelligence` over existing documents)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from holidaypeak.events.v1 import order_events_pb2 as events
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.agents.cart_intelligence.history import CONTAINER, ShopperCheckouts
from hph.agents.cart_intelligence.risk import ShopperHistory
from hph.runtime.events import new_event
from hph.runtime.storage.sqlite import SqliteDocumentStore

pytestmark = pytest.mark.integration


@pytest.fixture
async def checkouts(tmp_path: Path) -> AsyncIterator[ShopperCheckouts]:
    store = await SqliteDocumentStore.open(tmp_path / "store.sqlite3")
    try:
        yield ShopperCheckouts(await CONTAINER.open(store))
    finally:
        await store.close()


def event(payload: events.OrderCreated | events.OrderPaid | events.OrderCancelled) -> EventEnvelope:
    return new_event(payload, source="orders", subject=f"orders/{payload.order_id}", partition_key=payload.order_id)


def history_of(shopper: str) -> list[EventEnvelope]:
    """Two paid orders (one later cancelled after payment), one abandoned unpaid, one still pending."""
    pending = events.ORDER_STATUS_PENDING
    paid = events.ORDER_STATUS_PAID
    return [
        event(events.OrderCreated(order_id=f"{shopper}-1", user_id=shopper)),
        event(events.OrderPaid(order_id=f"{shopper}-1", user_id=shopper, currency_code="USD")),
        event(events.OrderCreated(order_id=f"{shopper}-2", user_id=shopper)),
        event(events.OrderPaid(order_id=f"{shopper}-2", user_id=shopper, currency_code="USD")),
        event(events.OrderCancelled(order_id=f"{shopper}-2", user_id=shopper, previous_status=paid)),
        event(events.OrderCreated(order_id=f"{shopper}-3", user_id=shopper)),
        event(events.OrderCancelled(order_id=f"{shopper}-3", user_id=shopper, previous_status=pending)),
        event(events.OrderCreated(order_id=f"{shopper}-4", user_id=shopper)),
    ]


async def test_paid_and_abandoned_checkouts_per_shopper_survive_a_replay(checkouts: ShopperCheckouts) -> None:
    log = [*history_of("ava"), *history_of("ben")[:2]]
    for envelope in log:
        await checkouts.handle(envelope)
    expected = {"ava": ShopperHistory(completed=2, abandoned=1), "ben": ShopperHistory(completed=1, abandoned=0)}
    assert {shopper: await checkouts.history(shopper) for shopper in expected} == expected
    assert await checkouts.history("cy") == ShopperHistory()
    assert checkouts.data_as_of is not None

    for envelope in log:  # the whole log again
        await checkouts.handle(envelope)
    assert {shopper: await checkouts.history(shopper) for shopper in expected} == expected


async def test_a_payment_seen_before_its_order_still_counts_once(checkouts: ShopperCheckouts) -> None:
    created, paid = history_of("dee")[:2]
    for envelope in (paid, created, paid):
        await checkouts.handle(envelope)
    assert await checkouts.history("dee") == ShopperHistory(completed=1)
