"""The checkout-support risk core: each driver moves the decision the right way, thresholds at their
edges, and the acceptance case "10 orders in a minute on one card" is review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hph.agents.checkout_support import risk
from hph.agents.checkout_support.risk import Decision, PastOrder, Signals

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
OLD_ACCOUNT = NOW - timedelta(days=400)


def orders(count: int, *, seconds_apart: float = 1.0, card: str = "pm-a", paid: bool = False, amount: int = 5000):
    return [
        PastOrder(f"o{i}", NOW - timedelta(seconds=1 + i * seconds_apart), amount, "USD", card, paid)
        for i in range(count)
    ]


def signals(past=(), *, card: str = "pm-a", amount: int = 5000, created=OLD_ACCOUNT, **kw) -> Signals:
    past = list(past)
    return Signals(
        amount_minor=amount,
        currency_code="USD",
        card=card,
        shopper_orders=past,
        card_orders=[o for o in past if o.card == card],
        account_created_at=created,
        **kw,
    )


def driver(assessment: risk.Assessment, name: str) -> risk.Driver:
    return next(d for d in assessment.drivers if d.name == name)


def test_a_quiet_old_account_is_approved_with_every_driver_explained() -> None:
    answer = risk.assess(signals(), NOW)
    assert answer.decision is Decision.APPROVE
    assert answer.score == 0
    assert {d.name for d in answer.drivers} == {
        "card_orders_last_minute",
        "card_orders_last_hour",
        "shopper_orders_last_minute",
        "shopper_orders_last_hour",
        "amount_to_mean_paid",
        "new_account",
        "country_mismatch",
        "distinct_cards_30_days",
    }
    assert all(d.reason and d.threshold is not None for d in answer.drivers)


def test_ten_orders_in_a_minute_on_one_card_by_a_new_account_is_review() -> None:
    answer = risk.assess(signals(orders(9), created=NOW - timedelta(hours=1)), NOW)
    assert driver(answer, "card_orders_last_minute").value == 10
    assert answer.decision is Decision.REVIEW
    assert answer.score == pytest.approx(0.8)


def test_card_velocity_threshold_edges() -> None:
    assert driver(risk.assess(signals(orders(8)), NOW), "card_orders_last_minute").contribution == 0
    assert driver(risk.assess(signals(orders(9)), NOW), "card_orders_last_minute").contribution == 0.5
    assert risk.assess(signals(orders(9)), NOW).decision is Decision.REVIEW
    assert risk.assess(signals(orders(8)), NOW).decision is Decision.APPROVE
    assert risk.assess(signals(orders(19)), NOW).decision is Decision.DENY


def test_orders_older_than_the_window_do_not_count() -> None:
    spread = orders(9, seconds_apart=10)  # 1s..81s ago: 6 within the minute
    assert driver(risk.assess(signals(spread), NOW), "card_orders_last_minute").value == 7


def test_shopper_velocity_on_many_cards_counts_the_shopper() -> None:
    past = [PastOrder(f"o{i}", NOW - timedelta(seconds=i + 1), 5000, "USD", f"pm-{i % 2}") for i in range(14)]
    answer = risk.assess(signals(past, card="pm-new"), NOW)
    assert driver(answer, "shopper_orders_last_minute").contribution == 0.3  # 15: severe
    assert driver(answer, "distinct_cards_30_days").value == 3
    assert answer.decision is Decision.REVIEW  # 0.3 + 0.1 + 0.2


def test_amount_far_above_the_shoppers_mean_raises_the_score() -> None:
    history = [PastOrder(f"p{i}", NOW - timedelta(days=10 + i), 5000, "USD", "pm-a", paid=True) for i in range(3)]
    usual = risk.assess(signals(history, amount=5000), NOW)
    large = risk.assess(signals(history, amount=15000), NOW)
    huge = risk.assess(signals(history, amount=50000), NOW)
    assert driver(usual, "amount_to_mean_paid").value == 1.0
    assert usual.score == 0
    assert driver(large, "amount_to_mean_paid").contribution == 0.25  # exactly 3x: at the threshold
    assert driver(risk.assess(signals(history, amount=14999), NOW), "amount_to_mean_paid").contribution == 0
    assert huge.decision is Decision.REVIEW  # 10x: severe


def test_amount_driver_skipped_without_enough_paid_history() -> None:
    history = [PastOrder(f"p{i}", NOW - timedelta(days=10), 5000, "USD", "pm-a", paid=True) for i in range(2)]
    amount = driver(risk.assess(signals(history, amount=10**7), NOW), "amount_to_mean_paid")
    assert amount.contribution == 0
    assert "fewer than 3" in amount.reason


def test_new_account_edge() -> None:
    young = risk.assess(signals(created=NOW - timedelta(hours=23, minutes=59)), NOW)
    day_old = risk.assess(signals(created=NOW - timedelta(days=1)), NOW)
    assert driver(young, "new_account").contribution == 0.1
    assert driver(day_old, "new_account").contribution == 0
    assert young.score > day_old.score


def test_country_mismatch_only_when_the_card_carries_a_country() -> None:
    skipped = driver(risk.assess(signals(shipping_country="US"), NOW), "country_mismatch")
    assert skipped.contribution == 0 and "no billing country" in skipped.reason
    same = risk.assess(signals(shipping_country="US", billing_country="us"), NOW)
    other = risk.assess(signals(shipping_country="US", billing_country="FR"), NOW)
    assert driver(same, "country_mismatch").contribution == 0
    assert driver(other, "country_mismatch").contribution == 0.3
    assert other.score > same.score


def test_many_distinct_cards_edges() -> None:
    two = [PastOrder("o1", NOW - timedelta(days=2), 5000, "USD", "pm-b")]
    three = [*two, PastOrder("o2", NOW - timedelta(days=3), 5000, "USD", "pm-c")]
    five = [*three, *(PastOrder(f"o{i}", NOW - timedelta(days=4), 5000, "USD", f"pm-{i}") for i in (3, 4))]
    stale = [PastOrder(f"s{i}", NOW - timedelta(days=31), 5000, "USD", f"pm-s{i}") for i in range(5)]
    assert driver(risk.assess(signals(two), NOW), "distinct_cards_30_days").contribution == 0
    assert driver(risk.assess(signals(three), NOW), "distinct_cards_30_days").contribution == 0.2
    assert driver(risk.assess(signals(five), NOW), "distinct_cards_30_days").contribution == 0.4
    assert driver(risk.assess(signals(stale), NOW), "distinct_cards_30_days").value == 1


def test_a_reassessed_order_is_not_counted_twice() -> None:
    past = orders(9)
    again = risk.assess(signals(past, order_id="o0"), NOW)
    assert driver(again, "card_orders_last_minute").value == 9


def test_decision_thresholds() -> None:
    assert risk.decide(0.49) is Decision.APPROVE
    assert risk.decide(0.5) is Decision.REVIEW
    assert risk.decide(0.89) is Decision.REVIEW
    assert risk.decide(0.9) is Decision.DENY


def test_a_policy_file_overrides_thresholds_and_weights(tmp_path) -> None:
    path = tmp_path / "risk.json"
    path.write_text('{"review_threshold": 0.4, "rules": {"card_orders_last_minute": {"threshold": 3, "weight": 0.4}}}')
    policy = risk.load_policy(str(path))
    answer = risk.assess(signals(orders(2)), NOW, policy)
    assert driver(answer, "card_orders_last_minute").threshold == 3
    assert answer.decision is Decision.REVIEW
    assert risk.assess(signals(orders(2)), NOW).decision is Decision.APPROVE
    path.write_text('{"rules": {"no_such_driver": {"weight": 1}}}')
    with pytest.raises(ValueError, match="no_such_driver"):
        risk.load_policy(str(path))


def test_the_labelled_risk_set_meets_its_floor_and_a_blind_policy_does_not() -> None:
    from hph.agents.checkout_support import evaluation

    report = evaluation.evaluate()
    assert len(report.outcomes) >= 20
    assert evaluation.below_floor(report) == []
    blind = risk.Policy(review_threshold=5.0, deny_threshold=5.0)  # approves everything
    failures = evaluation.below_floor(evaluation.evaluate(blind))
    assert failures[0].startswith("risk-decision accuracy")
    assert any("approve for a labelled deny" in failure for failure in failures)
