"""The reservation policy: safety stock, hot SKUs with per-shopper peak limits, backorder terms, and
the peak window, as data.

Where each part is configured:
- the policy data (version, yearly peak window, default safety stock, per-SKU rules) is a JSON file:
  `data/reservation_policy.json` beside this module (its `description` documents the format), or the
  file HPH_RESERVATION_POLICY_PATH names instead;
- the peak window is the data file's yearly window (UTC days `from`..`through`), unless
  HPH_RESERVATION_PEAK_WINDOW overrides it: "off" (no limits at all) or "START/END", two RFC 3339
  instants (e.g. a flash sale, or a test).

Parsing is strict: a malformed policy fails when the agent starts, not at the first order.
Safety stock here is the policy's own ("kept back from online sale"), not the stock record's
`safety_stock`, which the inventory contract defines as the replenishment buffer, not withheld.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

from hph.runtime.data_tables import as_mapping, as_text, load_json

DATA_PACKAGE = "hph.agents.inventory_reservation_validation"
POLICY_FILE = "reservation_policy.json"
OFF = "off"
SOURCE_POLICY, SOURCE_SETTINGS, SOURCE_OFF = "policy", "settings", "off"
# Largest number any quantity in the policy may be (units or days).
MAX_QUANTITY = 1_000_000


@dataclass(frozen=True)
class SkuRule:
    """What the policy says about one SKU."""

    sku: str
    safety_stock: int = 0
    # Units per shopper per peak window; None when the SKU is not hot.
    peak_limit: int | None = None
    # Days until a backorder is restocked; None when the SKU takes no backorders.
    backorder_restock_days: int | None = None

    @property
    def hot(self) -> bool:
        return self.peak_limit is not None


@dataclass(frozen=True)
class YearlyWindow:
    """The same UTC calendar days every year, `start` through `through` inclusive (month, day)."""

    start: tuple[int, int]
    through: tuple[int, int]

    def spanning(self, moment: datetime) -> tuple[datetime, datetime]:
        """The window containing `moment`, else the next one to start: [starts_at, ends_at)."""
        candidates = [self._in(year) for year in (moment.year - 1, moment.year, moment.year + 1)]
        for starts_at, ends_at in candidates:
            if starts_at <= moment < ends_at:
                return starts_at, ends_at
        return min((window for window in candidates if window[0] > moment), key=lambda window: window[0])

    def _in(self, year: int) -> tuple[datetime, datetime]:
        starts_at = datetime(year, *self.start, tzinfo=UTC)
        through_year = year if self.through >= self.start else year + 1
        return starts_at, datetime(through_year, *self.through, tzinfo=UTC) + timedelta(days=1)


@dataclass(frozen=True)
class PeakWindow:
    """The window a moment was judged in: whether limits applied, and its bounds (None when off)."""

    active: bool
    starts_at: datetime | None
    ends_at: datetime | None
    source: str


@dataclass(frozen=True)
class Policy:
    version: str
    default_safety_stock: int
    skus: Mapping[str, SkuRule]
    yearly_window: YearlyWindow | None
    # The settings' override: None = the yearly window; () = off; (start, end) = fixed.
    window_override: tuple[datetime, datetime] | tuple[()] | None = None
    # The data file it was read from (the shipped one, or HPH_RESERVATION_POLICY_PATH).
    source: str = POLICY_FILE

    def rule(self, sku: str) -> SkuRule:
        return self.skus.get(sku) or SkuRule(sku, safety_stock=self.default_safety_stock)

    @property
    def hot_skus(self) -> frozenset[str]:
        return frozenset(sku for sku, rule in self.skus.items() if rule.hot)

    def window_at(self, moment: datetime) -> PeakWindow:
        """The peak window `moment` falls in (active) or the next one, per the override or the data."""
        override = self.window_override
        if override is not None and len(override) == 0:
            return PeakWindow(False, None, None, SOURCE_OFF)
        if override is not None and len(override) == 2:
            starts_at, ends_at = override
            return PeakWindow(starts_at <= moment < ends_at, starts_at, ends_at, SOURCE_SETTINGS)
        if self.yearly_window is None:
            return PeakWindow(False, None, None, SOURCE_OFF)
        starts_at, ends_at = self.yearly_window.spanning(moment)
        return PeakWindow(starts_at <= moment < ends_at, starts_at, ends_at, SOURCE_POLICY)


def load_policy(path: str = "", peak_window: str = "") -> Policy:
    """The policy from `path` (empty: the shipped data file) with the peak window override applied
    (HPH_RESERVATION_POLICY_PATH and HPH_RESERVATION_PEAK_WINDOW); ValueError saying what is wrong."""
    if path:
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"reservation policy {path}: {exc}") from exc
        where = path
    else:
        raw, where = load_json(DATA_PACKAGE, POLICY_FILE), POLICY_FILE
    policy = parse_policy(raw, where)
    override = parse_window_override(peak_window)
    return Policy(policy.version, policy.default_safety_stock, policy.skus, policy.yearly_window, override, where)


def parse_policy(raw: Any, where: str = POLICY_FILE) -> Policy:
    table = as_mapping(raw, where)
    version = as_text(table.get("version"), f"{where}: version")
    default_safety = _count(table.get("default_safety_stock", 0), f"{where}: default_safety_stock")
    window_table = table.get("peak_window")
    window = None if window_table is None else _yearly(as_mapping(window_table, f"{where}: peak_window"), where)
    rules: dict[str, SkuRule] = {}
    for sku, entry in as_mapping(table.get("skus", {}), f"{where}: skus").items():
        at = f"{where}: skus.{sku}"
        fields = as_mapping(entry, at)
        unknown = set(fields) - {"safety_stock", "peak_limit_per_shopper", "backorder_restock_days"}
        if unknown:
            raise ValueError(f"{at}: unknown fields {', '.join(sorted(unknown))}")
        limit = fields.get("peak_limit_per_shopper")
        restock = fields.get("backorder_restock_days")
        rules[sku] = SkuRule(
            sku,
            safety_stock=_count(fields.get("safety_stock", default_safety), f"{at}.safety_stock"),
            peak_limit=None if limit is None else _count(limit, f"{at}.peak_limit_per_shopper", minimum=1),
            backorder_restock_days=None if restock is None else _count(restock, f"{at}.backorder_restock_days"),
        )
    return Policy(version, default_safety, MappingProxyType(dict(sorted(rules.items()))), window)


def parse_window_override(text: str) -> tuple[datetime, datetime] | tuple[()] | None:
    """HPH_RESERVATION_PEAK_WINDOW: "" (the policy's), "off", or "START/END" (RFC 3339 instants)."""
    text = text.strip()
    if not text:
        return None
    if text.lower() == OFF:
        return ()
    start_text, sep, end_text = text.partition("/")
    try:
        if not sep:
            raise ValueError("no '/'")
        starts_at, ends_at = _instant(start_text), _instant(end_text)
    except ValueError as exc:
        raise ValueError(
            f"HPH_RESERVATION_PEAK_WINDOW={text!r} is not 'off' or 'START/END' (RFC 3339 instants): {exc}"
        ) from exc
    if ends_at <= starts_at:
        raise ValueError(f"HPH_RESERVATION_PEAK_WINDOW={text!r} ends before it starts")
    return starts_at, ends_at


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return moment.astimezone(UTC)


def _yearly(table: Mapping[str, Any], where: str) -> YearlyWindow:
    return YearlyWindow(
        _month_day(table.get("from"), f"{where}: peak_window.from"),
        _month_day(table.get("through"), f"{where}: peak_window.through"),
    )


def _month_day(value: Any, where: str) -> tuple[int, int]:
    text = as_text(value, where)
    try:
        parsed = datetime.strptime(f"2000-{text}", "%Y-%m-%d")  # a leap year, so 02-29 parses
    except ValueError as exc:
        raise ValueError(f"{where}: expected MM-DD, not {text!r}") from exc
    if (parsed.month, parsed.day) == (2, 29):
        raise ValueError(f"{where}: 02-29 is not a day every year")
    return parsed.month, parsed.day


def _count(value: Any, where: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_QUANTITY:
        raise ValueError(f"{where}: expected a whole number {minimum}..{MAX_QUANTITY}")
    return value
