"""The fraud/risk decision core: drivers over a shopper's and a card's recent orders -> approve,
review or deny. Pure (no I/O); the servicer gathers the `Signals`.

Each driver is a step: at or past its threshold it adds its weight (past its severe threshold, its
severe weight instead); the score is the sum, clamped to 0..1. The weights are chosen so that one
strong signal alone sends an order to review and only a severe one (or several together) denies:
"10 orders in a minute on one card" by a new account is review (0.5 + 0.1 + 0.1 + 0.1 = 0.8), 15 by
the same shopper is deny (0.5 + 0.3 + 0.1 + 0.1), and 20 on one card is deny on its own.

A driver whose input is unknown (a card without a billing country, a shopper without enough paid
orders for a mean) contributes 0 and says why, so the answer never pretends to know.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from hph.agents.runtime import Driver

METHOD = "risk-drivers-v1"
REVIEW_THRESHOLD = 0.5
DENY_THRESHOLD = 0.9
# Paid orders a shopper needs before the amount ratio means anything.
MIN_PAID_FOR_MEAN = 3


class Decision(enum.Enum):
    APPROVE = "approve"
    REVIEW = "review"
    DENY = "deny"


@dataclass(frozen=True)
class Rule:
    """A step driver: `weight` from `threshold` on, `severe_weight` from `severe_threshold` on."""

    name: str
    threshold: float
    weight: float
    unit: str
    severe_threshold: float | None = None
    severe_weight: float = 0.0

    def contribution(self, value: float) -> float:
        if self.severe_threshold is not None and value >= self.severe_threshold:
            return self.severe_weight
        return self.weight if value >= self.threshold else 0.0


# The policy, as data: name, threshold, weight, unit, severe threshold, severe weight.
CARD_VELOCITY_MINUTE = Rule("card_orders_last_minute", 10, 0.5, "orders", 20, 0.9)
CARD_VELOCITY_HOUR = Rule("card_orders_last_hour", 20, 0.3, "orders")
SHOPPER_VELOCITY_MINUTE = Rule("shopper_orders_last_minute", 5, 0.1, "orders", 15, 0.3)
SHOPPER_VELOCITY_HOUR = Rule("shopper_orders_last_hour", 10, 0.1, "orders")
AMOUNT_RATIO = Rule("amount_to_mean_paid", 3.0, 0.25, "ratio", 10.0, 0.5)
NEW_ACCOUNT = Rule("new_account", 1, 0.1, "flag")  # value 1 when younger than NEW_ACCOUNT_AGE
COUNTRY_MISMATCH = Rule("country_mismatch", 1, 0.3, "flag")
DISTINCT_CARDS = Rule("distinct_cards_30_days", 3, 0.2, "cards", 5, 0.4)
NEW_ACCOUNT_AGE = timedelta(days=1)
MINUTE, HOUR, CARD_WINDOW = timedelta(minutes=1), timedelta(hours=1), timedelta(days=30)


@dataclass(frozen=True)
class PastOrder:
    """One order placed earlier, as the projection keeps it."""

    order_id: str
    placed_at: datetime
    amount_minor: int
    currency_code: str
    card: str  # payment method id; "" when paid through a payment intent
    paid: bool = False


@dataclass(frozen=True)
class Signals:
    """What the assessment reads: the order about to be placed and the shopper's past orders."""

    amount_minor: int
    currency_code: str
    card: str
    shopper_orders: Sequence[PastOrder]
    card_orders: Sequence[PastOrder]
    account_created_at: datetime | None
    shipping_country: str = ""
    billing_country: str = ""  # the card's country; "" when the card carries none
    order_id: str = ""  # set when re-assessing an order already placed (it is not counted twice)


@dataclass(frozen=True)
class Assessment:
    decision: Decision
    score: float
    drivers: list[Driver]
    summary: str


def decide(score: float) -> Decision:
    if score >= DENY_THRESHOLD:
        return Decision.DENY
    if score >= REVIEW_THRESHOLD:
        return Decision.REVIEW
    return Decision.APPROVE


