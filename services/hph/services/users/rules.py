"""User rules, free of I/O: ids, limits, profile fields, display names and the default-item choice."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable
from typing import Any

from hph.runtime import validation
from hph.runtime.errors import Violations
from hph.runtime.storage import is_valid_id
from hph.services.users.address_rules import check_phone

MAX_ADDRESSES = 20
MAX_PAYMENT_METHODS = 10
NAME_MAX = 100
LABEL_MAX = 50
EMAIL_MAX = 254

ADDRESS_PREFIX = "adr_"
# Not "pm_": provider tokens and Stripe ids already start with that, and ours must never be mistaken for one.
PAYMENT_METHOD_PREFIX = "pmt_"
ADDRESS_ID = re.compile(r"adr_[0-9a-f]{16}")
PAYMENT_METHOD_ID = re.compile(r"pmt_[0-9a-f]{16}")
# What the document store accepts as an id (Cosmos DB rules); token subjects are used as user ids.


def new_item_id(prefix: str, user_id: str, request_id: str) -> str:
    """A fresh id; derived from the idempotency key when there is one, so a retry lands on the same id."""
    seed = hashlib.sha256(f"{user_id}\n{request_id}".encode()).hexdigest() if request_id else uuid.uuid4().hex
    return f"{prefix}{seed[:16]}"


def is_storable_user_id(user_id: str) -> bool:
    """Whether the document store can key a user's documents by this token subject."""
    return is_valid_id(user_id)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def display_name(requested: str, token_name: str, email: str, subject: str) -> str:
    """The profile name at registration: asked for, else the token's name, else the e-mail's local part."""
    for candidate in (requested, token_name, email.partition("@")[0], subject):
        cleaned = " ".join(candidate.split())
        if cleaned:
            return cleaned[:NAME_MAX]
    return subject[:NAME_MAX]


def check_name(violations: Violations, field: str, name: str, *, required: bool) -> None:
    validation.text(violations, field, name, required=required, max_length=NAME_MAX)


def check_profile_phone(violations: Violations, field: str, phone: str) -> str:
    return check_phone(violations, field, phone)


def check_label(violations: Violations, field: str, label: str) -> None:
    validation.text(violations, field, label, max_length=LABEL_MAX)


def check_item_id(violations: Violations, field: str, item_id: str, pattern: re.Pattern[str], prefix: str) -> None:
    if violations.check(bool(item_id), field, "is required"):
        validation.identifier(violations, field, item_id, pattern, f"must be {prefix} followed by 16 hex digits")


def check_email_filter(violations: Violations, email: str) -> str:
    value = normalize_email(email)
    violations.check(
        len(value) <= EMAIL_MAX and " " not in value,
        "email",
        f"must be an e-mail address of at most {EMAIL_MAX} characters",
    )
    return value


def newest(items: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """The most recently created item (ties: the greater id) — the one promoted to default when the
    default is deleted, since a shopper's latest address or card is the likeliest next choice."""
    return max(items, key=lambda item: (item.get("created_at", ""), item["id"]), default=None)
