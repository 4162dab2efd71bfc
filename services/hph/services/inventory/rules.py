"""Inventory rules, free of I/O: stock arithmetic and health, hold transitions, reservation ids and
statuses, request checks, and the OUT_OF_STOCK refusal.

Decisions the rest of the service relies on:

- available = max(0, on_hand - reserved). Safety stock is a planning buffer for replenishment and is
  NOT withheld from sale (the InventoryItem contract says so); it only informs staff and agents.
- Health, first match wins: out_of_stock (available == 0), low_stock (available <= reorder_point),
  overstocked (overstock_threshold > 0 and on_hand > overstock_threshold), else healthy.
- A record created without an explicit overstock threshold gets max(500, 10 x reorder_point): far
  above any sane replenishment target, so only genuinely excessive stock is flagged.
- Invariant kept by every transition: 0 <= reserved <= on_hand, so held + confirmed-not-shipped
  units can never exceed what is physically there (confirmed units leave on_hand).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from google.protobuf import any_pb2
from google.rpc import error_details_pb2

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.runtime import validation
from hph.runtime.errors import FailedPrecondition, Violations, reason_text
from hph.runtime.storage import Document

SKU = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{2,63}")
SKU_HINT = "must be 3..64 of A-Z, a-z, 0-9, '-', '_'"
SKU_PREFIX = re.compile(r"[A-Za-z0-9_-]{1,64}")
ORDER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
RESERVATION_ID = re.compile(r"rsv-[0-9a-f]{32}")

MAX_LINES = 100
MAX_LINE_QUANTITY = 99
MAX_LOOKUP_SKUS = 100
PUBLIC_QUANTITY_CAP = 99  # the cart line limit; exact stock stays private
MAX_STOCK = 10_000_000  # far below int32, so arithmetic on the wire never overflows
MIN_TTL_SECONDS, MAX_TTL_SECONDS = 60, 24 * 3600
MAX_KEY_LENGTH = 128
MAX_ADJUST_REASON = 500
MAX_RELEASE_REASON = 200
OVERSTOCK_FLOOR, OVERSTOCK_FACTOR = 500, 10

# Health classes as stored (the `health` field of stock records, which list filters query).
HEALTHY, LOW_STOCK, OUT_OF_STOCK, OVERSTOCKED = "healthy", "low_stock", "out_of_stock", "overstocked"

# Hold statuses (one hold per reservation and SKU).
HELD, CONFIRMED, RELEASED, EXPIRED = "held", "confirmed", "released", "expired"
TERMINAL_HOLD = frozenset({RELEASED, EXPIRED})

# Reservation statuses: PENDING while the saga places the holds (shown as held), then the hold
# statuses above. `intent` marks a confirm or release in progress, so a crashed one is resumed by
# a retry and the sweeper leaves the reservation alone meanwhile.
PENDING = "pending"
CONFIRMING, RELEASING = "confirm", "release"

OUT_OF_STOCK_REASON = ErrorReason.ERROR_REASON_OUT_OF_STOCK
ILLEGAL_TRANSITION = ErrorReason.ERROR_REASON_ILLEGAL_TRANSITION
EXPIRY_REASON = "expired"
SHORTAGE_REASON = "out of stock"


# --- stock levels ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    """A SKU's quantities and thresholds."""

    on_hand: int = 0
    reserved: int = 0
    reorder_point: int = 0
    safety_stock: int = 0
    overstock_threshold: int = 0

    @property
    def available(self) -> int:
        return max(0, self.on_hand - self.reserved)

    @property
    def health(self) -> str:
        if self.available <= 0:
            return OUT_OF_STOCK
        if self.available <= self.reorder_point:
            return LOW_STOCK
        if self.overstock_threshold > 0 and self.on_hand > self.overstock_threshold:
            return OVERSTOCKED
        return HEALTHY

    @property
    def is_low(self) -> bool:
        return self.available <= self.reorder_point


NO_STOCK = Level()


def default_overstock_threshold(reorder_point: int) -> int:
    return max(OVERSTOCK_FLOOR, OVERSTOCK_FACTOR * reorder_point)


def level_of(doc: Mapping[str, Any] | None) -> Level:
    """The level a stock record holds; a SKU without a record has none of anything."""
    if doc is None:
        return NO_STOCK
    return Level(
        on_hand=int(doc.get("quantity_on_hand", 0)),
        reserved=int(doc.get("quantity_reserved", 0)),
        reorder_point=int(doc.get("reorder_point", 0)),
        safety_stock=int(doc.get("safety_stock", 0)),
        overstock_threshold=int(doc.get("overstock_threshold", 0)),
    )


