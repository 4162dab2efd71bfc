"""The reservation policy agent's decision core and policy data: effective availability, per-shopper
peak limits, partial and backorder options, the order's decision, the peak window, strict parsing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hph.agents.inventory_reservation_validation import decisions
from hph.agents.inventory_reservation_validation.decisions import (
    Decision,
    Factor,
    LineRequest,
    OptionKind,
    Stock,
    decide_line,
    effective_availability,
)
from hph.agents.inventory_reservation_validation.policy import (
    PeakWindow,
    SkuRule,
    YearlyWindow,
    load_policy,
    parse_policy,
    parse_window_override,
)

pytestmark = pytest.mark.unit

IN_PEAK = PeakWindow(True, datetime(2026, 11, 20, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC), "policy")
OFF_PEAK = PeakWindow(False, datetime(2026, 11, 20, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC), "policy")
HOT = SkuRule("HOT-1", safety_stock=2, peak_limit=2)
HOT_BACKORDER = SkuRule("HOT-2", safety_stock=2, peak_limit=3, backorder_restock_days=14)
PLAIN = SkuRule("PLN-1", safety_stock=1)
PLAIN_BACKORDER = SkuRule("PLN-2", safety_stock=1, backorder_restock_days=7)


def line(sku: str, quantity: int) -> LineRequest:
    return LineRequest(product_id=sku, sku=sku, quantity=quantity)


def decide(
    rule: SkuRule, quantity: int, *, on_hand: int = 20, reserved: int = 0, bought: int = 0, window: PeakWindow = IN_PEAK
) -> decisions.LineDecision:
    return decide_line(line(rule.sku, quantity), Stock(on_hand, reserved), rule, purchased=bought, window=window)


@pytest.mark.parametrize(
    ("on_hand", "reserved", "safety", "expected"),
    [(10, 3, 2, 5), (10, 8, 2, 0), (10, 10, 2, 0), (3, 0, 5, 0), (0, 0, 0, 0), (7, 0, 0, 7)],
)
def test_effective_availability_is_on_hand_less_reserved_less_safety_stock_never_negative(
    on_hand: int, reserved: int, safety: int, expected: int
) -> None:
    assert effective_availability(Stock(on_hand, reserved), safety) == expected


def test_a_line_within_stock_and_limit_is_allowed_in_full() -> None:
    decided = decide(HOT, 1, on_hand=10, reserved=3, bought=1)
    assert (decided.decision, decided.factor, decided.allowed) == (Decision.ALLOW, Factor.NONE, 1)
    assert (decided.effective_availability, decided.peak_limit, decided.remaining_limit) == (5, 2, 1)
    assert decided.options == ()
    assert decided.reason == (
        "1 of 5 available (10 on hand - 3 reserved - 2 safety stock); "
        "at most 2 per shopper until 2026-12-31 (peak); 1 bought already"
    )


def test_the_peak_limit_caps_a_hot_line_and_offers_the_rest() -> None:
    decided = decide(HOT, 3, bought=1)
    assert (decided.decision, decided.factor, decided.allowed) == (Decision.LIMIT, Factor.PEAK_LIMIT, 1)
    assert decided.reason == "at most 2 per shopper until 2026-12-31 (peak); 1 bought already, so 1 more"
    assert [(o.kind, o.quantity_now, o.quantity_later) for o in decided.options] == [(OptionKind.PARTIAL, 1, 0)]


def test_a_shopper_who_reached_the_limit_is_refused_with_no_options() -> None:
    decided = decide(HOT, 1, bought=2)
    assert (decided.decision, decided.factor, decided.allowed, decided.remaining_limit) == (
        Decision.REFUSE,
        Factor.PEAK_LIMIT,
        0,
        0,
    )
    assert decided.options == ()
    assert decide(HOT, 1, bought=5).remaining_limit == 0, "never negative"


def test_outside_the_peak_window_a_hot_sku_has_no_limit() -> None:
    decided = decide(HOT, 5, bought=9, window=OFF_PEAK)
    assert (decided.decision, decided.allowed, decided.peak_limit, decided.remaining_limit) == (
        Decision.ALLOW,
        5,
        None,
        None,
    )
    assert decided.purchased == 0 and decided.hot


def test_safety_stock_caps_a_line_to_a_partial() -> None:
    decided = decide(PLAIN, 5, on_hand=6, reserved=2)  # 6 - 2 - 1 = 3
    assert (decided.decision, decided.factor, decided.allowed) == (Decision.PARTIAL, Factor.EFFECTIVE_AVAILABILITY, 3)
    assert decided.reason == "only 3 of 5 can be held now (6 on hand - 2 reserved - 1 safety stock)"
    assert [(o.kind, o.quantity_now, o.reason) for o in decided.options] == [
        (OptionKind.PARTIAL, 3, "order the 3 available now")
    ]


def test_nothing_available_and_no_backorders_is_a_refusal() -> None:
    decided = decide(PLAIN, 1, on_hand=1)
    assert (decided.decision, decided.factor, decided.allowed, decided.options) == (
        Decision.REFUSE,
        Factor.EFFECTIVE_AVAILABILITY,
        0,
        (),
    )


def test_a_backorderable_sku_offers_the_available_units_now_and_the_rest_later() -> None:
    decided = decide(PLAIN_BACKORDER, 5, on_hand=4)  # 4 - 0 - 1 = 3
    assert (decided.decision, decided.allowed) == (Decision.BACKORDER, 3)
    assert [(o.kind, o.quantity_now, o.quantity_later, o.restock_days) for o in decided.options] == [
        (OptionKind.PARTIAL, 3, 0, 0),
        (OptionKind.BACKORDER, 3, 2, 7),
    ]
    assert decided.options[1].reason == "order 3 now and 2 on backorder, restocked in about 7 days"


def test_a_backorder_with_nothing_available_now_offers_only_the_backorder() -> None:
    decided = decide(PLAIN_BACKORDER, 2, on_hand=0)
    assert (decided.decision, decided.allowed) == (Decision.BACKORDER, 0)
    assert [(o.kind, o.quantity_now, o.quantity_later) for o in decided.options] == [(OptionKind.BACKORDER, 0, 2)]


def test_a_backorder_never_goes_beyond_the_shoppers_remaining_limit() -> None:
    decided = decide(HOT_BACKORDER, 3, on_hand=3, bought=1)  # available 1, limit left 2
    assert (decided.decision, decided.factor, decided.allowed) == (
        Decision.BACKORDER,
        Factor.EFFECTIVE_AVAILABILITY,
        1,
    )
    assert decided.options[-1].quantity_later == 1


def test_when_limit_and_stock_tie_the_limit_is_the_reason() -> None:
    decided = decide(HOT, 3, on_hand=4, bought=0)  # available 2, limit left 2
    assert (decided.decision, decided.factor, decided.allowed) == (Decision.LIMIT, Factor.PEAK_LIMIT, 2)


def test_the_orders_decision_is_its_most_restrictive_lines() -> None:
    allow, partial = decide(PLAIN, 1), decide(PLAIN, 5, on_hand=4)
    backorder, limit, refuse = decide(PLAIN_BACKORDER, 5, on_hand=2), decide(HOT, 3), decide(HOT, 1, bought=2)
    assert decisions.overall([allow]) == Decision.ALLOW
    assert decisions.overall([allow, partial]) == Decision.PARTIAL
    assert decisions.overall([partial, backorder]) == Decision.BACKORDER
    assert decisions.overall([backorder, limit, allow]) == Decision.LIMIT
    assert decisions.overall([limit, refuse]) == Decision.REFUSE


def test_drivers_name_every_bound_binding_ones_first() -> None:
    lines = [decide(PLAIN, 1), decide(HOT, 3, bought=1)]
    found = decisions.drivers(lines)
    assert [(d.name, d.value, d.threshold) for d in found] == [
        ("peak_limit_remaining", 1, 3),
        ("effective_availability", 19, 1),
        ("effective_availability", 18, 3),
    ]
    assert found[0].reason == "HOT-1: 1 of 2 per shopper left (1 bought in the window), 3 requested"
    assert decisions.summary(Decision.LIMIT, lines) == "limit: 1 of 2 lines in full; 1 over a per-shopper peak limit"


# --- the policy data -----------------------------------------------------------------------------


def test_the_shipped_policy_loads_and_its_hot_skus_have_limits() -> None:
    policy = load_policy()
    assert policy.version and policy.hot_skus
    assert all(policy.rule(sku).peak_limit for sku in policy.hot_skus)
    assert policy.rule("NOT-LISTED") == SkuRule("NOT-LISTED", safety_stock=policy.default_safety_stock)


def utc(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "active", "starts", "ends"),
    [
        (utc(2026, 12, 3), True, utc(2026, 11, 20), utc(2027, 1, 1)),
        (utc(2026, 6, 1), False, utc(2026, 11, 20), utc(2027, 1, 1)),
        (utc(2027, 1, 1), False, utc(2027, 11, 20), utc(2028, 1, 1)),
        (utc(2026, 11, 20), True, utc(2026, 11, 20), utc(2027, 1, 1)),
    ],
)
def test_a_yearly_window_spans_its_days_inclusive(
    moment: datetime, active: bool, starts: datetime, ends: datetime
) -> None:
    policy = parse_policy({"version": "v", "peak_window": {"from": "11-20", "through": "12-31"}})
    assert policy.window_at(moment) == PeakWindow(active, starts, ends, "policy")


def test_a_yearly_window_may_span_the_new_year() -> None:
    window = YearlyWindow((12, 15), (1, 6))
    assert window.spanning(datetime(2027, 1, 3, tzinfo=UTC)) == (
        datetime(2026, 12, 15, tzinfo=UTC),
        datetime(2027, 1, 7, tzinfo=UTC),
    )


def test_the_settings_override_the_window(tmp_path: Path) -> None:
    path = tmp_path / "policy.json"
    path.write_text('{"version": "t", "peak_window": {"from": "11-20", "through": "12-31"}}')
    fixed = load_policy(str(path), "2030-01-01T00:00:00Z/2030-01-02T00:00:00+00:00")
    inside = fixed.window_at(datetime(2030, 1, 1, 12, tzinfo=UTC))
    assert (inside.active, inside.source, inside.starts_at) == (True, "settings", datetime(2030, 1, 1, tzinfo=UTC))
    assert not fixed.window_at(datetime(2030, 1, 2, tzinfo=UTC)).active, "the end is exclusive"
    off = load_policy(str(path), "off").window_at(datetime(2026, 12, 1, tzinfo=UTC))
    assert off == PeakWindow(False, None, None, "off")


@pytest.mark.parametrize(
    "text",
    ["2030-01-01", "2030-01-02T00:00:00Z/2030-01-01T00:00:00Z", "2030-01-01T00:00:00/2030-01-02T00:00:00Z", "soon"],
)
def test_a_window_override_that_cannot_work_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="HPH_RESERVATION_PEAK_WINDOW"):
        parse_window_override(text)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({}, "version: expected a non-empty string"),
        ({"version": "v", "peak_window": {"from": "13-01", "through": "12-31"}}, "expected MM-DD"),
        ({"version": "v", "peak_window": {"from": "02-29", "through": "03-01"}}, "not a day every year"),
        ({"version": "v", "skus": {"A-1": {"peak_limit_per_shopper": 0}}}, "whole number 1.."),
        ({"version": "v", "skus": {"A-1": {"safety_stock": -1}}}, "whole number 0.."),
        ({"version": "v", "skus": {"A-1": {"safety_stock": True}}}, "whole number"),
        ({"version": "v", "skus": {"A-1": {"limit": 2}}}, "unknown fields limit"),
    ],
)
def test_a_malformed_policy_fails_at_load_saying_where(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_policy(raw)


def test_a_missing_policy_file_names_itself(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"reservation policy .*nope\.json"):
        load_policy(str(tmp_path / "nope.json"))
