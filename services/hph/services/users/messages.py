"""Stored user documents -> their wire messages (User, Address, PaymentMethod)."""

from __future__ import annotations

from holidaypeak.commerce.v1 import address_pb2, payment_method_pb2, user_pb2
from hph.runtime import clock as clocks
from hph.runtime.storage import Document
from hph.services.users.payment_tokens import SIMULATOR

STRIPE = "stripe"
_PROVIDERS = {
    SIMULATOR: payment_method_pb2.PAYMENT_PROVIDER_SIMULATOR,
    STRIPE: payment_method_pb2.PAYMENT_PROVIDER_STRIPE,
}


def user_message(doc: Document) -> user_pb2.User:
    return user_pb2.User(
        id=doc["id"],
        email=doc.get("email", ""),
        name=doc.get("name", ""),
        phone=doc.get("phone", ""),
        created_at=clocks.to_timestamp(doc.get("created_at")),
        updated_at=clocks.to_timestamp(doc.get("updated_at")),
        etag=doc.get("_etag", ""),
    )


def address_message(doc: Document) -> address_pb2.Address:
    return address_pb2.Address(
        id=doc["id"],
        user_id=doc["user_id"],
        name=doc["name"],
        line1=doc["line1"],
        line2=doc.get("line2", ""),
        city=doc["city"],
        region=doc.get("region", ""),
        postal_code=doc.get("postal_code", ""),
        country_code=doc["country_code"],
        phone=doc.get("phone", ""),
        is_default=bool(doc.get("is_default", False)),
        created_at=clocks.to_timestamp(doc.get("created_at")),
        updated_at=clocks.to_timestamp(doc.get("updated_at")),
        etag=doc.get("_etag", ""),
    )


def payment_method_message(doc: Document) -> payment_method_pb2.PaymentMethod:
    return payment_method_pb2.PaymentMethod(
        id=doc["id"],
        user_id=doc["user_id"],
        provider=_PROVIDERS.get(doc.get("provider", ""), payment_method_pb2.PAYMENT_PROVIDER_UNSPECIFIED),
        provider_payment_method_id=doc["provider_payment_method_id"],
        brand=doc["brand"],
        last4=doc["last4"],
        exp_month=doc["exp_month"],
        exp_year=doc["exp_year"],
        label=doc.get("label", ""),
        is_default=bool(doc.get("is_default", False)),
        created_at=clocks.to_timestamp(doc.get("created_at")),
        updated_at=clocks.to_timestamp(doc.get("updated_at")),
        etag=doc.get("_etag", ""),
    )
