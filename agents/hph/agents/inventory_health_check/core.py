"""The health of one SKU and the catalog-wide ordering (pure; no I/O).

Class (first that applies):
- out_of_stock: nothing available (available = max(0, on hand - reserved) is 0);
- low_stock: available at or below the reorder level = max(the stock record's reorder point, the
  demand-based reorder point of `hph.agents.inventory_signals.demand` over the supplier's lead
  time). The replenishment agent orders at the same point, so the two agree;
- overstocked: on hand above the record's overstock_threshold (when set), or more days of cover
  than the rules' overstock_cover_days;
- healthy.

Days of cover = available units / forecast demand, day by day with the seasonal indices (so the
December rush shortens it); unset without demand.

Anomalies: negative stock (critical), reserved above on hand (high), holds older than their TTL
plus a grace (medium; high past an hour), on-hand changes no event explains in the last
movement_lookback_days (medium; high for 10 units or more).

Urgency (higher first): out 3000 + demand, low 2000 + shortfall of cover against the lead time,
any other SKU with anomalies 1000 + 100 x its worst severity, overstocked 500 + cover / 10,
healthy 0; ties by SKU.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from hph.agents.inventory_health_check.rules import HealthRules
from hph.agents.inventory_signals import demand as dm
from hph.agents.inventory_signals.stock import Stock
from hph.agents.inventory_signals.supply import Supplier
from hph.agents.runtime import Driver
from hph.runtime.clock import from_iso

METHOD = "inventory-health-v1"
HEALTHY, LOW, OUT, OVERSTOCKED = "healthy", "low_stock", "out_of_stock", "overstocked"
CLASSES = (HEALTHY, LOW, OUT, OVERSTOCKED)
NEGATIVE, RESERVED_ABOVE, STALE, MOVEMENT = (
    "negative_stock",
    "reserved_above_on_hand",
    "stale_reservation",
    "unexplained_movement",
)
SEVERITY_RANK = {"info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
LARGE_MOVEMENT_UNITS = 10
__all__ = ["Anomaly", "Assessment", "Stock", "assess", "ordered", "thresholds"]


@dataclass(frozen=True)
class Anomaly:
    kind: str
    severity: str
    message: str
    reservation_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assessment:
    sku: str
    health: str
    stock: Stock
    demand: dm.DemandEstimate
    # Mean forecast units per day over the lead time (seasonality applied).
    seasonal_rate: float
    days_of_cover: float | None
    reorder: dm.ReorderPoint
    reorder_level: int
    supplier: Supplier
    urgency: float
    anomalies: tuple[Anomaly, ...]
    drivers: tuple[Driver, ...]


def assess(
    stock: Stock,
    signals: Mapping[str, Any] | None,
    *,
    seasonality: dm.Seasonality,
    supplier: Supplier,
    rules: HealthRules,
    now: datetime,
    since: date | None,
) -> Assessment:
    """One SKU's health as of `now`; `signals` is its projection document (None: never seen)."""
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
    estimate, reorder, level = plan.demand, plan.reorder, plan.reorder_level
    seasonal_rate = reorder.demand_over_lead / lead
    cover = dm.days_of_cover(stock.available, estimate.level, seasonality, start=today)
    if stock.available <= 0:
        health = OUT
    elif stock.available <= level:
        health = LOW
    elif (stock.overstock_threshold > 0 and stock.on_hand > stock.overstock_threshold) or (
        cover is not None and cover > rules.overstock_cover_days
    ):
        health = OVERSTOCKED
    else:
        health = HEALTHY
    anomalies = tuple(_anomalies(stock, signals, rules, now))
    worst = max((SEVERITY_RANK[a.severity] for a in anomalies), default=0)
    if health == OUT:
        urgency = 3000 + min(999.0, seasonal_rate * 10) + worst
    elif health == LOW:
        urgency = 2000 + min(999.0, max(0.0, lead - (cover if cover is not None else lead)) * 10) + worst
    elif anomalies:
        urgency = 1000.0 + 100 * worst
    elif health == OVERSTOCKED:
        urgency = 500 + min(499.0, (cover or 0.0) / 10)
    else:
        urgency = 0.0
    drivers = _drivers(stock, estimate, reorder, level, seasonal_rate, cover, supplier, rules)
    return Assessment(
        stock.sku,
        health,
        stock,
        estimate,
        seasonal_rate,
        cover,
        reorder,
        level,
        supplier,
        round(urgency, 3),
        anomalies,
        tuple(drivers),
    )


def ordered(assessments: Sequence[Assessment]) -> list[Assessment]:
    """Most urgent first; ties by SKU."""
    return sorted(assessments, key=lambda a: (-a.urgency, a.sku))


