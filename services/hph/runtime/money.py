"""Money on the wire is a JSON number in major units (with an exact int64 minor-unit twin where clients
send amounts back); all arithmetic is in integer minor units.

Conversions happen here and only here, with Decimal so 19.99 never becomes 1998.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

# ISO 4217 minor-unit exponents for currencies that differ from the usual 2 (and the ones we sell in).
_EXPONENTS: dict[str, int] = {
    "USD": 2, "EUR": 2, "GBP": 2, "CAD": 2, "AUD": 2, "CHF": 2, "SEK": 2, "NOK": 2, "DKK": 2,
    "PLN": 2, "MXN": 2, "BRL": 2, "INR": 2, "CNY": 2, "NZD": 2, "SGD": 2, "HKD": 2, "ZAR": 2,
    "JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0,
    "BHD": 3, "KWD": 3, "JOD": 3, "OMR": 3, "TND": 3,
}  # fmt: skip

MAX_MINOR_UNITS = 10**13  # 100 billion in major units: far above any basket, far below float precision


class MoneyError(ValueError):
    """An amount or currency that cannot be represented exactly."""


def is_supported_currency(code: str) -> bool:
    return code in _EXPONENTS


def exponent(currency_code: str) -> int:
    try:
        return _EXPONENTS[currency_code]
    except KeyError as exc:
        raise MoneyError(f"unsupported currency {currency_code!r}") from exc


def to_minor(amount: float, currency_code: str) -> int:
    """Major units from the wire -> exact minor units; refuses sub-minor precision and non-finite."""
    if not math.isfinite(amount):
        raise MoneyError("amount must be a finite number")
    digits = exponent(currency_code)
    try:
        # repr() is the shortest string that round-trips, so 19.99 stays "19.99".
        exact = Decimal(repr(float(amount)))
    except InvalidOperation as exc:  # pragma: no cover - repr of a finite float always parses
        raise MoneyError(f"invalid amount {amount!r}") from exc
    scaled = exact.scaleb(digits)
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"{currency_code} amounts have at most {digits} decimal places")
    minor = int(scaled)
    if abs(minor) > MAX_MINOR_UNITS:
        raise MoneyError("amount is too large")
    return minor


def to_major(minor: int, currency_code: str) -> float:
    """Minor units -> the JSON number shown to clients."""
    return float(Decimal(minor).scaleb(-exponent(currency_code)))


def round_half_even(value: Decimal) -> int:
    """Rounds a computed minor-unit amount (tax, shares) once, half-even, as the design requires."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
