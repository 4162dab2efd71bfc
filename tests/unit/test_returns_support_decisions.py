"""The returns-support decision core on hand-made orders: the window's last instant, final sale and
category rules (and a seller's fault overriding them), condition, fee rounding in minor units, tax
share and the return shipping fee, and that the estimate never exceeds what the service refunds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hph.agents.logistics_returns_support.decisions import Ineligible, Order, OrderLine, Verdict, decide, restocking_fee
from hph.agents.logistics_returns_support.policy import Condition, load_policy, parse_policy
from hph.commerce import returns_policy

pytestmark = pytest.mark.unit

POLICY = load_policy()
DELIVERED = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
PLAIN = OrderLine("ORN-0001", 2, 1999, category_id="ornaments")
AUDIO = OrderLine("AUD-0001", 1, 12999, category_id="headphones-audio")
WHISKEY = OrderLine("BAR-0001", 1, 4999, category_id="bar-whiskey")
CLEARANCE = OrderLine("LGT-0001", 1, 999, category_id="string-lights", tags=frozenset({"clearance"}))
SKINCARE = OrderLine("SKN-0001", 1, 2999, category_id="skincare-sets")
LINES = (PLAIN, AUDIO, WHISKEY, CLEARANCE, SKINCARE)
SUBTOTAL = sum(line.ordered * line.unit_price_minor for line in LINES)


def an_order(status: str = "delivered", delivered_at: datetime | None = DELIVERED, tax: int = 1600) -> Order:
    return Order("ORD-1", status, delivered_at, "USD", SUBTOTAL, 799, tax, LINES)


def check(
    wanted: dict[str, int] | None,
    *,
    now: datetime = DELIVERED + timedelta(days=3),
    reason: str = "no_longer_needed",
    condition: Condition = Condition.UNOPENED,
    claimed: dict[str, int] | None = None,
    order: Order | None = None,
) -> Verdict:
    return decide(
        order or an_order(),
        wanted,
        claimed or {},
        now=now,
        window_days=30,
        reason=reason,
        condition=condition,
        policy=POLICY,
    )


def test_the_window_includes_its_last_instant_and_not_one_microsecond_more() -> None:
    closes = returns_policy.window_closes_at(DELIVERED, 30)
    last = check({"ORN-0001": 1}, now=closes)
    after = check({"ORN-0001": 1}, now=closes + timedelta(microseconds=1))
    assert last.lines[0].eligible and last.window_closes_at == closes
    assert after.lines[0].reason == Ineligible.WINDOW_CLOSED
    assert "closed on Dec 20, 2026" in after.lines[0].message
    assert not after.eligible and after.estimate.total_minor == 0


def test_not_delivered_comes_first_and_suggests_tracking() -> None:
    verdict = check(None, order=an_order(status="shipped", delivered_at=None))
    assert {line.reason for line in verdict.lines} == {Ineligible.NOT_DELIVERED}
    assert verdict.window_closes_at is None
    assert verdict.next_steps[0][0] == "track_order"


def test_final_sale_and_excluded_categories_are_refused_unless_the_seller_is_at_fault() -> None:
    changed_mind = check({"LGT-0001": 1, "BAR-0001": 1})
    assert [line.reason for line in changed_mind.lines] == [Ineligible.CATEGORY_EXCLUDED, Ineligible.FINAL_SALE]
    damaged = check({"LGT-0001": 1, "BAR-0001": 1}, reason="damaged")
    assert all(line.eligible for line in damaged.lines)
    strict = parse_policy(
        {"version": "strict", "fault_overrides_exclusions": False, "final_sale": {"skus": ["ORN-0001"]}}, "t"
    )
    assert (
        decide(
            an_order(),
            {"ORN-0001": 1},
            {},
            now=DELIVERED,
            window_days=30,
            reason="damaged",
            condition=Condition.OPENED,
            policy=strict,
        )
        .lines[0]
        .reason
        == Ineligible.FINAL_SALE
    )


def test_condition_rules_come_from_the_category() -> None:
    assert check({"SKN-0001": 1}, condition=Condition.OPENED).lines[0].reason == Ineligible.CONDITION
    assert check({"SKN-0001": 1}, condition=Condition.UNOPENED).lines[0].eligible
    assert check({"ORN-0001": 1}, condition=Condition.USED).lines[0].reason == Ineligible.CONDITION
    assert check({"ORN-0001": 1}, condition=Condition.USED, reason="defective").lines[0].eligible


def test_units_in_other_returns_are_not_returnable_again() -> None:
    verdict = check({"ORN-0001": 1}, claimed={"ORN-0001": 2})
    assert (verdict.lines[0].reason, verdict.lines[0].returnable) == (Ineligible.ALREADY_RETURNED, 0)
    every = check(None, claimed={"ORN-0001": 1})
    assert every.lines[0].quantity == 1 and every.lines[0].eligible


def test_restocking_fee_rounds_down_in_minor_units() -> None:
    assert restocking_fee(12999, 1500) == 1949  # 1949.85 -> 1949
    assert restocking_fee(1, 1500) == 0
    assert restocking_fee(10000, 1500) == 1500
    opened = check({"AUD-0001": 1}, condition=Condition.OPENED)
    sealed = check({"AUD-0001": 1}, condition=Condition.UNOPENED)
    faulty = check({"AUD-0001": 1}, condition=Condition.OPENED, reason="defective")
    assert opened.lines[0].restocking_fee_minor == 1949
    assert sealed.lines[0].restocking_fee_minor == 0 == faulty.lines[0].restocking_fee_minor
    assert opened.estimate.total_minor == sealed.estimate.total_minor - 1949
    assert any(step == "avoid_fee" for step, _ in opened.next_steps)


def test_the_estimate_adds_tax_share_deducts_fees_and_never_exceeds_the_service_refund() -> None:
    verdict = check({"ORN-0001": 2}, condition=Condition.UNOPENED)
    estimate = verdict.estimate
    tax = 1600 * 3998 // SUBTOTAL
    assert (estimate.items_minor, estimate.tax_minor, estimate.shipping_minor) == (3998, tax, 0)
    assert estimate.return_shipping_fee_minor == 599  # a customer reason pays the label
    assert estimate.total_minor == 3998 + tax - 599
    assert estimate.service_refundable_minor == returns_policy.refundable_minor(3998, SUBTOTAL, 1600)
    wrong = check({"ORN-0001": 2}, reason="wrong_item").estimate
    assert wrong.return_shipping_fee_minor == 0 and wrong.total_minor == wrong.service_refundable_minor
    cheap = check({"LGT-0001": 1}, reason="damaged", order=an_order(tax=0)).estimate
    assert cheap.total_minor == 999  # fault: no label fee
    tiny = decide(
        Order("ORD-2", "delivered", DELIVERED, "USD", 300, 0, 0, (OrderLine("X-1", 1, 300),)),
        None,
        {},
        now=DELIVERED,
        window_days=30,
        reason="no_longer_needed",
        condition=Condition.OPENED,
        policy=POLICY,
    )
    assert tiny.estimate.total_minor == 0  # never below zero


def test_drivers_name_their_numbers() -> None:
    verdict = check({"AUD-0001": 1}, condition=Condition.OPENED)
    names = [d.name for d in verdict.drivers]
    assert names[0] == "window_days_left" and "restocking_fee:AUD-0001" in names and "original_shipping" in names
    assert verdict.drivers[0].value == 27.0
    assert "refund" in verdict.summary
