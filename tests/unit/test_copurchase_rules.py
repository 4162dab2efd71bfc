"""The co-purchase projection: association arithmetic on hand-made orders (support, confidence,
lift, the minimums at their edges, the ranking) and the counts kept on a real SQLite store
(redelivery counts once, a cancelled order no longer counts, a cancellation before its creation)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hph.agents.copurchases import (
    MAX_BASKET_PRODUCTS,
    MIN_CO_OCCURRENCES,
    MIN_LIFT,
    CoPurchases,
    associate,
    rank,
)
from hph.agents.copurchases.associations import basket, pairs
from hph.runtime.storage import SqliteDocumentStore

pytestmark = pytest.mark.unit

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
# Ten hand-made orders: the lamp and its bulb go together, the mug goes with everything by chance.
ORDERS = [
    ["LAMP", "BULB", "MUG"],
    ["LAMP", "BULB"],
    ["LAMP", "BULB", "MUG"],
    ["LAMP", "SHADE"],
    ["MUG"],
    ["MUG", "TEA"],
    ["MUG", "TEA"],
    ["BULB"],
    ["MUG"],
    ["SHADE", "MUG"],
]


def counts(orders: list[list[str]]) -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    pair_counts: dict[tuple[str, str], int] = {}
    product_counts: dict[str, int] = {}
    for order in orders:
        products = basket(order)
        for product in products:
            product_counts[product] = product_counts.get(product, 0) + 1
        for pair in pairs(products):
            pair_counts[pair] = pair_counts.get(pair, 0) + 1
    return pair_counts, product_counts


def test_support_confidence_and_lift_follow_their_definitions() -> None:
    # LAMP in 4 of 10 orders, BULB in 4, both in 3.
    rule = associate("LAMP", "BULB", both=3, with_a=4, with_b=4, orders=10)
    assert rule.support == pytest.approx(3 / 10)
    assert rule.confidence == pytest.approx(3 / 4)
    assert rule.lift == pytest.approx((3 / 4) / (4 / 10))
    assert rule.clears_minimums()


def test_zero_counts_give_zero_measures_instead_of_dividing_by_zero() -> None:
    rule = associate("A", "B", both=0, with_a=0, with_b=0, orders=0)
    assert (rule.support, rule.confidence, rule.lift) == (0.0, 0.0, 0.0)
    assert not rule.clears_minimums()


def test_ranking_puts_real_affinity_first_and_drops_chance_and_anecdotes() -> None:
    pair_counts, product_counts = counts(ORDERS)
    rules = rank(["LAMP"], pair_counts, product_counts, len(ORDERS), limit=5)
    # BULB: 3 of LAMP's 4 orders (lift 1.875); MUG: 2 of 4 but MUG is in 7 of 10 orders (lift 0.71);
    # SHADE: once with LAMP (an anecdote).
    assert [rule.product_id for rule in rules] == ["BULB"]
    assert (rules[0].co_occurrences, rules[0].antecedent_orders, rules[0].product_orders) == (3, 4, 4)


def test_the_minimum_co_occurrences_is_inclusive() -> None:
    at_edge = associate("A", "B", both=MIN_CO_OCCURRENCES, with_a=2, with_b=2, orders=10)
    below = associate("A", "B", both=MIN_CO_OCCURRENCES - 1, with_a=1, with_b=1, orders=10)
    assert at_edge.clears_minimums() and not below.clears_minimums()


def test_lift_must_exceed_one_independent_products_are_not_suggested() -> None:
    # A in half the orders, B in half, together in a quarter: exactly independent.
    independent = associate("A", "B", both=25, with_a=50, with_b=50, orders=100)
    assert independent.lift == pytest.approx(MIN_LIFT)
    assert not independent.clears_minimums()
    assert associate("A", "B", both=26, with_a=50, with_b=50, orders=100).clears_minimums()


def test_several_antecedents_keep_each_candidate_once_with_its_best_rule_and_exclusions_apply() -> None:
    orders = [["A", "C"], ["A", "C"], ["B", "C"], ["B", "C"], ["B", "D"], ["B", "D"], ["E"], ["E"], ["E"], ["E"]]
    pair_counts, product_counts = counts(orders)
    rules = rank(["A", "B"], pair_counts, product_counts, len(orders), limit=5)
    # C from A: confidence 2/2; from B: 2/4. D from B: 2/4 (and lift 2.5 beats C-from-B's 1.25).
    assert [(r.product_id, r.antecedent, r.confidence) for r in rules] == [("C", "A", 1.0), ("D", "B", 0.5)]
    assert [r.product_id for r in rank(["A", "B"], pair_counts, product_counts, 10, exclude=["C"], limit=5)] == ["D"]
    assert rank(["A", "B"], pair_counts, product_counts, 10, limit=1)[0].product_id == "C"


def test_a_bulk_basket_adds_no_pairs() -> None:
    n = MAX_BASKET_PRODUCTS
    assert len(pairs([f"P{i:02d}" for i in range(n)])) == n * (n - 1) // 2
    assert pairs([f"P{i:02d}" for i in range(MAX_BASKET_PRODUCTS + 1)]) == []
    assert basket(["B", "A", "B"]) == ["A", "B"]


# --- the counts on a real store ------------------------------------------------------------------


@pytest.fixture
async def projection(tmp_path: Path) -> AsyncIterator[CoPurchases]:
    store = await SqliteDocumentStore.open(tmp_path / "copurchases.sqlite3")
    try:
        yield await CoPurchases.open(store)
    finally:
        await store.close()


async def place(projection: CoPurchases, orders: list[list[str]]) -> None:
    for number, products in enumerate(orders):
        await projection.order_created(f"ORD-{number:04d}", products, T0 + timedelta(minutes=number))


async def test_the_store_answers_what_the_arithmetic_says(projection: CoPurchases) -> None:
    await place(projection, ORDERS)
    pair_counts, product_counts = counts(ORDERS)
    assert await projection.orders_counted() == len(ORDERS)
    assert await projection.frequently_bought_with(["LAMP"]) == rank(
        ["LAMP"], pair_counts, product_counts, len(ORDERS), limit=6
    )
    assert await projection.data_as_of() == T0 + timedelta(minutes=len(ORDERS) - 1)


async def test_a_redelivered_order_counts_once(projection: CoPurchases) -> None:
    await place(projection, ORDERS)
    before = await projection.frequently_bought_with(["LAMP", "MUG"])
    assert not await projection.order_created("ORD-0000", ORDERS[0], T0)
    assert await projection.orders_counted() == len(ORDERS)
    assert await projection.frequently_bought_with(["LAMP", "MUG"]) == before


async def test_concurrent_orders_lose_no_count(projection: CoPurchases) -> None:
    orders = [["A", "B", "C"]] * 12
    await asyncio.gather(*(projection.order_created(f"ORD-{n}", o, T0) for n, o in enumerate(orders)))
    assert await projection.orders_counted() == 12
    await projection.order_created("ORD-other-1", ["D"], T0)
    await projection.order_created("ORD-other-2", ["D"], T0)
    (rule, *_) = await projection.frequently_bought_with(["A"])
    assert (rule.co_occurrences, rule.antecedent_orders, rule.orders_considered) == (12, 12, 14)


async def test_a_cancelled_order_no_longer_counts_and_a_second_cancel_changes_nothing(projection: CoPurchases) -> None:
    await place(projection, ORDERS)
    assert await projection.order_cancelled("ORD-0000", ORDERS[0], T0 + timedelta(hours=1))
    assert not await projection.order_cancelled("ORD-0000", ORDERS[0], T0 + timedelta(hours=1))
    remaining = ORDERS[1:]
    pair_counts, product_counts = counts(remaining)
    assert await projection.orders_counted() == len(remaining)
    assert await projection.frequently_bought_with(["LAMP"]) == rank(
        ["LAMP"], pair_counts, product_counts, len(remaining), limit=6
    )
    # LAMP+BULB now co-occur in 2 orders of 9.
    (rule,) = await projection.frequently_bought_with(["LAMP"])
    assert (rule.product_id, rule.co_occurrences, rule.orders_considered) == ("BULB", 2, 9)


async def test_a_cancellation_seen_before_its_order_keeps_the_order_out(projection: CoPurchases) -> None:
    await place(projection, ORDERS)
    assert not await projection.order_cancelled("ORD-late", ["LAMP", "BULB"], T0)
    assert not await projection.order_created("ORD-late", ["LAMP", "BULB"], T0)
    assert await projection.orders_counted() == len(ORDERS)


async def test_every_pair_of_a_full_basket_is_counted_in_one_batch(projection: CoPurchases) -> None:
    full = [f"P{i:02d}" for i in range(MAX_BASKET_PRODUCTS)]
    await projection.order_created("ORD-1", full, T0)
    await projection.order_created("ORD-2", full, T0)
    await projection.order_created("ORD-3", ["X"], T0)
    rules = await projection.frequently_bought_with(["P00"], limit=50)
    assert sorted(r.product_id for r in rules) == full[1:]
    assert all(r.co_occurrences == 2 for r in rules)
