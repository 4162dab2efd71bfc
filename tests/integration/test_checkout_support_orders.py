"""The checkout-support recent-orders projection on the real SQLite store: orders per shopper and per
card, paid amounts, the same answers after every event is delivered again (a redelivery) and after
a rebuild from the log into an empty store (`hph events replay --group checkout-support`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from holidaypeak.events.v1 import order_events_pb2 as events
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.agents.checkout_support import risk
from hph.agents.checkout_support.orders import CONTAINER, RecentOrders
from hph.runtime.events import new_event
from hph.runtime.storage.sqlite import SqliteDocumentStore

pytestmark = pytest.mark.integration


async def open_projection(path: Path) -> tuple[SqliteDocumentStore, RecentOrders]:
    store = await SqliteDocumentStore.open(path)
    return store, RecentOrders(await CONTAINER.open(store))


@pytest.fixture
async def stores(tmp_path: Path) -> AsyncIterator[tuple[RecentOrders, RecentOrders]]:
    first, live = await open_projection(tmp_path / "live.sqlite3")
    second, rebuilt = await open_projection(tmp_path / "rebuilt.sqlite3")
    try:
        yield live, rebuilt
    finally:
        await first.close()
        await second.close()


def event(payload: events.OrderCreated | events.OrderPaid) -> EventEnvelope:
    return new_event(payload, source="orders", subject=f"orders/{payload.order_id}", partition_key=payload.order_id)


def the_log() -> list[EventEnvelope]:
    """ava: three orders on card-a (two paid), one on card-b; ben: one paid before it was seen created."""
    created = [
        events.OrderCreated(
            order_id="a1", user_id="ava", total_minor=4000, currency_code="USD", payment_method_id="pm-a"
        ),
        events.OrderCreated(
            order_id="a2", user_id="ava", total_minor=6000, currency_code="USD", payment_method_id="pm-a"
        ),
        events.OrderCreated(
            order_id="a3", user_id="ava", total_minor=9000, currency_code="USD", payment_method_id="pm-a"
        ),
        events.OrderCreated(
            order_id="a4", user_id="ava", total_minor=1000, currency_code="USD", payment_method_id="pm-b"
        ),
    ]
    return [
        *(event(c) for c in created),
        event(events.OrderPaid(order_id="a1", user_id="ava", amount_minor=4000, currency_code="USD")),
        event(events.OrderPaid(order_id="a2", user_id="ava", amount_minor=6000, currency_code="USD")),
        event(events.OrderPaid(order_id="b1", user_id="ben", amount_minor=2500, currency_code="USD")),
    ]


async def answers(orders: RecentOrders, now: datetime) -> dict[str, Sequence[tuple[str, int, bool, str]]]:
    def rows(found: Sequence[risk.PastOrder]) -> list[tuple[str, int, bool, str]]:
        return sorted((o.order_id, o.amount_minor, o.paid, o.card) for o in found)

    return {
        "ava": rows(await orders.of_shopper("ava", now)),
        "ben": rows(await orders.of_shopper("ben", now)),
        "pm-a": rows(await orders.of_card("pm-a", now)),
        "pm-b": rows(await orders.of_card("pm-b", now)),
        "none": rows(await orders.of_card("", now)),
    }


async def test_orders_per_shopper_and_card_survive_redelivery_and_a_rebuild(
    stores: tuple[RecentOrders, RecentOrders],
) -> None:
    live, rebuilt = stores
    log = the_log()
    for envelope in log:
        await live.handle(envelope)
    now = datetime.now(UTC)
    expected = {
        "ava": [("a1", 4000, True, "pm-a"), ("a2", 6000, True, "pm-a"), ("a3", 9000, False, "pm-a"),
                ("a4", 1000, False, "pm-b")],
        "ben": [("b1", 2500, True, "")],
        "pm-a": [("a1", 4000, False, "pm-a"), ("a2", 6000, False, "pm-a"), ("a3", 9000, False, "pm-a")],
        "pm-b": [("a4", 1000, False, "pm-b")],
        "none": [],
    }  # fmt: skip
    assert await answers(live, now) == expected
    assert live.data_as_of is not None

    for envelope in log:  # the whole log again: nothing changes
        await live.handle(envelope)
    assert await answers(live, now) == expected
    for envelope in log:  # replayed into an empty store: the same answers
        await rebuilt.handle(envelope)
    assert await answers(rebuilt, now) == expected

    signals = risk.Signals(
        5000, "USD", "pm-a", await rebuilt.of_shopper("ava", now), await rebuilt.of_card("pm-a", now), None
    )
    drivers = {d.name: d for d in risk.assess(signals, now).drivers}
    assert drivers["card_orders_last_minute"].value == 4
    assert drivers["distinct_cards_30_days"].value == 2
    assert "2 paid orders" in drivers["amount_to_mean_paid"].reason  # fewer than 3: no mean yet

    later = now + risk.CARD_WINDOW + timedelta(minutes=1)
    assert (await answers(rebuilt, later))["ava"] == [], "orders past the look-back are not read"


def test_hph_eval_risk_meets_its_floor_and_names_its_misses(capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from hph.host import evaluate

    parser = argparse.ArgumentParser()
    evaluate.add_arguments(parser)
    assert evaluate.run(parser.parse_args(["risk"])) == 0
    printed = capsys.readouterr().out
    assert "cases 20" in printed and "accuracy 0.900" in printed
    assert "BAD payment-intent-burst" in printed, "the misses are printed, with why"
    assert evaluate.run(parser.parse_args(["risk", "--grpc", "127.0.0.1:1"])) == 2
