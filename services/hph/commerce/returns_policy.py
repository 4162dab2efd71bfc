"""The return rules that the returns service enforces and the returns-support agent explains, in one
home so the two can never disagree: the return window and what the service refunds at most.

- Window: units may be returned while `now` is at most `window_days` days after the order's
  delivered_at (HPH_RETURN_WINDOW_DAYS), inclusive: a return at the exact closing instant passes.
- Returnable orders: delivered, or already partially_returned (the order service's status names).
- Refundable amount: what the customer paid for the units, their prices plus their share of the
  order's tax in proportion to the units' share of the subtotal, rounded DOWN in minor units (so
  the shares of several returns never add up to more tax than was charged). Original shipping is
  not part of it. An admin may refund less (e.g. a restocking fee), never more.
"""

from __future__ import annotations

from datetime import datetime, timedelta

# Order statuses whose units may be returned (the order service's names).
RETURNABLE_ORDER_STATUSES = frozenset({"delivered", "partially_returned"})


def window_closes_at(delivered_at: datetime, window_days: int) -> datetime:
    """The last instant a return may be asked for (inclusive)."""
    return delivered_at + timedelta(days=max(window_days, 0))


def within_window(delivered_at: datetime, now: datetime, window_days: int) -> bool:
    """True while `now` is at most `window_days` days after delivery (the closing instant included)."""
    return now <= window_closes_at(delivered_at, window_days)


def tax_share(items_minor: int, subtotal_minor: int, tax_minor: int) -> int:
    """The order's tax on `items_minor` of its subtotal, rounded down (0 without tax or subtotal)."""
    if subtotal_minor <= 0 or tax_minor <= 0 or items_minor <= 0:
        return 0
    return (tax_minor * items_minor) // subtotal_minor


def refundable_minor(items_minor: int, subtotal_minor: int, tax_minor: int) -> int:
    """The most the returns service refunds for items that cost `items_minor`: prices plus tax share."""
    return items_minor + tax_share(items_minor, subtotal_minor, tax_minor)
