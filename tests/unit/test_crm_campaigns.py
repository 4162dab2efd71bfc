"""The crm-campaign-intelligence decision core on hand-made orders: the funnel from checkouts to paid
orders, revenue net of refunds, spend over the window from the data, ROI, each budget advice with
its reason, the order of the report; and campaign codes in the demo history's plan."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from hph.agents.crm_activity.records import LineRecord, OrderRecord, Stage
from hph.agents.crm_campaign_intelligence.performance import Advice, CampaignSpend, SpendData, measure
from hph.commerce.demo_data import generate_catalog
from hph.host.history.plan import CAMPAIGNS, plan_history

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 1, tzinfo=UTC)
START = NOW - timedelta(days=10)


def spend(**daily: int) -> SpendData:
    return SpendData(
        target_roi=1.0,
        increase_roi=2.0,
        min_orders=3,
        campaigns={
            code: CampaignSpend(code, "email", date(2026, 11, 1), date(2026, 12, 31), minor, "USD")
            for code, minor in daily.items()
        },
    )


def orders(code: str, count: int, total: int = 10_000, *, paid: bool = True, refunded: int = 0) -> list[OrderRecord]:
    return [
        OrderRecord(
            f"{code or 'none'}-{index}-{paid}",
            NOW - timedelta(days=1, hours=index),
            total,
            "USD",
            (LineRecord("SKU", "lights", 1),),
            Stage.PAID if paid else Stage.PENDING,
            refunded_minor=refunded,
            campaign_code=code,
        )
        for index in range(count)
    ]


def test_funnel_revenue_spend_and_roi_of_a_campaign() -> None:
    found = measure(
        [*orders("EMAIL", 4), *orders("EMAIL", 1, paid=False), *orders("EMAIL", 1, refunded=10_000)],
        spend(EMAIL=1_000),
        start=START,
        end=NOW,
    )
    (email,) = found.campaigns
    assert (email.funnel.carts, email.funnel.orders, email.funnel.rate) == (6, 5, 0.8333)
    assert email.revenue_minor == 40_000  # the refunded order adds nothing; the unpaid one neither
    assert email.spend_minor == 10_000  # 10 days x 1,000
    assert email.roi == 3.0


def test_spend_counts_only_the_days_the_campaign_ran_in_the_window() -> None:
    campaign = CampaignSpend("X", "", date(2026, 11, 25), date(2026, 11, 27), 2_400, "USD")
    assert campaign.spend_in(START, NOW) == 3 * 2_400  # 25, 26 and 27 November
    assert campaign.spend_in(datetime(2026, 11, 26, 12, tzinfo=UTC), NOW) == 3_600  # a day and a half
    assert campaign.spend_in(None, datetime(2026, 11, 1, tzinfo=UTC)) == 0
    assert campaign.spend_in(None, NOW) == 7_200


@pytest.mark.parametrize(
    ("count", "total", "daily", "advice", "words"),
    [
        (5, 10_000, 1_000, Advice.INCREASE, "at least 2.00"),  # ROI 4
        (5, 10_000, 2_000, Advice.KEEP, "on target"),  # ROI 1.5: between the target and the increase
        (5, 10_000, 4_000, Advice.DECREASE, "below the target ROI"),  # ROI 0.25
        (5, 10_000, 6_000, Advice.STOP, "loses money"),  # ROI -0.17
        (2, 10_000, 6_000, Advice.KEEP, "too few to judge"),  # 2 < min_orders
    ],
)
def test_each_budget_advice_and_its_reason(count: int, total: int, daily: int, advice: Advice, words: str) -> None:
    (result,) = measure(orders("C", count, total), spend(C=daily), start=START, end=NOW).campaigns
    assert result.advice is advice, result.reason
    assert words in result.reason
    drivers = {d.name: d for d in result.drivers}
    assert drivers["roi"].threshold == 1.0 and drivers["sample"].value == count


def test_a_campaign_converting_worse_than_the_baseline_is_not_increased() -> None:
    found = measure([*orders("C", 5), *orders("C", 5, paid=False), *orders("", 4)], spend(C=500), start=START, end=NOW)
    (result,) = found.campaigns
    assert result.roi is not None and result.roi > 2 and result.funnel.rate < found.baseline.rate
    assert result.advice is Advice.KEEP


def test_campaigns_without_spend_data_come_last_and_unattributed_revenue_is_the_baseline() -> None:
    found = measure(
        [*orders("GOOD", 4), *orders("BAD", 4, total=1_000), *orders("MYSTERY", 4), *orders("", 3)],
        spend(GOOD=1_000, BAD=1_000),
        start=START,
        end=NOW,
    )
    assert [c.code for c in found.campaigns] == ["GOOD", "BAD", "MYSTERY"]
    mystery = found.campaigns[2]
    assert mystery.spend_minor is None and mystery.roi is None and mystery.advice is Advice.KEEP
    assert "no spend data" in mystery.reason
    assert found.unattributed_revenue_minor == 30_000
    named = measure([*orders("GOOD", 4)], spend(GOOD=1_000, BAD=1_000), start=START, end=NOW, codes=frozenset({"BAD"}))
    assert [c.code for c in named.campaigns] == ["BAD"] and named.campaigns[0].funnel.carts == 0


def test_orders_outside_the_window_do_not_count() -> None:
    found = measure(orders("C", 4), spend(C=1_000), start=NOW - timedelta(days=1, hours=1, minutes=30), end=NOW)
    assert found.campaigns[0].funnel.carts == 2  # placed 1 day and 0, 1, 2, 3 hours ago: the first two are in


def test_the_shipped_spend_data_parses() -> None:
    shipped = SpendData.shipped()
    assert set(shipped.campaigns) == {code for code, _ in CAMPAIGNS}
    assert shipped.target_roi < shipped.increase_roi and shipped.min_orders > 0


def test_the_history_plan_puts_campaign_codes_on_some_orders_without_changing_the_rest() -> None:
    products = list(generate_catalog().products)
    plan = plan_history(products, days=30, seed=12, end=date(2026, 12, 1))
    codes = Counter(order.campaign_code for order in plan.orders)
    assert set(codes) == {"", *(code for code, _ in CAMPAIGNS)}
    assert 0.2 < 1 - codes[""] / len(plan.orders) < 0.5
    again = plan_history(products, days=30, seed=12, end=date(2026, 12, 1))
    assert again.orders == plan.orders
