"""The crm-profile-aggregation decision core on hand-made activity: what counts as an order, lifetime
value net of refunds, half-even averages, recency, favourite categories, return rate over delivered
units, open tickets, and each engagement driver moving the score the right way."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from hph.agents.crm_activity.records import (
    Activity,
    LineRecord,
    OrderRecord,
    ReturnRecord,
    ReturnStage,
    Stage,
    TicketRecord,
)
from hph.agents.crm_profile_aggregation.profile import (
    FREQUENCY_TARGET,
    RECENCY_HORIZON_DAYS,
    SPEND_TARGET_MINOR,
    WEIGHTS,
    build_profile,
    divide_half_even,
)

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def order(
    order_id: str,
    days_ago: float,
    total: int,
    *,
    lines: tuple[LineRecord, ...] = (LineRecord("SKU-1", "lights", 1),),
    stage: Stage = Stage.PAID,
    cancelled: bool = False,
    refunded: int = 0,
) -> OrderRecord:
    return OrderRecord(
        order_id,
        NOW - timedelta(days=days_ago),
        total,
        "USD",
        lines,
        stage=stage,
        cancelled=cancelled,
        refunded_minor=refunded,
    )


def activity(
    *orders: OrderRecord, returns: tuple[ReturnRecord, ...] = (), tickets: tuple[TicketRecord, ...] = ()
) -> Activity:
    newest_first = tuple(sorted(orders, key=lambda o: o.placed_at or NOW, reverse=True))
    return Activity("ava", orders=newest_first, returns=returns, tickets=tickets)


def test_cancelled_orders_do_not_count_and_refunds_come_off_the_lifetime_value() -> None:
    view = build_profile(
        activity(
            order("o1", 10, 10_000, refunded=2_500),
            order("o2", 3, 5_001),
            order("o3", 1, 99_999, cancelled=True),
        ),
        NOW,
    )
    assert view.order_count == 2
    assert view.lifetime_value_minor == 12_501
    assert view.average_order_value_minor == 6_250  # 6250.5 rounds half-even to 6250
    assert view.days_since_last_order == 3  # the cancelled order one day ago is not the last order
    assert view.last_order_at == NOW - timedelta(days=3)


def test_the_average_rounds_half_even_in_integers() -> None:
    assert [divide_half_even(n, 2) for n in (1, 3, 5, 7, -1)] == [0, 2, 2, 4, 0]
    assert divide_half_even(10, 3) == 3 and divide_half_even(11, 3) == 4


def test_a_customer_without_orders_has_no_recency_and_scores_zero() -> None:
    view = build_profile(Activity("new", registered_at=NOW - timedelta(days=2)), NOW)
    assert (view.order_count, view.lifetime_value_minor, view.average_order_value_minor) == (0, 0, 0)
    assert view.days_since_last_order == -1 and view.last_order_at is None
    assert view.engagement_score == 0.0
    assert view.return_rate == 0.0 and view.favourites == ()


def test_favourite_categories_by_units_with_shares_most_first() -> None:
    view = build_profile(
        activity(
            order("o1", 5, 3_000, lines=(LineRecord("A", "lights", 3), LineRecord("B", "ornaments", 1))),
            order("o2", 4, 3_000, lines=(LineRecord("C", "wrap", 1), LineRecord("D", "ornaments", 2))),
            order("o3", 2, 3_000, lines=(LineRecord("E", "candles", 9),), cancelled=True),
        ),
        NOW,
    )
    assert [(f.category_id, f.units, f.share) for f in view.favourites] == [
        ("lights", 3, 0.4286),
        ("ornaments", 3, 0.4286),
        ("wrap", 1, 0.1429),
    ]


def test_return_rate_is_refunded_units_over_delivered_units() -> None:
    delivered = order("o1", 20, 4_000, lines=(LineRecord("A", "lights", 4),), stage=Stage.PARTIALLY_RETURNED)
    in_transit = order("o2", 2, 4_000, lines=(LineRecord("B", "lights", 6),), stage=Stage.SHIPPED)
    returns = (
        ReturnRecord("r1", "o1", NOW - timedelta(days=10), 1, stage=ReturnStage.REFUNDED),
        ReturnRecord("r2", "o1", NOW - timedelta(days=9), 2, stage=ReturnStage.RECEIVED),  # not refunded yet
        ReturnRecord("r3", "o1", NOW - timedelta(days=8), 1, stage=ReturnStage.REQUESTED, rejected=True),
    )
    view = build_profile(activity(delivered, in_transit, returns=returns), NOW)
    assert (view.units_returned, view.units_delivered, view.return_rate) == (1, 4, 0.25)


def test_open_tickets_leave_out_resolved_and_closed_ones() -> None:
    tickets = (
        TicketRecord("t1", "", NOW, status=1),
        TicketRecord("t2", "", NOW, status=4),
        TicketRecord("t3", "", NOW, status=5),
        TicketRecord("t4", "", NOW, status=6),
    )
    assert build_profile(activity(tickets=tickets), NOW).open_tickets == 2


def score_with(**changes: object) -> float:
    base = activity(*_base_orders(), returns=(ReturnRecord("r1", "o1", NOW, 1, stage=ReturnStage.REFUNDED),))
    return build_profile(replace(base, **changes), NOW).engagement_score  # type: ignore[arg-type]


def test_each_driver_moves_the_engagement_score_the_right_way() -> None:
    base = score_with()
    recent = order("o3", 0, 100, stage=Stage.PAID)
    assert score_with(orders=(recent, *_base_orders())) > base  # more recent, more frequent
    assert score_with(returns=()) > base  # nothing returned
    big_spender = tuple(replace(o, total_minor=o.total_minor * 10) for o in _base_orders())
    assert score_with(orders=big_spender) > base
    older = tuple(replace(o, placed_at=(o.placed_at or NOW) - timedelta(days=60)) for o in _base_orders())
    assert score_with(orders=older) < base


def _base_orders() -> tuple[OrderRecord, ...]:
    return (
        order("o2", 10, 10_000, stage=Stage.DELIVERED, lines=(LineRecord("B", "lights", 2),)),
        order("o1", 30, 20_000, stage=Stage.DELIVERED, lines=(LineRecord("A", "lights", 2),)),
    )


def test_the_score_is_the_sum_of_the_drivers_contributions_with_their_weights() -> None:
    view = build_profile(
        activity(*_base_orders(), returns=(ReturnRecord("r1", "o1", NOW, 1, stage=ReturnStage.REFUNDED),)), NOW
    )
    drivers = {d.name: d for d in view.drivers}
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)
    assert drivers["recency"].value == 10 and drivers["recency"].threshold == RECENCY_HORIZON_DAYS
    assert drivers["recency"].contribution == pytest.approx(100 * 0.35 * (1 - 10 / RECENCY_HORIZON_DAYS), abs=0.01)
    assert drivers["frequency"].contribution == pytest.approx(100 * 0.25 * 2 / FREQUENCY_TARGET, abs=0.01)
    assert drivers["spend"].contribution == pytest.approx(100 * 0.25 * 30_000 / SPEND_TARGET_MINOR, abs=0.01)
    assert drivers["returns"].value == 0.25 and drivers["returns"].contribution == pytest.approx(100 * 0.15 * 0.75)
    total = sum(d.contribution or 0 for d in view.drivers)
    assert view.engagement_score == pytest.approx(total, abs=0.05)
    assert "engagement" in view.summary


def test_recent_orders_are_newest_first_cancelled_included_and_limited() -> None:
    view = build_profile(
        activity(order("o1", 9, 1), order("o2", 5, 1, cancelled=True), order("o3", 1, 1)), NOW, recent_limit=2
    )
    assert [o.order_id for o in view.recent_orders] == ["o3", "o2"]