def level_fields(level: Level) -> dict[str, Any]:
    """The stock record fields a level determines (health is stored so lists can filter on it)."""
    return {
        "quantity_on_hand": level.on_hand,
        "quantity_reserved": level.reserved,
        "reorder_point": level.reorder_point,
        "safety_stock": level.safety_stock,
        "overstock_threshold": level.overstock_threshold,
        "health": level.health,
    }


def new_stock_document(
    sku: str,
    *,
    on_hand: int,
    reorder_point: int,
    safety_stock: int,
    now: str,
    overstock_threshold: int | None = None,
) -> Document:
    """A stock record as first written (by the demo seed or a staff update of a new SKU)."""
    threshold = default_overstock_threshold(reorder_point) if overstock_threshold is None else overstock_threshold
    level = Level(on_hand, 0, reorder_point, safety_stock, threshold)
    return {"id": sku, "sku": sku, "kind": "stock", **level_fields(level), "revision": 1, "updated_at": now}


def crossed_into_low(before: Level, after: Level, *, existed: bool) -> bool:
    """True when this change takes available stock to or below the reorder point from above it
    (LowStock is sent once per crossing, again only after a recovery above the reorder point)."""
    return existed and not before.is_low and after.is_low


class Shortage(Exception):
    """Not enough available units for the change asked for."""

    def __init__(self, requested: int, available: int) -> None:
        super().__init__(f"requested {requested}, available {available}")
        self.requested = requested
        self.available = available


def reserve(level: Level, quantity: int) -> Level:
    if quantity > level.available:
        raise Shortage(quantity, level.available)
    return replace(level, reserved=level.reserved + quantity)


def unreserve(level: Level, quantity: int) -> Level:
    return replace(level, reserved=max(0, level.reserved - quantity))


def sell(level: Level, quantity: int) -> Level:
    """Held units were paid for: they leave the warehouse count and are no longer reserved."""
    return replace(level, on_hand=max(0, level.on_hand - quantity), reserved=max(0, level.reserved - quantity))


def restock(level: Level, quantity: int) -> Level:
    """Sold units of a cancelled, unshipped order go back on the shelf."""
    return replace(level, on_hand=level.on_hand + quantity)


# --- hold transitions --------------------------------------------------------------------------


@dataclass(frozen=True)
class HoldView:
    status: str
    quantity: int
    expires_at: str


@dataclass(frozen=True)
class LineChange:
    """What one line operation does in its SKU: the level after, the hold after, units moved."""

    level: Level
    status: str
    quantity: int
    moved: int  # units whose state changed; 0 means the stock record is untouched


def plan_acquire(level: Level, hold: HoldView | None, quantity: int) -> LineChange | None:
    """Hold `quantity` units; None when the hold is already confirmed (nothing left to do).
    A held hold is adjusted to `quantity`; Shortage when the extra units are not available."""
    if hold is not None and hold.status == CONFIRMED:
        return None
    already = hold.quantity if hold is not None and hold.status == HELD else 0
    extra = quantity - already
    after = reserve(level, extra) if extra > 0 else unreserve(level, -extra)
    return LineChange(after, HELD, quantity, extra)


def plan_confirm(level: Level, hold: HoldView | None) -> LineChange | None:
    """Held -> confirmed (units sold); None when already confirmed. ValueError when not held:
    confirming never resurrects a released or expired hold (the saga re-acquires it first)."""
    if hold is None or hold.status in TERMINAL_HOLD:
        raise ValueError("the hold is not held")
    if hold.status == CONFIRMED:
        return None
    return LineChange(sell(level, hold.quantity), CONFIRMED, hold.quantity, hold.quantity)


def plan_release(level: Level, hold: HoldView | None) -> LineChange | None:
    """Held -> released (units available again); confirmed -> released (units back on hand);
    None when there is nothing to give back."""
    if hold is None or hold.status in TERMINAL_HOLD:
        return None
    if hold.status == HELD:
        return LineChange(unreserve(level, hold.quantity), RELEASED, hold.quantity, hold.quantity)
    return LineChange(restock(level, hold.quantity), RELEASED, hold.quantity, hold.quantity)


def plan_expire(level: Level, hold: HoldView | None, now: str) -> LineChange | None:
    """Held past its expiry -> expired (units available again); None otherwise."""
    if hold is None or hold.status != HELD or hold.expires_at > now:
        return None
    return LineChange(unreserve(level, hold.quantity), EXPIRED, hold.quantity, hold.quantity)


# --- staff adjustments -------------------------------------------------------------------------