def _anomalies(stock: Stock, signals: Mapping[str, Any] | None, rules: HealthRules, now: datetime) -> list[Anomaly]:
    found: list[Anomaly] = []
    if stock.on_hand < 0 or stock.reserved < 0:
        found.append(
            Anomaly(NEGATIVE, "critical", f"negative stock: {stock.on_hand} on hand, {stock.reserved} reserved")
        )
    if stock.reserved > stock.on_hand:
        found.append(
            Anomaly(
                RESERVED_ABOVE,
                "high",
                f"{stock.reserved} units reserved but only {stock.on_hand} on hand "
                f"({stock.reserved - stock.on_hand} promised that do not exist)",
            )
        )
    if signals is None:
        return found
    grace = timedelta(minutes=rules.stale_grace_minutes)
    stale: list[tuple[str, int, timedelta, timedelta]] = []
    for reservation_id, (units, expires_at, held_at) in sorted(signals.get("holds", {}).items()):
        if not expires_at:
            continue
        expires = from_iso(expires_at)
        if expires + grace < now:
            ttl = expires - from_iso(held_at) if held_at else timedelta(0)
            stale.append((reservation_id, int(units), now - expires, ttl))
    if stale:
        late = max(item[2] for item in stale)
        ttl = max(item[3] for item in stale)
        units = sum(item[1] for item in stale)
        found.append(
            Anomaly(
                STALE,
                "high" if late > timedelta(hours=1) else "medium",
                f"{len(stale)} reservation(s) ({units} units) held up to {_span(late)} past their {_span(ttl)} TTL",
                tuple(item[0] for item in stale),
            )
        )
    since = now - timedelta(days=rules.movement_lookback_days)
    moved = [m for m in signals.get("movements", []) if from_iso(m["at"]) >= since]
    if moved:
        net = sum(int(m["units"]) for m in moved)
        size = sum(abs(int(m["units"])) for m in moved)
        direction = "fell" if net < 0 else "rose"
        found.append(
            Anomaly(
                MOVEMENT,
                "high" if size >= LARGE_MOVEMENT_UNITS else "medium",
                f"on hand {direction} by {abs(net)} units without an order or adjustment explaining it "
                f"({len(moved)} change(s) in the last {rules.movement_lookback_days} days)",
            )
        )
    return found


def _drivers(
    stock: Stock,
    estimate: dm.DemandEstimate,
    reorder: dm.ReorderPoint,
    level: int,
    seasonal_rate: float,
    cover: float | None,
    supplier: Supplier,
    rules: HealthRules,
) -> list[Driver]:
    lead = reorder.lead_time_days
    drivers = [
        Driver(
            "available",
            stock.available,
            threshold=level,
            unit="units",
            reason=f"{stock.available} available ({stock.on_hand} on hand - {stock.reserved} reserved); reorder level "
            f"{level} = max(record's reorder point {stock.reorder_point}, {reorder.demand_over_lead:.1f} demand over "
            f"the {lead}-day lead time + {reorder.safety_stock:.1f} safety stock)",
        ),
        Driver(
            "days_of_cover",
            round(cover, 2) if cover is not None else -1,
            threshold=lead,
            unit="days",
            reason=(
                f"{cover:.1f} days of cover at the forecast demand against {supplier.name}'s {lead}-day lead time"
                if cover is not None
                else "no demand in the window: cover is unbounded"
            ),
        ),
        Driver(
            "demand_rate",
            round(seasonal_rate, 3),
            unit="units/day",
            reason=f"{seasonal_rate:.2f}/day forecast over the lead time (seasonal); {estimate.recent_rate:.2f}/day "
            f"recent mean over {estimate.window_days} days ({estimate.units} units in {estimate.orders} orders)",
        ),
        Driver(
            "safety_stock",
            round(reorder.safety_stock, 2),
            unit="units",
            reason=f"z {reorder.z:.2f} (service level {rules.service_level}) x sigma {estimate.sigma:.2f}/day x "
            f"sqrt({lead})",
        ),
    ]
    if stock.overstock_threshold > 0:
        drivers.append(
            Driver(
                "on_hand",
                stock.on_hand,
                threshold=stock.overstock_threshold,
                unit="units",
                reason=f"{stock.on_hand} on hand against the overstock threshold {stock.overstock_threshold}",
            )
        )
    return drivers


def _span(delta: timedelta) -> str:
    minutes = delta.total_seconds() / 60
    if minutes < 90:
        return f"{minutes:.0f} min"
    hours = minutes / 60
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


def thresholds(rules: HealthRules) -> list[Driver]:
    """The explanation's drivers: the rules every SKU was judged by."""
    return [
        Driver("demand_window_days", rules.demand_window_days, unit="days", reason="days of order history per SKU"),
        Driver("service_level", rules.service_level, reason="chance of no stock-out within a lead time"),
        Driver(
            "overstock_cover_days",
            rules.overstock_cover_days,
            unit="days",
            reason="more cover is overstocked",
        ),
        Driver("stale_grace_minutes", rules.stale_grace_minutes, unit="min", reason="a hold later is stale"),
        Driver(
            "movement_lookback_days",
            rules.movement_lookback_days,
            unit="days",
            reason="unexplained on-hand changes this recent are anomalies",
        ),
    ]
