"""Payment rules, free of I/O: ids and keys, request checks, statuses, refundable amounts, pages.

Ids are derived, never random, because derivation is what makes retries safe:

- a charge's payment id hashes (user, idempotency key): a retry, a concurrent duplicate or a retry
  after a crash names the same document, so the store's create-if-absent decides who charges;
- an intent's payment id hashes the order id: one open intent per order, reused by every call;
- the provider's idempotency key is derived from the payment (or refund) id, so the provider too
  sees one request however often we send it (a crash after charging and before storing the result
  charges once: the next attempt gets the provider's replay);
- a refund's id hashes (payment, idempotency key): one key, one refund.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.runtime import validation
from hph.runtime.clock import from_iso, to_iso
from hph.runtime.errors import FailedPrecondition, InvalidArgument, Violations
from hph.runtime.money import is_supported_currency

PAYMENT_PREFIX = "pay_"
REFUND_PREFIX = "ref_"
CLAIM_PREFIX = "claim_"
PROVIDER_KEY_PREFIX = "hph-"
ID_MAX = 128
REASON_MAX = 500
MAX_REFUNDS_PER_PAYMENT = 100
# How long one synchronous charge attempt may hold its payment before a retry may take it over.
# Above the Stripe adapter's worst case (30 s timeout x 3 tries) plus the order follow-ups.
CHARGE_LEASE = timedelta(seconds=120)

# Stored statuses (documents); the wire enum is mapped in `messages`.
PENDING = "pending"
REQUIRES_ACTION = "requires_action"
SUCCEEDED = "succeeded"
FAILED = "failed"
REFUNDED = "refunded"
PARTIALLY_REFUNDED = "partially_refunded"
CAPTURED_STATUSES = frozenset({SUCCEEDED, PARTIALLY_REFUNDED, REFUNDED})
REFUNDABLE_STATUSES = frozenset({SUCCEEDED, PARTIALLY_REFUNDED})

REFUND_PENDING = "pending"
REFUND_SUCCEEDED = "succeeded"
REFUND_FAILED = "failed"

SOURCE_CHARGE = "charge"  # CreatePayment: a saved card charged at once
SOURCE_INTENT = "intent"  # CreatePaymentIntent: the storefront confirms, a webhook settles

# ErrorInfo reasons.
AMOUNT_MISMATCH = ErrorReason.ERROR_REASON_AMOUNT_MISMATCH
ORDER_NOT_PAYABLE = ErrorReason.ERROR_REASON_ORDER_NOT_PAYABLE
ILLEGAL_TRANSITION = ErrorReason.ERROR_REASON_ILLEGAL_TRANSITION
REQUEST_IN_FLIGHT = ErrorReason.ERROR_REASON_REQUEST_IN_FLIGHT
PAYMENT_IN_PROGRESS = ErrorReason.ERROR_REASON_PAYMENT_IN_PROGRESS
LIMIT_REACHED = ErrorReason.ERROR_REASON_LIMIT_REACHED

_PAYMENT_ID = re.compile(r"pay_[0-9a-f]{24}")
_CURRENCY = re.compile(r"[A-Z]{3}")


def _digest(*parts: str) -> str:
    # JSON keeps the parts apart whatever they contain (keys and subjects are client text).
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:24]


def payment_id_for_charge(user_id: str, idempotency_key: str) -> str:
    return PAYMENT_PREFIX + _digest("charge", user_id, idempotency_key)


def payment_id_for_intent(order_id: str) -> str:
    return PAYMENT_PREFIX + _digest("intent", order_id)


def refund_id_for(payment_id: str, idempotency_key: str) -> str:
    return REFUND_PREFIX + _digest("refund", payment_id, idempotency_key)


def claim_id_for(order_id: str) -> str:
    """The document that says which payment may currently charge an order."""
    return CLAIM_PREFIX + _digest("claim", order_id)


def provider_key(platform_id: str) -> str:
    """Idempotency key sent to the provider for a payment or refund id."""
    return PROVIDER_KEY_PREFIX + platform_id


def is_payment_id(value: str) -> bool:
    return bool(_PAYMENT_ID.fullmatch(value))


# --- request checks ------------------------------------------------------------------------------


def check_reference(violations: Violations, field: str, value: str, *, required: bool = True) -> bool:
    """An id of another service's resource: opaque text, 1..128 characters, no control characters."""
    return validation.text(violations, field, value, required=required, max_length=ID_MAX)


def check_payment_id(violations: Violations, payment_id: str) -> bool:
    if not violations.check(bool(payment_id), "payment_id", "is required"):
        return False
    return violations.check(is_payment_id(payment_id), "payment_id", "is not a payment id (pay_ + 24 hex digits)")


def check_positive_amount(violations: Violations, field: str, amount: float) -> bool:
    return violations.check(math.isfinite(amount) and amount > 0, field, "must be a number greater than 0")


def check_refund_amount(violations: Violations, amount: float) -> bool:
    ok = math.isfinite(amount) and amount >= 0
    return violations.check(ok, "amount", "must be 0 (everything still refundable) or a positive number")


def check_currency(violations: Violations, currency_code: str) -> bool:
    if not currency_code:
        return True
    ok = bool(_CURRENCY.fullmatch(currency_code)) and is_supported_currency(currency_code)
    return violations.check(ok, "currency_code", "must be a supported ISO 4217 code in upper case, e.g. USD")


def check_reason(violations: Violations, reason: str) -> bool:
    return validation.text(violations, "reason", reason, required=True, max_length=REASON_MAX)


# --- idempotent replays ---------------------------------------------------------------------------


