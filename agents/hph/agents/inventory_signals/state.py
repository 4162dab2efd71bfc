"""The fold of one SKU's inventory events into its signals document (pure; no I/O).

Every inventory event carries the SKU's stock level right after its change, and they are ordered
per SKU (partition key sku), so one document per SKU can be kept from them alone:

- `level`: the level after the newest event;
- `days`: per UTC day of `occurred_at`, [units reserved, reservations, lowest available, closing on
  hand]: the demand shoppers placed (a reservation is made for every order line; demand while a
  SKU is out is not seen, it is censored) and where the stock stood (a day whose lowest available
  is 0 was a stock-out day; the replenishment backtest replays from the closing levels);
- `holds`: the open reservations (reservation id -> [units, expires_at, held_at]), closed by a
  release or a confirmation;
- `movements`: on-hand changes no event explains (the newest MAX_MOVEMENTS), with
  `movement_count` over all time. An event explains its own change: a confirmation takes its units
  off on hand, an adjustment moves it by its delta, a reservation, release or low-stock notice leaves
  it as it was. Any other difference from the previous level is stock that moved without an order.

`apply` is deterministic in the events alone, so a replay of the group from the earliest event
rebuilds the same documents.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

from hph.runtime.clock import to_iso

KIND = "signals"
KEEP_DAYS = 400
# [units reserved, reservations, lowest available, closing on hand]
DAY_FIELDS = 4
MAX_MOVEMENTS = 20
RESERVED, RELEASED, CONFIRMED, ADJUSTED, LOW_STOCK = "reserved", "released", "confirmed", "adjusted", "low_stock"
LEVEL_FIELDS = ("on_hand", "reserved", "available", "reorder_point", "safety_stock")

Signals = dict[str, Any]


def empty(sku: str) -> Signals:
    return {
        "id": sku,
        "sku": sku,
        "kind": KIND,
        "level": None,
        "days": {},
        "holds": {},
        "movements": [],
        "movement_count": 0,
        "last_event_at": "",
    }


def apply(
    doc: Signals,
    kind: str,
    *,
    occurred_at: datetime,
    level: dict[str, int],
    quantity: int = 0,
    delta: int = 0,
    reservation_id: str = "",
    expires_at: str = "",
) -> Signals:
    """The document after one event of `kind` (a new dict; `doc` is not changed)."""
    state = copy.deepcopy(doc)
    previous = state["level"]
    if previous is not None:
        expected = previous["on_hand"] - (quantity if kind == CONFIRMED else 0) + (delta if kind == ADJUSTED else 0)
        if level["on_hand"] != expected:
            state["movements"] = [
                *state["movements"],
                {
                    "at": to_iso(occurred_at),
                    "event": kind,
                    "expected_on_hand": expected,
                    "on_hand": level["on_hand"],
                    "units": level["on_hand"] - expected,
                },
            ][-MAX_MOVEMENTS:]
            state["movement_count"] += 1
    state["level"] = {name: int(level[name]) for name in LEVEL_FIELDS}
    day = occurred_at.date().isoformat()
    entry = state["days"].get(day)
    if entry is None:
        entry = [0, 0, int(level["available"]), int(level["on_hand"])]
        oldest = (occurred_at.date() - timedelta(days=KEEP_DAYS)).isoformat()
        state["days"] = {name: value for name, value in state["days"].items() if name > oldest}
    elif len(entry) < DAY_FIELDS:  # a day folded before the stock columns existed
        entry = [*entry, int(level["available"]), int(level["on_hand"])][:DAY_FIELDS]
    entry = [
        entry[0] + (quantity if kind == RESERVED else 0),
        entry[1] + (1 if kind == RESERVED else 0),
        min(entry[2], int(level["available"])),
        int(level["on_hand"]),
    ]
    state["days"][day] = entry
    if kind == RESERVED:
        state["holds"][reservation_id] = [quantity, expires_at, to_iso(occurred_at)]
    elif kind in (RELEASED, CONFIRMED):
        state["holds"].pop(reservation_id, None)
    if not state["last_event_at"] or to_iso(occurred_at) > state["last_event_at"]:
        state["last_event_at"] = to_iso(occurred_at)
    return state