def assess(signals: Signals, now: datetime) -> Assessment:
    others = [o for o in signals.shopper_orders if o.order_id != signals.order_id]
    card_others = [o for o in signals.card_orders if o.order_id != signals.order_id]
    # The order being assessed counts: "the 10th order in a minute" includes this one.
    drivers = [
        _count(CARD_VELOCITY_MINUTE, card_others, now - MINUTE, "on this card in the last minute", signals.card),
        _count(CARD_VELOCITY_HOUR, card_others, now - HOUR, "on this card in the last hour", signals.card),
        _count(SHOPPER_VELOCITY_MINUTE, others, now - MINUTE, "by this shopper in the last minute", "shopper"),
        _count(SHOPPER_VELOCITY_HOUR, others, now - HOUR, "by this shopper in the last hour", "shopper"),
        _amount(signals, others),
        _new_account(signals.account_created_at, now),
        _country(signals.shipping_country, signals.billing_country),
        _cards(signals, others, now),
    ]
    score = round(min(1.0, max(0.0, sum(d.contribution or 0.0 for d in drivers))), 4)
    decision = decide(score)
    top = sorted((d for d in drivers if d.contribution), key=lambda d: -(d.contribution or 0.0))
    because = "; ".join(d.reason for d in top[:3]) or "no driver reached its threshold"
    summary = f"{decision.value}: risk {score:.2f} (review at {REVIEW_THRESHOLD}, deny at {DENY_THRESHOLD}); {because}"
    return Assessment(decision, score, drivers, summary)


def _driver(rule: Rule, value: float, reason: str, *, known: bool = True) -> Driver:
    return Driver(
        rule.name,
        value,
        reason,
        weight=rule.weight,
        threshold=rule.threshold,
        contribution=rule.contribution(value) if known else 0.0,
        unit=rule.unit,
    )


def _count(rule: Rule, orders: Sequence[PastOrder], since: datetime, what: str, card: str) -> Driver:
    if not card:
        return _driver(rule, 0, f"no saved card: {rule.name} not counted", known=False)
    count = 1 + sum(1 for o in orders if o.placed_at >= since)
    severe = f", severe at {rule.severe_threshold:g}" if rule.severe_threshold is not None else ""
    return _driver(rule, count, f"{count} orders {what} (threshold {rule.threshold:g}{severe})")


def _amount(signals: Signals, others: Sequence[PastOrder]) -> Driver:
    paid = [o.amount_minor for o in others if o.paid and o.currency_code == signals.currency_code]
    if len(paid) < MIN_PAID_FOR_MEAN:
        return _driver(
            AMOUNT_RATIO,
            0,
            f"{len(paid)} paid orders in {signals.currency_code}: fewer than {MIN_PAID_FOR_MEAN}, no mean to compare",
            known=False,
        )
    mean = sum(paid) / len(paid)
    ratio = round(signals.amount_minor / mean, 4) if mean > 0 else 0.0
    return _driver(
        AMOUNT_RATIO,
        ratio,
        f"amount {signals.amount_minor} is {ratio:g}x the mean paid order {mean:.0f} over {len(paid)} orders "
        f"(threshold {AMOUNT_RATIO.threshold:g}x, severe {AMOUNT_RATIO.severe_threshold:g}x)",
    )


def _new_account(created_at: datetime | None, now: datetime) -> Driver:
    if created_at is None:
        return _driver(NEW_ACCOUNT, 0, "account age unknown", known=False)
    hours = max(0.0, (now - created_at).total_seconds() / 3600)
    new = hours < NEW_ACCOUNT_AGE.total_seconds() / 3600
    return _driver(
        NEW_ACCOUNT,
        1 if new else 0,
        f"account {hours:.1f} hours old ({'younger' if new else 'not younger'} than "
        f"{NEW_ACCOUNT_AGE.total_seconds() / 3600:g} hours)",
    )


def _country(shipping: str, billing: str) -> Driver:
    if not billing or not shipping:
        return _driver(COUNTRY_MISMATCH, 0, "the card carries no billing country: mismatch not checked", known=False)
    mismatch = shipping.upper() != billing.upper()
    verb = "differs from" if mismatch else "matches"
    return _driver(COUNTRY_MISMATCH, 1 if mismatch else 0, f"shipping country {shipping} {verb} card country {billing}")


def _cards(signals: Signals, others: Sequence[PastOrder], now: datetime) -> Driver:
    since = now - CARD_WINDOW
    cards = {o.card for o in others if o.card and o.placed_at >= since}
    if signals.card:
        cards.add(signals.card)
    return _driver(
        DISTINCT_CARDS,
        len(cards),
        f"{len(cards)} distinct cards in 30 days (threshold {DISTINCT_CARDS.threshold:g}, "
        f"severe {DISTINCT_CARDS.severe_threshold:g})",
    )
