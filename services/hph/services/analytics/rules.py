"""Sales analytics rules, free of I/O: report windows, UTC buckets, tallies and revenue allocation.

What counts (the definitions every figure of the service follows):

- Revenue: an order counts, with its total (merchandise + shipping + tax - discounts, what the
  customer paid), at the moment it was paid (the order's paid_at), in the day/week/month of that
  moment. Orders cancelled before payment never count; an order cancelled after payment still
  counts when it was paid, and its refund is subtracted when the refund is issued.
- Refunds: every refund issued (RefundIssued), whatever caused it (a cancellation, a return, a
  goodwill gesture), counts at the moment it was issued, in that period, whenever the order was paid.
  Net revenue = revenue - refunds.
- Products and categories: an order's total is shared among its lines pro rata to their line totals,
  in integer minor units with the remainder going to the largest fractional shares (ties: the
  earlier line), so the lines of an order add up to its total exactly, and categories and products
  add up to the revenue. Units are units ordered on paid orders (returns are not subtracted).
- Time: UTC; days are calendar days, weeks ISO weeks starting on Monday, months calendar months.
  A window is [start, end); the first and last buckets are cut to the window, so the buckets of a
  series partition the window and add up to the summary of the same window.
- Money: integer minor units throughout; conversion to major units happens once, at the edge.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from hph.runtime.errors import Violations
from hph.runtime.money import round_half_even

DEFAULT_WINDOW = timedelta(days=30)
MAX_WINDOW = timedelta(days=366)
MAX_BUCKETS = 400
DEFAULT_TOP_PRODUCTS = 10
MAX_TOP_PRODUCTS = 50
WINDOW_TEXT_MAX = 64
# Category key of lines whose product had no category.
UNCATEGORIZED = ""
# The oldest and latest instants a window may touch (protobuf Timestamp's range is wider).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 1, 1, tzinfo=UTC)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")
_FORMAT_HINT = "must be a date (YYYY-MM-DD, UTC) or an RFC 3339 timestamp with an offset (2024-12-01T09:00:00Z)"


class Granularity(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


# --- windows ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """A report window [start, end) in UTC."""

    start: datetime
    end: datetime

    @property
    def empty(self) -> bool:
        return self.start >= self.end


def _parse_moment(text: str, *, end: bool) -> datetime | None:
    """A date (its 00:00 UTC; for an end, the next day's, so the whole day counts) or an RFC 3339
    timestamp (converted to UTC); None when the text is neither."""
    if _DATE.fullmatch(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return None
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return moment + timedelta(days=1) if end else moment
    if not _TIMESTAMP.fullmatch(text):
        return None
    normalized = text.replace("z", "Z").replace("t", "T")
    fraction = re.search(r"\.(\d+)", normalized)
    if fraction and len(fraction.group(1)) > 6:  # Python keeps microseconds; finer digits are cut
        normalized = normalized.replace(fraction.group(0), "." + fraction.group(1)[:6])
    try:
        return datetime.fromisoformat(normalized).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def parse_window(
    violations: Violations,
    from_text: str,
    to_text: str,
    now: datetime,
    *,
    from_field: str = "from_date",
    to_field: str = "to_date",
) -> Window | None:
    """The window a request asks for (see the service contract), or None with violations added.

    `to` defaults to now, `from` to 30 days before `to`; `from` after `to` or a window of more than
    366 days is refused."""
    start = end = None
    for name, text, is_end in ((from_field, from_text, False), (to_field, to_text, True)):
        if not text:
            continue
        if len(text) > WINDOW_TEXT_MAX:
            violations.add(name, f"must be at most {WINDOW_TEXT_MAX} characters")
            continue
        moment = _parse_moment(text.strip(), end=is_end)
        if moment is None:
            violations.add(name, _FORMAT_HINT)
        elif not EARLIEST <= moment <= LATEST:
            violations.add(name, "must be between 1970-01-01 and 9998-12-31")
        elif is_end:
            end = moment
        else:
            start = moment
    if violations:
        return None
    end = end or now.astimezone(UTC)
    start = start or end - DEFAULT_WINDOW
    if start > end:
        violations.add(from_field, "must not be after to (the end of the window)")
        return None
    if end - start > MAX_WINDOW:
        violations.add(to_field, "the window may span at most 366 days")
        return None
    return Window(start, end)


def check_top_products_limit(violations: Violations, value: int, field_name: str = "top_products_limit") -> int:
    violations.check(0 <= value <= MAX_TOP_PRODUCTS, field_name, f"must be between 0 and {MAX_TOP_PRODUCTS}")
    return value or DEFAULT_TOP_PRODUCTS


# --- days and buckets ------------------------------------------------------------------------


def day_key(moment: datetime) -> str:
    """The UTC calendar day of a moment, as stored ("2024-12-01")."""
    return moment.astimezone(UTC).date().isoformat()


def day_start(key: str) -> datetime:
    day = date.fromisoformat(key)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def floor_day(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


def bucket_start(moment: datetime, granularity: Granularity) -> datetime:
    """Start of the bucket holding `moment`: its day, its ISO week's Monday, or its month's first."""
    day = floor_day(moment)
    if granularity == Granularity.WEEK:
        return day - timedelta(days=day.weekday())
    if granularity == Granularity.MONTH:
        return day.replace(day=1)
    return day


def next_bucket(start: datetime, granularity: Granularity) -> datetime:
    """Start of the bucket after the one starting at `start` (an aligned start)."""
    if granularity == Granularity.WEEK:
        return start + timedelta(days=7)
    if granularity == Granularity.MONTH:
        if start.month == 12:
            return start.replace(year=start.year + 1, month=1)
        return start.replace(month=start.month + 1)
    return start + timedelta(days=1)


@dataclass(frozen=True)
class Bucket:
    """One point of a series: [start, end), cut to the window."""

    start: datetime
    end: datetime


def buckets(window: Window, granularity: Granularity) -> list[Bucket]:
    """The contiguous buckets covering the window, oldest first; none for an empty window."""
    result: list[Bucket] = []
    if window.empty:
        return result
    aligned = bucket_start(window.start, granularity)
    while aligned < window.end:
        following = next_bucket(aligned, granularity)
        result.append(Bucket(max(aligned, window.start), min(following, window.end)))
        aligned = following
    return result


def bucket_count(window: Window, granularity: Granularity) -> int:
    return len(buckets(window, granularity))


@dataclass(frozen=True)
class Segment:
    """A piece of a window inside one UTC day: either the whole day (read from the day's rollup) or
    a part of it (summed from the day's facts)."""

    day: str
    start: datetime
    end: datetime

    @property
    def whole_day(self) -> bool:
        begin = day_start(self.day)
        return self.start == begin and self.end == begin + timedelta(days=1)


def segments(window: Window) -> Iterator[Segment]:
    """The window cut at UTC midnights, oldest first."""
    cursor = window.start
    while cursor < window.end:
        following = floor_day(cursor) + timedelta(days=1)
        end = min(following, window.end)
        yield Segment(day_key(cursor), cursor, end)
        cursor = end


# --- allocation ------------------------------------------------------------------------------


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Splits `total` minor units pro rata to `weights` into integers that add up to `total`: each
    share is floored, then the remainder goes one unit at a time to the largest fractional parts
    (ties: the earlier weight). All-zero weights share equally."""
    if not weights:
        return []
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    basis = list(weights) if sum(weights) > 0 else [1] * len(weights)
    whole = sum(basis)
    shares = [total * w // whole for w in basis]
    remainders = [total * w % whole for w in basis]
    left = total - sum(shares)
    for index in sorted(range(len(basis)), key=lambda i: (-remainders[i], i))[:left]:
        shares[index] += 1
    return shares


# --- facts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaleLine:
    """A line of a paid order as analytics keeps it; revenue is its share of the order total."""

    sku: str
    name: str
    category_id: str
    quantity: int
    revenue_minor: int


@dataclass(frozen=True)
class Sale:
    """A paid order: when, how much, and its lines (their revenue adds up to total_minor)."""

    order_id: str
    paid_at: datetime
    currency: str
    total_minor: int
    lines: tuple[SaleLine, ...]


@dataclass(frozen=True)
class LineInput:
    sku: str
    name: str
    category_id: str
    quantity: int
    line_total_minor: int


def new_sale(order_id: str, paid_at: datetime, currency: str, total_minor: int, lines: Sequence[LineInput]) -> Sale:
    """A sale with the order total allocated over its lines (see `allocate`)."""
    shares = allocate(total_minor, [max(0, line.line_total_minor) for line in lines])
    return Sale(
        order_id=order_id,
        paid_at=paid_at,
        currency=currency,
        total_minor=total_minor,
        lines=tuple(
            SaleLine(line.sku, line.name, line.category_id or UNCATEGORIZED, max(0, line.quantity), share)
            for line, share in zip(lines, shares, strict=True)
        ),
    )


# --- tallies ---------------------------------------------------------------------------------


@dataclass
class ProductTally:
    units: int = 0
    revenue_minor: int = 0
    name: str = ""


@dataclass
class CategoryTally:
    revenue_minor: int = 0
    orders: int = 0
    units: int = 0


@dataclass
class Tally:
    """Sums over a set of sales and refunds (one currency); what a daily rollup stores."""

    revenue_minor: int = 0
    orders: int = 0
    units: int = 0
    refunds_minor: int = 0
    refund_count: int = 0
    products: dict[str, ProductTally] = field(default_factory=dict)
    categories: dict[str, CategoryTally] = field(default_factory=dict)

    @property
    def net_minor(self) -> int:
        return self.revenue_minor - self.refunds_minor

    def add_sale(self, sale: Sale) -> None:
        self.revenue_minor += sale.total_minor
        self.orders += 1
        if not sale.lines:
            self.categories.setdefault(UNCATEGORIZED, CategoryTally()).revenue_minor += sale.total_minor
            self.categories[UNCATEGORIZED].orders += 1
            return
        seen: set[str] = set()
        for line in sale.lines:
            self.units += line.quantity
            product = self.products.setdefault(line.sku, ProductTally())
            product.units += line.quantity
            product.revenue_minor += line.revenue_minor
            product.name = line.name or product.name
            category = self.categories.setdefault(line.category_id, CategoryTally())
            category.revenue_minor += line.revenue_minor
            category.units += line.quantity
            if line.category_id not in seen:
                seen.add(line.category_id)
                category.orders += 1

    def add_refund(self, amount_minor: int) -> None:
        self.refunds_minor += amount_minor
        self.refund_count += 1

    def merge(self, other: Tally) -> None:
        self.revenue_minor += other.revenue_minor
        self.orders += other.orders
        self.units += other.units
        self.refunds_minor += other.refunds_minor
        self.refund_count += other.refund_count
        for sku, product in other.products.items():
            mine = self.products.setdefault(sku, ProductTally())
            mine.units += product.units
            mine.revenue_minor += product.revenue_minor
            mine.name = product.name or mine.name
        for category_id, category in other.categories.items():
            self.add_category(category_id, category)

    def add_category(self, category_id: str, category: CategoryTally) -> None:
        mine = self.categories.setdefault(category_id, CategoryTally())
        mine.revenue_minor += category.revenue_minor
        mine.orders += category.orders
        mine.units += category.units

    # --- storage form ---

    def to_doc(self) -> dict[str, Any]:
        return {
            "revenue_minor": self.revenue_minor,
            "orders": self.orders,
            "units": self.units,
            "refunds_minor": self.refunds_minor,
            "refund_count": self.refund_count,
            "products": {
                sku: {"units": p.units, "revenue_minor": p.revenue_minor, "name": p.name}
                for sku, p in self.products.items()
            },
            "categories": {
                cid: {"revenue_minor": c.revenue_minor, "orders": c.orders, "units": c.units}
                for cid, c in self.categories.items()
            },
        }

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Tally:
        return cls(
            revenue_minor=int(doc.get("revenue_minor", 0)),
            orders=int(doc.get("orders", 0)),
            units=int(doc.get("units", 0)),
            refunds_minor=int(doc.get("refunds_minor", 0)),
            refund_count=int(doc.get("refund_count", 0)),
            products={
                sku: ProductTally(int(p["units"]), int(p["revenue_minor"]), str(p.get("name", "")))
                for sku, p in dict(doc.get("products", {})).items()
            },
            categories={
                cid: CategoryTally(int(c["revenue_minor"]), int(c["orders"]), int(c["units"]))
                for cid, c in dict(doc.get("categories", {})).items()
            },
        )


# --- report arithmetic -----------------------------------------------------------------------


def average_order_value(revenue_minor: int, orders: int) -> int:
    """revenue / orders in minor units, rounded once, half-even; 0 without orders."""
    if orders <= 0:
        return 0
    return round_half_even(Decimal(revenue_minor) / Decimal(orders))


def top_products(tally: Tally, limit: int) -> list[tuple[str, ProductTally]]:
    """Best sellers by revenue, then units, then SKU (so equal figures keep a stable order)."""
    ranked = sorted(tally.products.items(), key=lambda item: (-item[1].revenue_minor, -item[1].units, item[0]))
    return ranked[:limit]


def group_categories(tally: Tally, top_level: Mapping[str, str]) -> dict[str, CategoryTally]:
    """The tally's categories folded into their top-level ancestors (`top_level` maps a category id
    to it; unknown ids stand for themselves)."""
    grouped: dict[str, CategoryTally] = {}
    for category_id, category in tally.categories.items():
        target = grouped.setdefault(top_level.get(category_id, category_id), CategoryTally())
        target.revenue_minor += category.revenue_minor
        target.orders += category.orders
        target.units += category.units
    return grouped


def ranked_categories(grouped: Mapping[str, CategoryTally]) -> list[tuple[str, CategoryTally]]:
    """Largest revenue first, then id; categories without revenue or units are left out."""
    kept = [(cid, c) for cid, c in grouped.items() if c.revenue_minor or c.units]
    return sorted(kept, key=lambda item: (-item[1].revenue_minor, item[0]))


def revenue_share(part_minor: int, total_minor: int) -> float:
    return float(Decimal(part_minor) / Decimal(total_minor)) if total_minor > 0 else 0.0
