"""Campaign performance: a pure function of the orders (with their campaign codes), the spend data
and a reporting window.

Funnel, honestly: the platform records no cart or product-view events (a cart is one document
changed in place), so a campaign's funnel starts where events do:
- views: 0 (not tracked);
- carts: carts checked out with the code, i.e. orders placed with it (OrderCreated), paid or not;
- orders: those paid (OrderPaid); cart_to_order_rate = orders / carts.

Attributed revenue: the paid orders' totals minus what was refunded on them (a paid order cancelled
later is refunded in full, so it adds nothing). Orders without a code make the baseline (their
revenue is `unattributed_revenue`, their conversion the one a campaign is compared with).

ROI = (revenue - spend) / spend, spend = daily spend x the days of the window the campaign ran (up
to now). Advice, first rule that holds: no spend data -> keep (ROI unknown); fewer than min_orders
paid orders -> keep (too few to judge); ROI < 0 -> stop; ROI < target -> decrease; ROI >= the
increase threshold and conversion at least the baseline's -> increase; otherwise keep.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from importlib import resources
from typing import Any, Final

from hph.agents.crm_activity.records import OrderRecord, Stage
from hph.agents.runtime import Driver
from hph.runtime import money
from hph.runtime.money import round_half_even

METHOD: Final = "campaign-roi-v1"
SPEND_FILE: Final = "campaign_spend.json"


class Advice(Enum):
    INCREASE = "increase"
    KEEP = "keep"
    DECREASE = "decrease"
    STOP = "stop"


@dataclass(frozen=True)
class CampaignSpend:
    code: str
    channel: str
    start: date
    end: date  # inclusive
    daily_spend_minor: int
    currency_code: str

    def spend_in(self, start: datetime | None, end: datetime) -> int:
        """Daily spend x the days of [start, end) the campaign ran, in minor units, half-even."""
        ran_from = datetime.combine(self.start, time(), tzinfo=UTC)
        ran_until = datetime.combine(self.end + timedelta(days=1), time(), tzinfo=UTC)
        begin = max(ran_from, start) if start is not None else ran_from
        finish = min(ran_until, end)
        if finish <= begin:
            return 0
        days = Decimal((finish - begin).total_seconds()) / Decimal(86_400)
        return round_half_even(days * self.daily_spend_minor)


@dataclass(frozen=True)
class SpendData:
    target_roi: float
    increase_roi: float
    min_orders: int
    campaigns: dict[str, CampaignSpend]

    @classmethod
    def shipped(cls) -> SpendData:
        text = resources.files("hph.agents.crm_campaign_intelligence").joinpath("data", SPEND_FILE).read_text("utf-8")
        return cls.parse(json.loads(text))

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> SpendData:
        campaigns = {
            str(c["code"]).upper(): CampaignSpend(
                str(c["code"]).upper(),
                str(c.get("channel", "")),
                date.fromisoformat(c["start"]),
                date.fromisoformat(c["end"]),
                int(c["daily_spend_minor"]),
                str(c["currency_code"]),
            )
            for c in raw["campaigns"]
        }
        return cls(float(raw["target_roi"]), float(raw["increase_roi"]), int(raw["min_orders"]), campaigns)


@dataclass(frozen=True)
class Funnel:
    carts: int
    orders: int

    @property
    def rate(self) -> float:
        return round(self.orders / self.carts, 4) if self.carts else 0.0


@dataclass(frozen=True)
class CampaignResult:
    code: str
    funnel: Funnel
    revenue_minor: int
    spend_minor: int | None
    roi: float | None
    advice: Advice
    reason: str
    drivers: tuple[Driver, ...]


@dataclass(frozen=True)
class Performance:
    campaigns: tuple[CampaignResult, ...]
    currency_code: str
    unattributed_revenue_minor: int
    baseline: Funnel
    summary: str


def _money(minor: int, currency: str) -> str:
    return f"{money.to_major(minor, currency):,.2f} {currency}" if currency else f"{minor} minor units"


def _in_window(order: OrderRecord, start: datetime | None, end: datetime) -> bool:
    return order.placed_at is not None and (start is None or order.placed_at >= start) and order.placed_at < end


def measure(
    orders: Iterable[OrderRecord],
    spend: SpendData,
    *,
    start: datetime | None,
    end: datetime,
    codes: frozenset[str] = frozenset(),
) -> Performance:
    placed: dict[str, list[OrderRecord]] = {}
    currencies: dict[str, int] = {}
    for order in orders:
        if not _in_window(order, start, end):
            continue
        placed.setdefault(order.campaign_code, []).append(order)
        currencies[order.currency_code] = currencies.get(order.currency_code, 0) + 1
    currency = max(currencies, key=lambda c: (currencies[c], c)) if currencies else ""

    def funnel_of(found: list[OrderRecord]) -> tuple[Funnel, int]:
        paid = [o for o in found if o.stage >= Stage.PAID]
        return Funnel(len(found), len(paid)), sum(o.net_minor for o in paid if o.currency_code == currency)

    baseline, unattributed = funnel_of(placed.get("", []))
    wanted = codes or (frozenset(spend.campaigns) | {code for code in placed if code})
    results = []
    for code in sorted(wanted):
        funnel, revenue = funnel_of(placed.get(code, []))
        known = spend.campaigns.get(code)
        spent = known.spend_in(start, end) if known is not None else None
        if known is not None and currency and known.currency_code != currency:
            spent = None  # spend in another currency than the orders cannot be compared
        roi = round((revenue - spent) / spent, 4) if spent else None
        advice, reason = _advise(code, funnel, baseline, revenue, spent, roi, spend, currency)
        drivers = (
            Driver(
                "roi",
                roi if roi is not None else 0.0,
                f"ROI {roi:+.2f} against the target {spend.target_roi:.2f}" if roi is not None else "ROI unknown",
                threshold=spend.target_roi,
                unit="ratio",
            ),
            Driver(
                "conversion",
                funnel.rate,
                f"{funnel.orders} of {funnel.carts} checkouts paid; {baseline.rate:.0%} without a code",
                threshold=baseline.rate,
                unit="ratio",
            ),
            Driver(
                "sample",
                funnel.orders,
                f"{funnel.orders} paid order(s); {spend.min_orders} needed to judge",
                threshold=spend.min_orders,
                unit="orders",
            ),
            Driver(
                "revenue",
                revenue,
                f"attributed revenue {_money(revenue, currency)}"
                + (f" for a spend of {_money(spent, currency)}" if spent is not None else ", spend unknown"),
                unit=f"{currency} minor units",
            ),
        )
        results.append(CampaignResult(code, funnel, revenue, spent, roi, advice, reason, drivers))
    results.sort(key=lambda r: (r.roi is None, -(r.roi or 0.0), r.code))
    best = next((r for r in results if r.roi is not None), None)
    summary = (
        f"{len(results)} campaign(s); best ROI {best.code} {best.roi:+.2f}; "
        f"unattributed revenue {_money(unattributed, currency)}"
        if best is not None and best.roi is not None
        else f"{len(results)} campaign(s), none with spend data in the window"
    )
    return Performance(tuple(results), currency, unattributed, baseline, summary)


def _advise(
    code: str,
    funnel: Funnel,
    baseline: Funnel,
    revenue: int,
    spent: int | None,
    roi: float | None,
    spend: SpendData,
    currency: str,
) -> tuple[Advice, str]:
    if spent is None:
        return Advice.KEEP, f"no spend data for {code} (in {currency or 'the orders currency'}): ROI unknown"
    if spent == 0 or roi is None:
        return Advice.KEEP, f"{code} spent nothing in the window: ROI undefined"
    money_line = f"revenue {_money(revenue, currency)} for {_money(spent, currency)} spent (ROI {roi:+.2f})"
    if funnel.orders < spend.min_orders:
        return (
            Advice.KEEP,
            f"only {funnel.orders} paid order(s), fewer than {spend.min_orders}: too few to judge; {money_line}",
        )
    if roi < 0:
        return Advice.STOP, f"loses money over {funnel.orders} paid orders: {money_line}"
    if roi < spend.target_roi:
        return Advice.DECREASE, f"below the target ROI {spend.target_roi:.2f}: {money_line}"
    if roi >= spend.increase_roi and funnel.rate >= baseline.rate:
        return (
            Advice.INCREASE,
            f"{money_line}, at least {spend.increase_roi:.2f}, converting {funnel.rate:.0%} "
            f"(baseline {baseline.rate:.0%})",
        )
    return Advice.KEEP, f"on target: {money_line}"
