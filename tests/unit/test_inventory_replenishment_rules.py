"""inventory-jit-replenishment's plan on hand-made cases: the order-by day where projected stock
meets the reorder point (today exactly for the health check's low SKUs), the order quantity by
cover target or EOQ, the service level's safety stock, and SKUs with nothing to order."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from hph.agents.inventory_health_check import core as health
from hph.agents.inventory_health_check.rules import default_rules as health_rules
from hph.agents.inventory_jit_replenishment import core
from hph.agents.inventory_jit_replenishment.rules import default_rules, parse_rules
from hph.agents.inventory_signals import demand as dm
from hph.agents.inventory_signals.stock import Stock
from hph.agents.inventory_signals.supply import Supplier, default_calendar

pytestmark = pytest.mark.unit

NOW = datetime(2026, 10, 19, 12, tzinfo=UTC)
TODAY = NOW.date()
SUPPLIER = Supplier("s", "Test Supplier", 7, 4500, 0.25)
RULES = default_rules()
FLAT = dm.Seasonality.flat(default_calendar())


def days(per_day: int, n: int = 28) -> dict[str, list[int]]:
    return {(TODAY - timedelta(days=i)).isoformat(): [per_day + (i % 3) - 1, per_day] for i in range(1, n + 1)}


def plan(
    stock: Stock, history: dict[str, list[int]], *, level: float = 0.95, price: int | None = None
) -> core.PlanLine:
    since = min((date.fromisoformat(d) for d in history), default=None)
    return core.plan_line(
        stock,
        {"days": history},
        seasonality=FLAT,
        supplier=SUPPLIER,
        rules=RULES,
        now=NOW,
        since=since,
        service_level=level,
        horizon_days=30,
        unit_price_minor=price,
    )


def test_order_by_today_exactly_when_the_health_check_calls_the_sku_low_or_out() -> None:
    history = days(3)
    since = min(date.fromisoformat(d) for d in history)
    for on_hand in range(0, 60):
        stock = Stock("A", on_hand, 0)
        judged = health.assess(
            stock, {"days": history}, seasonality=FLAT, supplier=SUPPLIER, rules=health_rules(), now=NOW, since=since
        )
        line = plan(stock, history)
        assert (line.order_by == TODAY) == (judged.health in (health.LOW, health.OUT)), on_hand
        assert line.plan.reorder_level == judged.reorder_level


def test_the_order_by_day_is_when_projected_stock_meets_the_reorder_point() -> None:
    line = plan(Stock("A", 60, 0), days(3))
    rop = line.plan.reorder_level
    assert line.order_by is not None and line.needs_order
    waited = (line.order_by - TODAY).days
    # Each day sells the level; the day before the order-by day still had stock above its point.
    assert 60 - waited * line.plan.demand.level <= rop + 1e-6
    assert 60 - (waited - 1) * line.plan.demand.level > rop


def test_the_cover_target_orders_the_lead_time_plus_cover_plus_safety_less_what_is_left() -> None:
    line = plan(Stock("A", 5, 0), days(3))
    assert line.order_by == TODAY and line.quantity_method == core.COVER_TARGET
    expected = 3 * (SUPPLIER.lead_time_days + RULES.cover_target_days) + line.plan.reorder.safety_stock - 5
    assert line.order_quantity == pytest.approx(expected, abs=1.5)


def test_a_cheap_sku_orders_its_economic_quantity_when_it_is_larger() -> None:
    cheap = plan(Stock("A", 5, 0), days(3), price=100)  # 1.00 a unit: holding is cheap, order more
    assert cheap.quantity_method == core.EOQ and cheap.eoq is not None
    assert cheap.order_quantity == int(-(-cheap.eoq // 1)) > cheap.cover_quantity
    dear = plan(Stock("A", 5, 0), days(3), price=500_000)
    assert dear.quantity_method == core.COVER_TARGET and dear.order_quantity == dear.cover_quantity


def test_a_higher_service_level_holds_more_safety_stock() -> None:
    low, high = plan(Stock("A", 50, 0), days(3), level=0.8), plan(Stock("A", 50, 0), days(3), level=0.99)
    assert high.plan.reorder.safety_stock > low.plan.reorder.safety_stock
    assert high.order_by is not None and low.order_by is not None and high.order_by <= low.order_by


def test_no_demand_and_stock_above_the_record_point_means_nothing_to_order() -> None:
    line = plan(Stock("A", 50, 0, reorder_point=10), {})
    assert line.order_by is None and not line.needs_order and line.order_quantity == 0
    assert plan(Stock("A", 5, 0, reorder_point=10), {}).order_by == TODAY


def test_plenty_of_stock_orders_beyond_the_horizon() -> None:
    line = plan(Stock("A", 400, 0), days(3))
    assert line.order_by is not None and (line.order_by - TODAY).days > 30 and not line.needs_order


def test_lines_order_by_day_then_sku() -> None:
    lines = [plan(Stock(sku, n, 0), days(3)) for sku, n in (("C", 400), ("B", 5), ("A", 5), ("D", 60))]
    assert [line.sku for line in core.ordered(lines)] == ["A", "B", "D", "C"]


def test_rules_parse_strictly() -> None:
    with pytest.raises(ValueError, match="service_level"):
        parse_rules({"version": "v", "demand_window_days": 28, "service_level": 2, "horizon_days": 30,
                     "cover_target_days": 14, "order_by_search_days": 365})  # fmt: skip
