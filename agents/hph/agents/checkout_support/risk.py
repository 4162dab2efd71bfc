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
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

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
RULES = (
    CARD_VELOCITY_MINUTE,
    CARD_VELOCITY_HOUR,
    SHOPPER_VELOCITY_MINUTE,
    SHOPPER_VELOCITY_HOUR,
    AMOUNT_RATIO,
    NEW_ACCOUNT,
    COUNTRY_MISMATCH,
    DISTINCT_CARDS,
)


@dataclass(frozen=True)
class Policy:
    """The rules by name and the two decision thresholds."""

    rules: Mapping[str, Rule] = field(default_factory=lambda: {rule.name: rule for rule in RULES})
    review_threshold: float = REVIEW_THRESHOLD
    deny_threshold: float = DENY_THRESHOLD

    def rule(self, default: Rule) -> Rule:
        return self.rules[default.name]

    def decide(self, score: float) -> Decision:
        if score >= self.deny_threshold:
            return Decision.DENY
        if score >= self.review_threshold:
            return Decision.REVIEW
        return Decision.APPROVE


DEFAULT_POLICY = Policy()
RULE_FIELDS = ("threshold", "weight", "severe_threshold", "severe_weight")


def load_policy(path: str = "") -> Policy:
    """The shipped policy, with what the JSON file at `path` overrides (HPH_RISK_POLICY_PATH):
    `{"review_threshold": 0.5, "deny_threshold": 0.9, "rules": {"<driver>": {"threshold": 10,
    "weight": 0.5, "severe_threshold": 20, "severe_weight": 0.9}}}`; ValueError saying what is wrong."""
    if not path:
        return DEFAULT_POLICY
    try:
        raw: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"risk policy {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise ValueError(f"risk policy {path}: must be a JSON object")
    rules = dict(DEFAULT_POLICY.rules)
    for name, fields in (raw.get("rules") or {}).items():
        if name not in rules or not isinstance(fields, dict) or set(fields) - set(RULE_FIELDS):
            raise ValueError(f"risk policy {path}: rules.{name}: unknown driver or field (fields: {RULE_FIELDS})")
        if not all(isinstance(v, int | float) for v in fields.values()):
            raise ValueError(f"risk policy {path}: rules.{name}: every field must be a number")
        rules[name] = replace(rules[name], **fields)
    review = raw.get("review_threshold", REVIEW_THRESHOLD)
    deny = raw.get("deny_threshold", DENY_THRESHOLD)
    if not (isinstance(review, int | float) and isinstance(deny, int | float) and 0 < review <= deny):
        raise ValueError(f"risk policy {path}: need 0 < review_threshold <= deny_threshold")
    return Policy(rules, float(review), float(deny))


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
    return DEFAULT_POLICY.decide(score)


def assess(signals: Signals, now: datetime, policy: Policy = DEFAULT_POLICY) -> Assessment:
    others = [o for o in signals.shopper_orders if o.order_id != signals.order_id]
    card_others = [o for o in signals.card_orders if o.order_id != signals.order_id]
    # The order being assessed counts: "the 10th order in a minute" includes this one.
    rule = policy.rule
    card = signals.card
    drivers = [
        _count(rule(CARD_VELOCITY_MINUTE), card_others, now - MINUTE, "on this card in the last minute", card),
        _count(rule(CARD_VELOCITY_HOUR), card_others, now - HOUR, "on this card in the last hour", card),
        _count(rule(SHOPPER_VELOCITY_MINUTE), others, now - MINUTE, "by this shopper in the last minute", "shopper"),
        _count(rule(SHOPPER_VELOCITY_HOUR), others, now - HOUR, "by this shopper in the last hour", "shopper"),
        _amount(rule(AMOUNT_RATIO), signals, others),
        _new_account(rule(NEW_ACCOUNT), signals.account_created_at, now),
        _country(rule(COUNTRY_MISMATCH), signals.shipping_country, signals.billing_country),
        _cards(rule(DISTINCT_CARDS), signals, others, now),
    ]
    score = round(min(1.0, max(0.0, sum(d.contribution or 0.0 for d in drivers))), 4)
    decision = policy.decide(score)
    top = sorted((d for d in drivers if d.contribution), key=lambda d: -(d.contribution or 0.0))
    because = "; ".join(d.reason for d in top[:3]) or "no driver reached its threshold"
    summary = (
        f"{decision.value}: risk {score:.2f} (review at {policy.review_threshold:g}, deny at "
        f"{policy.deny_threshold:g}); {because}"
    )
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
    return _driver(rule, count, f"{count} orders {what} (threshold {rule.threshold:g}{_severe(rule)})")


def _severe(rule: Rule, unit: str = "") -> str:
    return f", severe {rule.severe_threshold:g}{unit}" if rule.severe_threshold is not None else ""


def _amount(rule: Rule, signals: Signals, others: Sequence[PastOrder]) -> Driver:
    paid = [o.amount_minor for o in others if o.paid and o.currency_code == signals.currency_code]
    if len(paid) < MIN_PAID_FOR_MEAN:
        return _driver(
            rule,
            0,
            f"{len(paid)} paid orders in {signals.currency_code}: fewer than {MIN_PAID_FOR_MEAN}, no mean to compare",
            known=False,
        )
    mean = sum(paid) / len(paid)
    ratio = round(signals.amount_minor / mean, 4) if mean > 0 else 0.0
    return _driver(
        rule,
        ratio,
        f"amount {signals.amount_minor} is {ratio:g}x the mean paid order {mean:.0f} over {len(paid)} orders "
        f"(threshold {rule.threshold:g}x{_severe(rule, 'x')})",
    )


def _new_account(rule: Rule, created_at: datetime | None, now: datetime) -> Driver:
    if created_at is None:
        return _driver(rule, 0, "account age unknown", known=False)
    hours = max(0.0, (now - created_at).total_seconds() / 3600)
    new = hours < NEW_ACCOUNT_AGE.total_seconds() / 3600
    return _driver(
        rule,
        1 if new else 0,
        f"account {hours:.1f} hours old ({'younger' if new else 'not younger'} than "
        f"{NEW_ACCOUNT_AGE.total_seconds() / 3600:g} hours)",
    )


def _country(rule: Rule, shipping: str, billing: str) -> Driver:
    if not billing or not shipping:
        return _driver(rule, 0, "the card carries no billing country: mismatch not checked", known=False)
    mismatch = shipping.upper() != billing.upper()
    verb = "differs from" if mismatch else "matches"
    return _driver(rule, 1 if mismatch else 0, f"shipping country {shipping} {verb} card country {billing}")


def _cards(rule: Rule, signals: Signals, others: Sequence[PastOrder], now: datetime) -> Driver:
    since = now - CARD_WINDOW
    cards = {o.card for o in others if o.card and o.placed_at >= since}
    if signals.card:
        cards.add(signals.card)
    return _driver(
        rule,
        len(cards),
        f"{len(cards)} distinct cards in 30 days (threshold {rule.threshold:g}{_severe(rule)})",
    )
