"""One SKU's replenishment plan (pure; no I/O).

With the demand model of `hph.agents.inventory_signals.demand` (forecast(day) = level x seasonal
factor, sigma of the residuals), the supplier's lead time L and z for the service level:

- reorder point on day d = max(the record's reorder point,
  ceil(sum of forecast over [d, d + L) + z x sigma x sqrt(L)));
- projected available on day d = available now - forecast demand of the days before d;
- order by = the first day d (from today) whose projected available is at or below its reorder
  point: ordering then, the delivery arrives as the stock reaches its safety stock. On day 0 this
  is exactly the health check's low class (available <= reorder level), so "order by today" and
  the low-stock list are the same SKUs;
- needs order = order by falls within the horizon;
- quantity = the larger of
  cover target: forecast over [order by, order by + L + cover_target_days) + safety stock -
  projected available on the order-by day (order up to the lead time plus the target cover), and
  EOQ = sqrt(2 x annual demand x order cost / (holding cost rate x unit price)) when the price is
  known (annual demand = the mean forecast per day over the horizon x 365);
  `quantity_method` says which one set it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from hph.agents.inventory_jit_replenishment.rules import PlanRules
from hph.agents.inventory_signals import demand as dm
from hph.agents.inventory_signals.stock import Stock
from hph.agents.inventory_signals.supply import Supplier
from hph.agents.runtime import Driver

METHOD = "jit-replenishment-v1"
EOQ, COVER_TARGET = "eoq", "cover_target"


@dataclass(frozen=True)
class PlanLine:
    sku: str
    stock: Stock
    plan: dm.StockPlan
    supplier: Supplier
    # None: no order foreseen within the search window (no demand, or plenty of stock).
    order_by: date | None
    needs_order: bool
    order_quantity: int
    quantity_method: str
    cover_quantity: int
    eoq: float | None
    drivers: tuple[Driver, ...]


def plan_line(
    stock: Stock,
    signals: Mapping[str, Any] | None,
    *,
    seasonality: dm.Seasonality,
    supplier: Supplier,
    rules: PlanRules,
    now: datetime,
    since: date | None,
    service_level: float,
    horizon_days: int,
    unit_price_minor: int | None,
) -> PlanLine:
    today = now.date()
    lead = supplier.lead_time_days
    plan = dm.stock_plan(
        (signals or {}).get("days", {}),
        seasonality,
        today=today,
        window=rules.demand_window_days,
        since=since,
        lead_time_days=lead,
        service_level=service_level,
        record_reorder_point=stock.reorder_point,
    )
    level, safety = plan.demand.level, plan.reorder.safety_stock
    search = rules.order_by_search_days
    daily = dm.forecast(level, seasonality, today, search + lead + rules.cover_target_days)
    order_day: int | None = None
    projected = float(stock.available)
    for d in range(search):
        point = max(stock.reorder_point, math.ceil(sum(daily[d : d + lead]) + safety - 1e-9))
        if projected <= point:
            order_day = d
            break
        projected -= daily[d]
    order_by = today + timedelta(days=order_day) if order_day is not None else None
    needs = order_day is not None and order_day < horizon_days
    cover_quantity = 0
    eoq: float | None = None
    quantity, method = 0, COVER_TARGET
    if order_day is not None:
        window = daily[order_day : order_day + lead + rules.cover_target_days]
        cover_quantity = max(1, math.ceil(sum(window) + safety - max(projected, 0.0) - 1e-9))
        annual = sum(daily[:horizon_days]) / horizon_days * 365
        if unit_price_minor and unit_price_minor > 0 and annual > 0:
            holding = supplier.holding_cost_rate * unit_price_minor
            eoq = math.sqrt(2 * annual * supplier.order_cost_minor / holding)
        quantity = cover_quantity
        if eoq is not None and math.ceil(eoq) > cover_quantity:
            quantity, method = math.ceil(eoq), EOQ
    drivers = _drivers(stock, plan, supplier, rules, order_by, today, cover_quantity, eoq, unit_price_minor)
    return PlanLine(
        stock.sku,
        stock,
        plan,
        supplier,
        order_by,
        needs,
        quantity,
        method,
        cover_quantity,
        eoq,
        tuple(drivers),
    )


def ordered(lines: list[PlanLine]) -> list[PlanLine]:
    """Earliest order-by first (SKUs with no order foreseen last), then by SKU."""
    return sorted(lines, key=lambda line: (line.order_by or date.max, line.sku))


def _drivers(
    stock: Stock,
    plan: dm.StockPlan,
    supplier: Supplier,
    rules: PlanRules,
    order_by: date | None,
    today: date,
    cover_quantity: int,
    eoq: float | None,
    price: int | None,
) -> list[Driver]:
    lead = supplier.lead_time_days
    reorder = plan.reorder
    drivers = [
        Driver(
            "demand_over_lead_time",
            round(reorder.demand_over_lead, 3),
            unit="units",
            reason=f"level {plan.demand.level:.2f}/day (deseasonalised, {plan.demand.units} units over "
            f"{plan.demand.window_days} days) x seasonal factors over the next {lead} days",
        ),
        Driver(
            "safety_stock",
            round(reorder.safety_stock, 3),
            unit="units",
            reason=f"z {reorder.z:.2f} x sigma {plan.demand.sigma:.2f}/day x sqrt({lead} days)",
        ),
        Driver(
            "reorder_point",
            plan.reorder_level,
            threshold=stock.available,
            unit="units",
            reason=f"max(record {stock.reorder_point}, ceil({reorder.demand_over_lead:.1f} + "
            f"{reorder.safety_stock:.1f})) against {stock.available} available now",
        ),
        Driver(
            "lead_time_days",
            lead,
            unit="days",
            reason=f"{supplier.name} ({supplier.supplier_id}), from supply data",
        ),
    ]
    if order_by is not None:
        days = (order_by - today).days
        drivers.append(
            Driver(
                "days_until_order",
                days,
                unit="days",
                reason=f"projected available reaches the reorder point on {order_by.isoformat()}"
                + (" (already there: order now)" if days == 0 else ""),
            )
        )
        drivers.append(
            Driver(
                "cover_target_quantity",
                cover_quantity,
                unit="units",
                reason=f"forecast over the {lead}-day lead time + {rules.cover_target_days} days of cover, plus "
                "safety stock, less what is projected to be left",
            )
        )
        if eoq is not None:
            drivers.append(
                Driver(
                    "economic_order_quantity",
                    round(eoq, 2),
                    unit="units",
                    reason=f"sqrt(2 x annual demand x order cost {supplier.order_cost_minor / 100:.2f} / "
                    f"({supplier.holding_cost_rate:.2f} x unit price {(price or 0) / 100:.2f}))",
                )
            )
    return drivers