@dataclass(frozen=True)
class Adjustment:
    """The fields an UpdateInventoryItem sets; None leaves a field as it is."""

    on_hand: int | None = None
    delta: int | None = None
    reorder_point: int | None = None
    safety_stock: int | None = None
    overstock_threshold: int | None = None

    @property
    def moves_stock(self) -> bool:
        return self.on_hand is not None or self.delta is not None

    def fingerprint(self, sku: str, reason: str) -> str:
        """Identifies the request behind an idempotency key, so a reused key with other content is caught."""
        canonical = json.dumps([sku, reason, self.on_hand, self.delta, self.reorder_point, self.safety_stock,
                                self.overstock_threshold])  # fmt: skip
        return hashlib.sha256(canonical.encode()).hexdigest()


def apply_adjustment(level: Level, change: Adjustment, sku: str) -> Level:
    """The level after a staff adjustment; FAILED_PRECONDITION when on-hand would drop below zero or
    below the units that reservations hold."""
    on_hand = level.on_hand
    if change.on_hand is not None:
        on_hand = change.on_hand
    elif change.delta is not None:
        on_hand = level.on_hand + change.delta
    subject = f"inventory/{sku}"
    if on_hand < 0:
        raise FailedPrecondition(
            f"on-hand stock of {sku} is {level.on_hand}; a change of {change.delta} would make it negative",
            subject=subject,
            reason=ErrorReason.ERROR_REASON_NEGATIVE_STOCK,
        )
    if on_hand < level.reserved:
        raise FailedPrecondition(
            f"{level.reserved} units of {sku} are held by reservations; on-hand cannot go below that "
            f"(asked for {on_hand}); release or confirm the reservations first",
            subject=subject,
            reason=ErrorReason.ERROR_REASON_BELOW_RESERVED,
        )
    if on_hand > MAX_STOCK:
        raise FailedPrecondition(
            f"on-hand stock of {sku} would exceed {MAX_STOCK}",
            subject=subject,
            reason=ErrorReason.ERROR_REASON_STOCK_LIMIT,
        )
    return Level(
        on_hand=on_hand,
        reserved=level.reserved,
        reorder_point=_or(change.reorder_point, level.reorder_point),
        safety_stock=_or(change.safety_stock, level.safety_stock),
        overstock_threshold=_or(change.overstock_threshold, level.overstock_threshold),
    )


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


# Adjustment reasons as the InventoryAdjusted event names them, recognised from the staff's text.
RECEIVED, RETURN_RESTOCK, COUNT_CORRECTION, DAMAGED_OR_LOST, SETTINGS, OTHER = (
    "received",
    "return_restock",
    "count_correction",
    "damaged_or_lost",
    "settings",
    "other",
)
_REASON_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (RETURN_RESTOCK, ("return", "restock")),
    (DAMAGED_OR_LOST, ("damage", "broken", "lost", "stolen", "theft", "write-off", "write off", "shrink")),
    (COUNT_CORRECTION, ("count", "stock take", "stocktake", "audit", "correction")),
    (RECEIVED, ("receiv", "po-", "purchase order", "delivery", "replenish", "shipment in")),
)
_REFERENCE = re.compile(r"\b[A-Z]{1,5}-?\d{1,12}\b")


def adjustment_kind(reason: str, change: Adjustment) -> str:
    """Classifies an adjustment for consumers: SETTINGS when no units moved, else by keywords of the
    reason ("PO-1234 received" -> received), OTHER when nothing matches."""
    if not change.moves_stock:
        return SETTINGS
    lowered = reason.lower()
    for kind, words in _REASON_WORDS:
        if any(word in lowered for word in words):
            return kind
    return OTHER


def reference_in(reason: str) -> str:
    """A record id mentioned in the reason ("PO-1234", "R-88"), or ""."""
    found = _REFERENCE.search(reason)
    return found.group(0) if found else ""


def idempotency_id(prefix: str, key: str) -> str:
    """A document id for an idempotency key (keys may hold characters ids cannot)."""
    return prefix + hashlib.sha256(key.encode()).hexdigest()[:40]


# --- reservations ------------------------------------------------------------------------------


def reservation_id_for(order_id: str) -> str:
    """One reservation per order, so the order id alone makes ReserveStock idempotent."""
    return "rsv-" + hashlib.sha256(order_id.encode()).hexdigest()[:32]


@dataclass(frozen=True, order=True)
class Line:
    sku: str
    quantity: int


def lines_of(doc: Mapping[str, Any]) -> list[Line]:
    return [Line(str(item["sku"]), int(item["quantity"])) for item in doc.get("lines", [])]


def line_fields(lines: Sequence[Line]) -> list[dict[str, Any]]:
    return [{"sku": line.sku, "quantity": line.quantity} for line in lines]


