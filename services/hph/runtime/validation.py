"""Reusable field checks; each records a violation on a `Violations` collector and says why."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from hph.runtime import money
from hph.runtime.errors import FieldViolation, InvalidArgument, Violations

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Longest idempotency key (`request_id` field or `idempotency-key` header) any RPC accepts.
REQUEST_ID_MAX = 128

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text(
    violations: Violations,
    field: str,
    value: str,
    *,
    required: bool = False,
    max_length: int = 200,
    min_length: int = 1,
) -> bool:
    """Checks a free-text field: required-ness, length in characters, no control characters."""
    stripped = value.strip()
    if not stripped:
        return violations.check(not required, field, "is required")
    ok = violations.check(
        min_length <= len(stripped) <= max_length, field, f"must be {min_length}..{max_length} characters"
    )
    return ok and violations.check(not _CONTROL_CHARS.search(value), field, "contains control characters")


def request_id(violations: Violations, value: str, *, required: bool = False) -> bool:
    """Checks an idempotency key (the `request_id` field, or the `idempotency-key` header standing in
    for it): at most REQUEST_ID_MAX characters, no control characters. `required` where a retry
    without a key could do the work twice (place a second order, charge twice). Every RPC checks
    its key here, so every one accepts and refuses the same keys."""
    if not value.strip():
        return violations.check(not required, "request_id", "is required (or send the idempotency-key header)")
    return text(violations, "request_id", value, max_length=REQUEST_ID_MAX)


def identifier(violations: Violations, field: str, value: str, pattern: re.Pattern[str], hint: str) -> bool:
    return violations.check(bool(pattern.fullmatch(value)), field, hint)


def http_url(violations: Violations, field: str, value: str) -> bool:
    """An absolute http(s) URL (empty passes: callers decide whether it is required)."""
    if not value:
        return True
    parsed = urlparse(value)
    ok = parsed.scheme in {"http", "https"} and bool(parsed.netloc) and len(value) <= 2048
    return violations.check(ok, field, "must be an absolute http(s) URL of at most 2048 characters")


def page_size(violations: Violations, field: str, value: int, *, default: int = DEFAULT_PAGE_SIZE) -> int:
    """Validates a page size (0 = default) and returns the effective one."""
    if value == 0:
        return default
    violations.check(1 <= value <= MAX_PAGE_SIZE, field, f"must be between 1 and {MAX_PAGE_SIZE}")
    return value


def page_token(violations: Violations, field: str, value: str) -> str | None:
    if not value:
        return None
    violations.check(len(value) <= 4096 and value.isascii(), field, "is not a token this API issued")
    return value


def minor_amount(violations: Violations, field: str, value: int | None, *, minimum: int = 0) -> bool:
    """Checks an amount a client sent in minor units (None: not sent): minimum..money.MAX_MINOR_UNITS."""
    if value is None:
        return True
    if value < minimum:
        wanted = "must not be negative" if minimum == 0 else f"must be at least {minimum}"
        return violations.check(False, field, f"{wanted} (minor units)")
    return violations.check(
        value <= money.MAX_MINOR_UNITS, field, f"must be at most {money.MAX_MINOR_UNITS} (minor units)"
    )


def exact_amount(
    currency_code: str, *, major: float | None, major_field: str, minor: int | None, minor_field: str
) -> int | None:
    """The exact minor units of an amount a client sends back, from the display double (`major`), its
    minor-unit twin (`minor`) or both; None when neither was sent (None for a double without presence
    means it held 0). Sub-minor precision in the double is INVALID_ARGUMENT naming it; when both are
    sent they must agree exactly, else INVALID_ARGUMENT naming both. The twin's range is checked before,
    with `minor_amount`, alongside the request's other fields."""
    converted: int | None = None
    if major is not None:
        try:
            converted = money.to_minor(major, currency_code)
        except money.MoneyError as exc:
            raise InvalidArgument.for_field(major_field, str(exc)) from None
    if minor is None:
        return converted
    if converted is not None and converted != minor:
        description = (
            f"{major_field} {major!r} is {converted} minor units of {currency_code}, but {minor_field} is {minor};"
            " send either, or both equal"
        )
        raise InvalidArgument(
            f"{major_field} and {minor_field} disagree: {description}",
            violations=(FieldViolation(major_field, description), FieldViolation(minor_field, description)),
        )
    return minor