def charge_fingerprint(
    order_id: str, payment_method_id: str, amount: float, currency_code: str, amount_minor: int | None = None
) -> dict[str, Any]:
    """What must be equal for a repeated key to be the same charge request ("" currency = the order's):
    the amount as it was sent (a retry sends the same fields; the amount itself must equal the total)."""
    fingerprint: dict[str, Any] = {
        "order_id": order_id,
        "payment_method_id": payment_method_id,
        "amount": repr(float(amount)),
        "currency_code": currency_code,
    }
    if amount_minor is not None:
        # Only when sent, so that fingerprints stored before the field existed still match.
        fingerprint["amount_minor"] = amount_minor
    return fingerprint


def same_charge_request(stored: Mapping[str, Any], incoming: Mapping[str, Any], stored_currency: str) -> bool:
    for field in ("order_id", "payment_method_id", "amount", "amount_minor"):
        if stored.get(field) != incoming.get(field):
            return False
    # An empty currency means "the order's", which the stored payment resolved.
    return incoming["currency_code"] in ("", stored_currency)


# --- leases and statuses --------------------------------------------------------------------------


def lease_until(now: datetime) -> str:
    return to_iso(now + CHARGE_LEASE)


def lease_active(doc: Mapping[str, Any], now: datetime) -> bool:
    """True while a synchronous attempt may still be working on the payment."""
    until = doc.get("lease_until") or ""
    return bool(until) and from_iso(until) > now


def in_flight(doc: Mapping[str, Any], now: datetime) -> bool:
    """A charge someone is executing right now (a retry must not start a second one)."""
    return doc["status"] == PENDING and not doc.get("awaiting_provider") and lease_active(doc, now)


def abandoned(doc: Mapping[str, Any], now: datetime) -> bool:
    """A synchronous attempt that stopped (crash, provider outage) before storing its outcome."""
    return doc["status"] == PENDING and not doc.get("awaiting_provider") and not lease_active(doc, now)


def status_after_refunds(amount_minor: int, refunded_minor: int) -> str:
    if refunded_minor <= 0:
        return SUCCEEDED
    return REFUNDED if refunded_minor >= amount_minor else PARTIALLY_REFUNDED


def reserved_refunds_minor(refunds: Iterable[Mapping[str, Any]]) -> int:
    """Refunds submitted (or about to be) whose outcome is unknown: they hold their amount."""
    return sum(int(r["amount_minor"]) for r in refunds if r["status"] == REFUND_PENDING)


def refundable_minor(payment: Mapping[str, Any]) -> int:
    """Captured minus refunded minus what pending refunds hold."""
    captured = int(payment["amount_minor"]) if payment["status"] in CAPTURED_STATUSES else 0
    return captured - int(payment.get("amount_refunded_minor", 0)) - reserved_refunds_minor(payment["refunds"])


def refund_amount(payment: Mapping[str, Any], requested_minor: int) -> int:
    """The amount to refund (0 requested = everything still refundable), or FAILED_PRECONDITION."""
    if payment["status"] not in REFUNDABLE_STATUSES:
        raise FailedPrecondition(
            f"payment {payment['id']} is {payment['status']}; only succeeded or partially refunded payments "
            "can be refunded",
            subject=f"payments/{payment['id']}",
            reason=ILLEGAL_TRANSITION,
        )
    if len(payment["refunds"]) >= MAX_REFUNDS_PER_PAYMENT:
        raise FailedPrecondition(
            f"payment {payment['id']} already has {MAX_REFUNDS_PER_PAYMENT} refunds",
            subject=f"payments/{payment['id']}",
            reason=LIMIT_REACHED,
        )
    remaining = refundable_minor(payment)
    amount = requested_minor or remaining
    if remaining <= 0 or amount > remaining:
        raise FailedPrecondition(
            f"a refund of {amount} minor units exceeds the {max(remaining, 0)} {payment['currency']} minor units "
            f"still refundable on payment {payment['id']} (captured {payment['amount_minor']}, refunded "
            f"{payment.get('amount_refunded_minor', 0)}, pending {reserved_refunds_minor(payment['refunds'])})",
            subject=f"payments/{payment['id']}",
            reason=AMOUNT_MISMATCH,
            metadata={"refundable_minor": str(max(remaining, 0)), "requested_minor": str(amount)},
        )
    return amount


def find_refund(payment: Mapping[str, Any], *, refund_id: str = "", transaction_id: str = "") -> dict[str, Any] | None:
    for refund in payment["refunds"]:
        if (refund_id and refund["id"] == refund_id) or (transaction_id and refund["transaction_id"] == transaction_id):
            found: dict[str, Any] = refund
            return found
    return None


def stale_pending_refunds(payment: Mapping[str, Any], now: datetime) -> list[dict[str, Any]]:
    """Pending refunds nobody is submitting any more (their attempt crashed or the provider was down)."""
    return [
        r
        for r in payment["refunds"]
        if r["status"] == REFUND_PENDING
        and not r.get("transaction_id")
        and from_iso(r["updated_at"]) + CHARGE_LEASE <= now
    ]


def newest_first(refunds: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    by_id = sorted(refunds, key=lambda r: r["id"])
    return sorted(by_id, key=lambda r: r["created_at"], reverse=True)


# --- refund pages (refunds live inside their payment document) -----------------------------------


def encode_refund_page(payment_id: str, offset: int) -> str:
    raw = json.dumps({"p": payment_id, "o": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_refund_page(token: str, payment_id: str) -> int:
    """The offset a page token points at; INVALID_ARGUMENT when it was not issued for this payment."""
    if not token:
        return 0
    try:
        payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError):
        payload = None
    offset = payload.get("o") if isinstance(payload, dict) else None
    if not isinstance(payload, dict) or payload.get("p") != payment_id or not isinstance(offset, int) or offset < 0:
        raise InvalidArgument.for_field("page_token", "invalid or does not match this request")
    return offset
