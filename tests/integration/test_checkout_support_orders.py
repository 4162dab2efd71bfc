"""The checkout-support recent-orders projection on the real SQLite store: orders per shopper and per
card, paid amounts, the same answers after every event is delivered again (a redelivery) and after
a rebuild from the log into an empty store (`hph events replay --group checkout-support`)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from holidaypeak.events.v1 import order_events_pb2 as events
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.agents.checkout_support import risk
from hph.agents.checkout_support.orders import CONTAINER, LOOKBACK, MAX_ORDERS, RecentOrders, _kept, merge_entry
from hph.runtime.clock import to_iso
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


async def test_one_order_reads_the_same_whichever_event_came_first(stores: tuple[RecentOrders, RecentOrders]) -> None:
    """Events of one order travel in its own log partition, a shopper's orders in several: the
    OrderPaid may be handled before the OrderCreated, and the document ends the same either way."""
    in_order, reversed_order = stores
    created = events.OrderCreated(
        order_id="c1", user_id="cy", total_minor=5000, currency_code="USD", payment_method_id="pm-c"
    )
    paid = events.OrderPaid(order_id="c1", user_id="cy", amount_minor=4500, currency_code="USD")
    for envelope in (event(created), event(paid)):
        await in_order.handle(envelope)
    for envelope in (event(paid), event(created)):
        await reversed_order.handle(envelope)
    now = datetime.now(UTC)
    expected = [("c1", 4500, True, "pm-c")]  # the card from OrderCreated, the amount paid
    for orders in (in_order, reversed_order):
        assert [(o.order_id, o.amount_minor, o.paid, o.card) for o in await orders.of_shopper("cy", now)] == expected


async def test_racing_writers_of_one_shopper_lose_no_order(stores: tuple[RecentOrders, RecentOrders]) -> None:
    """Partition workers handle a shopper's orders at once: every lost etag race merges again."""
    live, _ = stores
    created = [
        events.OrderCreated(order_id=f"r{n:02d}", user_id="rae", total_minor=100 + n, currency_code="USD",
                            payment_method_id="pm-r")
        for n in range(12)
    ]  # fmt: skip
    await asyncio.gather(*(live.handle(event(c)) for c in created))
    now = datetime.now(UTC)
    assert sorted(o.order_id for o in await live.of_shopper("rae", now)) == [c.order_id for c in created]
    assert len(await live.of_card("pm-r", now)) == 12


def test_kept_orders_are_the_newest_within_the_window_whatever_the_arrival_order() -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)

    def entry(minutes: float) -> dict[str, object]:
        return {"placed_at": to_iso(start + timedelta(minutes=minutes)), "amount_minor": 1, "created": True}

    many = {f"o{n:04d}": entry(n) for n in range(MAX_ORDERS + 25)}
    kept = _kept(many)
    assert sorted(kept) == sorted(many)[25:], "the newest MAX_ORDERS, the oldest dropped"

    old_and_new = {"old": entry(0), "edge": entry(1), "new": entry(1 + LOOKBACK.total_seconds() / 60)}
    assert sorted(_kept(old_and_new)) == ["edge", "new"], "the window is measured from the newest order"

    def one_at_a_time(order_ids: list[str]) -> dict[str, dict[str, object]]:
        merged: dict[str, dict[str, object]] = {}
        for order_id in order_ids:
            merged = _kept({**merged, order_id: merge_entry(merged.get(order_id), many[order_id])})
        return merged

    oldest_first = one_at_a_time(sorted(many))
    assert sorted(oldest_first) == sorted(kept)
    assert one_at_a_time(sorted(many, reverse=True)) == oldest_first, "newest first: the same end state"


def ranked_by_time(orders: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
    """`_kept` as first written: rank every order by (placing time, order id), newest first."""
    newest = max(str(entry["placed_at"]) for entry in orders.values())
    horizon = to_iso(datetime.fromisoformat(newest) - LOOKBACK)
    ranked = sorted(
        (item for item in orders.items() if str(item[1]["placed_at"]) >= horizon),
        key=lambda item: (str(item[1]["placed_at"]), item[0]),
        reverse=True,
    )
    return dict(sorted(ranked[:MAX_ORDERS]))


@pytest.mark.parametrize("seed", range(20))
def test_kept_orders_match_a_full_ranking_with_ties_and_the_window(seed: int) -> None:
    """Shared placing times (ties broken by order id), orders beyond the window and beyond the cap
    at once: the same orders as ranking them all, and the same document order (by order id)."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    # Whole hours over a third of the window (many orders share one); in some cases a quarter of them
    # beyond the window.
    hours = int(LOOKBACK.total_seconds() // 3600)
    old_share = rng.choice([0.0, 0.25])
    orders = {
        f"o{rng.randrange(10**6):06d}": {
            "placed_at": to_iso(
                start + timedelta(hours=rng.randrange(hours // 3) - hours * (rng.random() < old_share))
            ),
            "amount_minor": 1,
        }
        for _ in range(rng.choice([5, MAX_ORDERS, MAX_ORDERS + 1, MAX_ORDERS + 2, 2 * MAX_ORDERS, 3 * MAX_ORDERS]))
    }
    before = dict(orders)
    kept = _kept(orders)
    assert orders == before, "the caller's dict is left as it was"
    expected = ranked_by_time(orders)
    assert kept == expected
    assert list(kept) == list(expected)


async def test_a_reader_converts_a_document_once_per_version(stores: tuple[RecentOrders, RecentOrders]) -> None:
    """The process answering AssessRisk is not the one writing the projection: its reader reuses
    what it converted while the document's etag is unchanged, and sees every write at once."""
    writer, _ = stores
    reader = RecentOrders(writer._container)
    for envelope in the_log():
        await writer.handle(envelope)
    now = datetime.now(UTC)
    first = await reader.of_card("pm-a", now)
    again = await reader.of_card("pm-a", now)
    assert [o.order_id for o in again] == ["a1", "a2", "a3"]
    assert all(a is b for a, b in zip(first, again, strict=True)), "an unchanged document is not converted again"

    await writer.handle(
        event(
            events.OrderCreated(
                order_id="a5", user_id="ava", total_minor=700, currency_code="USD", payment_method_id="pm-a"
            )
        )
    )
    assert [o.order_id for o in await reader.of_card("pm-a", now)] == ["a1", "a2", "a3", "a5"]