@dataclass(frozen=True)
class ShortLine:
    sku: str
    requested: int
    available: int


class OutOfStock(FailedPrecondition):
    """FAILED_PRECONDITION / OUT_OF_STOCK naming every short SKU: one PreconditionFailure violation
    per SKU (subject "skus/<sku>"), so a caller can tell the shopper which lines to change."""

    def __init__(self, shortages: Sequence[ShortLine]) -> None:
        listed = ", ".join(f"{s.sku} (requested {s.requested}, available {s.available})" for s in shortages)
        super().__init__(
            f"not enough stock for {listed}",
            subject=f"skus/{shortages[0].sku}" if shortages else "",
            reason=OUT_OF_STOCK_REASON,
            metadata={"skus": ",".join(s.sku for s in shortages)},
        )
        self.shortages = tuple(shortages)

    def extra_details(self) -> list[any_pb2.Any]:
        failure = error_details_pb2.PreconditionFailure(
            violations=[
                error_details_pb2.PreconditionFailure.Violation(
                    type=reason_text(OUT_OF_STOCK_REASON),
                    subject=f"skus/{s.sku}",
                    description=f"requested {s.requested}, available {s.available}",
                )
                for s in self.shortages
            ]
        )
        packed = any_pb2.Any()
        packed.Pack(failure)
        return [packed]


# --- request checks ----------------------------------------------------------------------------


def check_sku(violations: Violations, field: str, sku: str) -> bool:
    if not sku:
        return violations.check(False, field, "is required")
    return validation.identifier(violations, field, sku, SKU, SKU_HINT)


def check_lines(violations: Violations, lines: Sequence[tuple[str, int]]) -> list[Line]:
    """Checks ReserveStock lines; returns them sorted by SKU (the saga's stable order)."""
    if not violations.check(bool(lines), "lines", "at least one line is required"):
        return []
    if not violations.check(len(lines) <= MAX_LINES, "lines", f"at most {MAX_LINES} lines"):
        return []
    first_index: dict[str, int] = {}
    for index, (sku, quantity) in enumerate(lines):
        if check_sku(violations, f"lines[{index}].sku", sku):
            if sku in first_index:
                violations.add(f"lines[{index}].sku", f"repeats lines[{first_index[sku]}]; one line per SKU")
            first_index.setdefault(sku, index)
        violations.check(
            1 <= quantity <= MAX_LINE_QUANTITY, f"lines[{index}].quantity", f"must be 1..{MAX_LINE_QUANTITY}"
        )
    return sorted(Line(sku, quantity) for sku, quantity in lines)


def check_ttl(violations: Violations, seconds: int, nanos: int, default_seconds: int) -> float:
    """The hold time in seconds: the default when unset or zero, else 1 minute..24 hours."""
    total = seconds + nanos / 1e9
    if total == 0:
        return float(default_seconds)
    violations.check(MIN_TTL_SECONDS <= total <= MAX_TTL_SECONDS, "ttl", "must be between 1 minute and 24 hours")
    return total


def check_quantity(violations: Violations, field: str, value: int | None, *, minimum: int = 0) -> None:
    if value is not None:
        violations.check(minimum <= value <= MAX_STOCK, field, f"must be {minimum}..{MAX_STOCK}")


def check_adjustment(violations: Violations, change: Adjustment, reason: str) -> None:
    """Checks UpdateInventoryItem fields (all problems at once)."""
    given = [change.on_hand, change.delta, change.reorder_point, change.safety_stock, change.overstock_threshold]
    if all(value is None for value in given):
        violations.add("quantity_on_hand", "set at least one of the fields to change")
    if change.on_hand is not None and change.delta is not None:
        violations.add("quantity_on_hand_delta", "cannot be combined with quantity_on_hand")
    check_quantity(violations, "quantity_on_hand", change.on_hand)
    if change.delta is not None:
        violations.check(
            change.delta != 0 and abs(change.delta) <= MAX_STOCK,
            "quantity_on_hand_delta",
            f"must be non-zero and within +-{MAX_STOCK}",
        )
    check_quantity(violations, "reorder_point", change.reorder_point)
    check_quantity(violations, "safety_stock", change.safety_stock)
    check_quantity(violations, "overstock_threshold", change.overstock_threshold)
    validation.text(violations, "reason", reason, required=change.moves_stock, max_length=MAX_ADJUST_REASON)


def prefix_bounds(prefix: str) -> tuple[str, str]:
    """[low, high) such that low <= s < high exactly for strings s starting with `prefix` (strings
    compare by code point, so the upper bound is the prefix with its last character incremented)."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def public_quantity(level: Level) -> int:
    return min(level.available, PUBLIC_QUANTITY_CAP)
