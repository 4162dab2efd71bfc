"""Analytics rules: report windows, UTC day/ISO week/month buckets, allocation of order totals over
lines, and tallies (what a daily rollup stores)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from hph.runtime.errors import Violations
from hph.services.analytics import rules
from hph.services.analytics.rules import Bucket, Granularity, LineInput, Window

NOW = datetime(2024, 12, 10, 15, 30, tzinfo=UTC)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


def window(from_text: str, to_text: str, now: datetime = NOW) -> tuple[Window | None, dict[str, str]]:
    violations = Violations()
    parsed = rules.parse_window(violations, from_text, to_text, now)
    return parsed, {v.field: v.description for v in violations.items}


# --- windows ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("from_text", "to_text", "start", "end"),
    [
        ("", "", NOW - timedelta(days=30), NOW),
        ("2024-12-01", "2024-12-01", at(2024, 12, 1), at(2024, 12, 2)),  # a date `to` includes its day
        ("2024-12-01", "2024-12-07", at(2024, 12, 1), at(2024, 12, 8)),
        ("2024-12-01T10:00:00Z", "2024-12-01T12:00:00Z", at(2024, 12, 1, 10), at(2024, 12, 1, 12)),
        (
            "2024-12-01T10:00:00+02:00",
            "2024-12-01T12:00:00.250Z",
            at(2024, 12, 1, 8),
            at(2024, 12, 1, 12, 0, 0, 250000),
        ),
        ("", "2024-12-05", at(2024, 11, 6), at(2024, 12, 6)),  # from defaults to 30 days before to
        ("2024-12-09", "", at(2024, 12, 9), NOW),  # to defaults to now
        ("2024-12-01T10:00:00Z", "2024-12-01T10:00:00Z", at(2024, 12, 1, 10), at(2024, 12, 1, 10)),  # empty
        ("2024-01-01", "2024-12-31", at(2024, 1, 1), at(2025, 1, 1)),  # 366 days: the longest allowed
    ],
)
def test_window_resolution(from_text: str, to_text: str, start: datetime, end: datetime) -> None:
    parsed, problems = window(from_text, to_text)
    assert problems == {}
    assert parsed == Window(start, end)


@pytest.mark.parametrize(
    ("from_text", "to_text", "field"),
    [
        ("yesterday", "", "from_date"),
        ("2024-02-30", "", "from_date"),
        ("2024-12-01T10:00:00", "", "from_date"),  # a timestamp needs an offset
        ("", "12/01/2024", "to_date"),
        ("", "2024-13-01", "to_date"),
        ("2024-12-02", "2024-12-01T00:00:00Z", "from_date"),  # from after to
        ("2023-01-01", "2024-01-02", "to_date"),  # 367 days
        ("1969-12-31", "1970-01-02", "from_date"),
        ("x" * 65, "", "from_date"),
    ],
)
def test_invalid_windows_name_the_field(from_text: str, to_text: str, field: str) -> None:
    parsed, problems = window(from_text, to_text)
    assert parsed is None
    assert field in problems, problems


def test_both_bad_fields_are_reported_together() -> None:
    _, problems = window("soon", "later")
    assert set(problems) == {"from_date", "to_date"}


def test_an_empty_window_has_no_buckets_and_no_segments() -> None:
    empty = Window(at(2024, 12, 1, 10), at(2024, 12, 1, 10))
    assert empty.empty
    for granularity in Granularity:
        assert rules.buckets(empty, granularity) == []
    assert list(rules.segments(empty)) == []


@pytest.mark.parametrize(
    ("value", "resolved", "ok"),
    [(0, 10, True), (1, 1, True), (50, 50, True), (51, 51, False), (-1, -1, False)],
)
def test_top_products_limit(value: int, resolved: int, ok: bool) -> None:
    violations = Violations()
    assert rules.check_top_products_limit(violations, value) == resolved
    assert (not violations) is ok


# --- buckets ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "granularity", "start"),
    [
        (at(2024, 12, 1, 23, 59, 59, 999999), Granularity.DAY, at(2024, 12, 1)),
        (at(2024, 12, 2), Granularity.DAY, at(2024, 12, 2)),
        (at(2024, 12, 1, 12), Granularity.WEEK, at(2024, 11, 25)),  # a Sunday belongs to Monday's week
        (at(2024, 12, 2), Granularity.WEEK, at(2024, 12, 2)),  # Monday 00:00 starts a new week
        (at(2025, 1, 1), Granularity.WEEK, at(2024, 12, 30)),  # ISO week across the year end
        (at(2024, 2, 29, 23), Granularity.MONTH, at(2024, 2, 1)),
        (at(2024, 3, 1), Granularity.MONTH, at(2024, 3, 1)),
    ],
)
def test_bucket_start(moment: datetime, granularity: Granularity, start: datetime) -> None:
    assert rules.bucket_start(moment, granularity) == start


def test_next_bucket_crosses_month_and_year_ends() -> None:
    assert rules.next_bucket(at(2024, 12, 1), Granularity.MONTH) == at(2025, 1, 1)
    assert rules.next_bucket(at(2024, 1, 1), Granularity.MONTH) == at(2024, 2, 1)
    assert rules.next_bucket(at(2024, 12, 30), Granularity.WEEK) == at(2025, 1, 6)
    assert rules.next_bucket(at(2024, 12, 31), Granularity.DAY) == at(2025, 1, 1)


def test_daily_buckets_cover_whole_days() -> None:
    got = rules.buckets(Window(at(2024, 12, 1), at(2024, 12, 4)), Granularity.DAY)
    assert got == [
        Bucket(at(2024, 12, 1), at(2024, 12, 2)),
        Bucket(at(2024, 12, 2), at(2024, 12, 3)),
        Bucket(at(2024, 12, 3), at(2024, 12, 4)),
    ]


def test_first_and_last_buckets_are_cut_to_the_window() -> None:
    got = rules.buckets(Window(at(2024, 11, 28, 6), at(2024, 12, 10, 12)), Granularity.WEEK)
    assert got == [
        Bucket(at(2024, 11, 28, 6), at(2024, 12, 2)),  # Thursday 06:00 to the next Monday
        Bucket(at(2024, 12, 2), at(2024, 12, 9)),
        Bucket(at(2024, 12, 9), at(2024, 12, 10, 12)),
    ]


def test_monthly_buckets_follow_calendar_months() -> None:
    got = rules.buckets(Window(at(2024, 1, 15), at(2024, 4, 1)), Granularity.MONTH)
    assert [(b.start, b.end) for b in got] == [
        (at(2024, 1, 15), at(2024, 2, 1)),
        (at(2024, 2, 1), at(2024, 3, 1)),
        (at(2024, 3, 1), at(2024, 4, 1)),
    ]


@pytest.mark.parametrize("granularity", list(Granularity))
def test_buckets_partition_the_window(granularity: Granularity) -> None:
    span = Window(at(2024, 1, 3, 7, 30), at(2024, 12, 31, 20))
    got = rules.buckets(span, granularity)
    assert got[0].start == span.start and got[-1].end == span.end
    assert all(a.end == b.start for a, b in itertools.pairwise(got))
    assert all(b.start < b.end for b in got)


def test_a_year_of_days_fits_the_bucket_limit() -> None:
    assert rules.bucket_count(Window(at(2024, 1, 1, 12), at(2025, 1, 1, 12)), Granularity.DAY) <= rules.MAX_BUCKETS


def test_segments_cut_the_window_at_utc_midnight() -> None:
    got = list(rules.segments(Window(at(2024, 12, 1, 22), at(2024, 12, 3, 1))))
    assert [(s.day, s.start, s.end, s.whole_day) for s in got] == [
        ("2024-12-01", at(2024, 12, 1, 22), at(2024, 12, 2), False),
        ("2024-12-02", at(2024, 12, 2), at(2024, 12, 3), True),
        ("2024-12-03", at(2024, 12, 3), at(2024, 12, 3, 1), False),
    ]


def test_day_key_is_the_utc_day() -> None:
    from datetime import timezone

    late_in_new_york = datetime(2024, 12, 1, 20, tzinfo=timezone(timedelta(hours=-5)))
    assert rules.day_key(late_in_new_york) == "2024-12-02"


# --- allocation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "weights", "shares"),
    [
        (1000, [500, 500], [500, 500]),
        (1001, [500, 500], [501, 500]),  # a tie goes to the earlier line
        (1000, [1, 1, 1], [334, 333, 333]),
        (1199, [999, 100], [1090, 109]),  # shipping and tax spread pro rata
        (0, [100, 200], [0, 0]),
        (7, [0, 0], [4, 3]),  # no weights: equal shares
        (5, [], []),
    ],
)
def test_allocation_adds_up_exactly(total: int, weights: list[int], shares: list[int]) -> None:
    got = rules.allocate(total, weights)
    assert got == shares
    assert sum(got) == (total if weights else 0)


def test_allocation_refuses_negative_weights() -> None:
    with pytest.raises(ValueError):
        rules.allocate(10, [5, -1])


# --- tallies ---------------------------------------------------------------------------------


def a_sale(order_id: str, total: int, *lines: tuple[str, str, int, int]) -> rules.Sale:
    return rules.new_sale(
        order_id,
        at(2024, 12, 1, 9),
        "USD",
        total,
        [
            LineInput(sku, f"Name {sku}", category, quantity, line_total)
            for sku, category, quantity, line_total in lines
        ],
    )


def test_a_tally_counts_orders_units_categories_and_refunds() -> None:
    tally = rules.Tally()
    tally.add_sale(a_sale("o1", 1199, ("A", "toys", 2, 999), ("B", "toys", 1, 100)))
    tally.add_sale(a_sale("o2", 500, ("A", "toys", 1, 400), ("C", "books", 1, 50)))
    tally.add_refund(300)
    assert (tally.revenue_minor, tally.orders, tally.units) == (1699, 2, 5)
    assert (tally.refunds_minor, tally.refund_count, tally.net_minor) == (300, 1, 1399)
    assert tally.categories["toys"].orders == 2 and tally.categories["books"].orders == 1
    assert sum(c.revenue_minor for c in tally.categories.values()) == tally.revenue_minor
    assert sum(p.revenue_minor for p in tally.products.values()) == tally.revenue_minor
    assert tally.products["A"].units == 3 and tally.products["A"].name == "Name A"


def test_a_tally_survives_its_storage_form_and_merges() -> None:
    one, two = rules.Tally(), rules.Tally()
    one.add_sale(a_sale("o1", 1000, ("A", "toys", 1, 1000)))
    two.add_sale(a_sale("o2", 250, ("A", "toys", 1, 200), ("B", "", 1, 50)))
    two.add_refund(100)
    restored = rules.Tally.from_doc(one.to_doc())
    assert restored == one
    restored.merge(rules.Tally.from_doc(two.to_doc()))
    assert (restored.revenue_minor, restored.orders, restored.refunds_minor) == (1250, 2, 100)
    assert restored.categories[rules.UNCATEGORIZED].units == 1
    assert restored.products["A"].units == 2


def test_top_products_rank_by_revenue_then_units_then_sku() -> None:
    tally = rules.Tally()
    tally.add_sale(a_sale("o1", 600, ("B", "x", 1, 300), ("A", "x", 1, 300), ("C", "x", 3, 0)))
    tally.add_sale(a_sale("o2", 300, ("D", "x", 2, 300)))
    assert [sku for sku, _ in rules.top_products(tally, 10)] == ["D", "A", "B", "C"]
    assert [sku for sku, _ in rules.top_products(tally, 2)] == ["D", "A"]


def test_categories_fold_into_their_top_level_ancestors() -> None:
    tally = rules.Tally()
    tally.add_sale(a_sale("o1", 300, ("A", "lego", 1, 100), ("B", "books", 1, 200)))
    grouped = rules.group_categories(tally, {"lego": "toys"})
    ranked = rules.ranked_categories(grouped)
    assert [(cid, c.revenue_minor) for cid, c in ranked] == [("books", 200), ("toys", 100)]
    assert rules.revenue_share(100, 300) == pytest.approx(1 / 3)
    assert rules.revenue_share(5, 0) == 0.0


@pytest.mark.parametrize(("revenue", "orders", "aov"), [(1000, 3, 333), (1001, 2, 500), (1003, 2, 502), (0, 0, 0)])
def test_average_order_value_rounds_half_even(revenue: int, orders: int, aov: int) -> None:
    assert rules.average_order_value(revenue, orders) == aov
