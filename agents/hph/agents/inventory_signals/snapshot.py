"""What one answer of a stock agent shares: every SKU's signals, the seasonal indices fitted on the
catalog's demand, the history's first day and the newest event folded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from hph.agents.inventory_signals import demand as dm
from hph.agents.inventory_signals.projection import StockSignals
from hph.agents.inventory_signals.supply import RetailCalendar
from hph.runtime.clock import from_iso


@dataclass(frozen=True)
class Snapshot:
    signals: dict[str, dict[str, Any]]
    seasonality: dm.Seasonality
    # The first day of demand on the platform (days before it are unknown, not zero).
    since: date | None
    # occurred_at of the newest inventory event folded (the answers' data_as_of).
    data_as_of: datetime | None


async def load_snapshot(signals: StockSignals, calendar: RetailCalendar, today: date) -> Snapshot:
    """Reads every SKU's document once (per answer, never per event) and fits the indices on the
    days before `today`."""
    docs = {doc["sku"]: doc async for doc in signals.every()}
    totals = dm.catalog_totals(doc.get("days", {}) for doc in docs.values())
    newest = max((doc["last_event_at"] for doc in docs.values() if doc.get("last_event_at")), default="")
    return Snapshot(
        docs,
        dm.fit_seasonality(totals, calendar, end=today),
        min(totals) if totals else None,
        from_iso(newest) if newest else None,
    )
