"""The alert conditions of one SKU now (pure; no I/O).

- stock_out: nothing available; critical when the SKU has demand (sales are being lost), else high.
- low_stock: available above 0 and at or below the reorder level (`demand.stock_plan`, the same
  level the health check's low class and the replenishment plan use); high when less than half
  the lead time's demand is left, else medium.
- reservation_pressure: reserved / on hand at or above `share` with at least `min_reserved` units
  reserved (many unpaid orders holding the stock); high at `high_share`.
- demand_spike: today's units so far against the moving baseline of the previous `baseline_days`:
  expected = deseasonalised level x today's seasonal factor, z = (units - expected) / max(sigma,
  sigma_floor); at or above `z` with at least `min_units` today (medium; high at `high_z`). Today
  is partial, so a spike is found as soon as today's count alone is far above a whole ordinary
  day, never by extrapolating a busy morning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from hph.agents.inventory_alerts_triggers.rules import (
    DEMAND_SPIKE,
    LOW_STOCK,
    RESERVATION_PRESSURE,
    STOCK_OUT,
    AlertRules,
)
from hph.agents.inventory_signals import demand as dm
from hph.agents.inventory_signals.stock import Stock
from hph.agents.inventory_signals.supply import Supplier
from hph.agents.runtime import Driver

METHOD = "inventory-alerts-v1"
SEVERITY_RANK = {"info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}


@dataclass(frozen=True)
class Finding:
    sku: str
    kind: str
    severity: str
    message: str
    drivers: tuple[Driver, ...]

    @property
    def rank(self) -> int:
        return SEVERITY_RANK[self.severity]


def evaluate(
    stock: Stock,
    signals: Mapping[str, Any] | None,
    *,
    seasonality: dm.Seasonality,
    supplier: Supplier,
    rules: AlertRules,
    now: datetime,
    since: date | None,
) -> list[Finding]:
    """Every condition that holds for the SKU now."""
    today = now.date()
    days = (signals or {}).get("days", {})
    lead = supplier.lead_time_days
    plan = dm.stock_plan(
        days,
        seasonality,
        today=today,
        window=rules.demand_window_days,
        since=since,
        lead_time_days=lead,
        service_level=rules.service_level,
        record_reorder_point=stock.reorder_point,
    )
    found: list[Finding] = []
    available = stock.available
    level_driver = Driver(
        "available",
        available,
        threshold=plan.reorder_level,
        unit="units",
        reason=f"{available} available ({stock.on_hand} on hand - {stock.reserved} reserved); reorder level "
        f"{plan.reorder_level} ({plan.reorder.demand_over_lead:.1f} demand over the {lead}-day lead time + "
        f"{plan.reorder.safety_stock:.1f} safety stock, record {stock.reorder_point})",
    )
    if available <= 0:
        selling = plan.demand.level > 0
        found.append(
            Finding(
                stock.sku,
                STOCK_OUT,
                "critical" if selling else "high",
                f"out of stock: {stock.on_hand} on hand, {stock.reserved} reserved"
                + (f"; demand {plan.demand.recent_rate:.1f}/day is being turned away" if selling else ""),
                (level_driver,),
            )
        )
    elif available <= plan.reorder_level:
        half = plan.reorder.demand_over_lead / 2
        found.append(
            Finding(
                stock.sku,
                LOW_STOCK,
                "high" if available < half else "medium",
                f"low stock: {available} available at or below the reorder level {plan.reorder_level} "
                f"({plan.reorder.demand_over_lead:.1f} units expected over the {lead}-day lead time)",
                (level_driver,),
            )
        )
    if stock.on_hand > 0 and stock.reserved >= rules.pressure_min_reserved:
        share = stock.reserved / stock.on_hand
        if share >= rules.pressure_share:
            found.append(
                Finding(
                    stock.sku,
                    RESERVATION_PRESSURE,
                    "high" if share >= rules.pressure_high_share else "medium",
                    f"{stock.reserved} of {stock.on_hand} units on hand ({share:.0%}) held by unpaid orders",
                    (
                        Driver(
                            "reserved_share",
                            round(share, 4),
                            threshold=rules.pressure_share,
                            reason=f"{stock.reserved} reserved / {stock.on_hand} on hand; alert at "
                            f"{rules.pressure_share:.0%} with {rules.pressure_min_reserved}+ units reserved",
                        ),
                    ),
                )
            )
    spike = demand_spike(days, seasonality, rules=rules, today=today, since=since, sku=stock.sku)
    if spike is not None:
        found.append(spike)
    return found


def demand_spike(
    days: Mapping[str, list[int]],
    seasonality: dm.Seasonality,
    *,
    rules: AlertRules,
    today: date,
    since: date | None,
    sku: str,
) -> Finding | None:
    units = int(days.get(today.isoformat(), [0, 0])[0])
    if units < rules.spike_min_units:
        return None
    baseline = dm.estimate(days, seasonality, end=today, window=rules.spike_baseline_days, since=since)
    if baseline.window_days < rules.spike_min_baseline_days:
        return None
    expected = baseline.level * seasonality.factor(today)
    sigma = max(baseline.sigma, rules.spike_sigma_floor)
    z = (units - expected) / sigma
    if z < rules.spike_z:
        return None
    return Finding(
        sku,
        DEMAND_SPIKE,
        "high" if z >= rules.spike_high_z else "medium",
        f"demand {units} units today, {z:.1f} sigma above the expected {expected:.1f} "
        f"(moving {baseline.window_days}-day baseline)",
        (
            Driver(
                "demand_z",
                round(z, 3),
                threshold=rules.spike_z,
                unit="sigma",
                reason=f"({units} today - {expected:.2f} expected) / sigma {sigma:.2f}; "
                f"baseline {baseline.units} units over {baseline.window_days} days",
            ),
            Driver("units_today", units, threshold=rules.spike_min_units, unit="units", reason="units reserved today"),
        ),
    )


def thresholds(rules: AlertRules) -> list[Driver]:
    """The explanation's drivers: the rules every SKU was judged by."""
    return [
        Driver("service_level", rules.service_level, reason="sizes the reorder level's safety stock"),
        Driver("reservation_pressure_share", rules.pressure_share, reason="reserved / on hand alert threshold"),
        Driver("demand_spike_z", rules.spike_z, unit="sigma", reason="today's demand above the moving baseline"),
        Driver(
            "demand_spike_baseline_days", rules.spike_baseline_days, unit="days", reason="length of the moving baseline"
        ),
    ]
