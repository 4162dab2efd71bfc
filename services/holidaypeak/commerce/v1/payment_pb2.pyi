import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from holidaypeak.commerce.v1 import payment_method_pb2 as _payment_method_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PaymentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_STATUS_UNSPECIFIED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_PENDING: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_REQUIRES_ACTION: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_SUCCEEDED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_FAILED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_REFUNDED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_PARTIALLY_REFUNDED: _ClassVar[PaymentStatus]
PAYMENT_STATUS_UNSPECIFIED: PaymentStatus
PAYMENT_STATUS_PENDING: PaymentStatus
PAYMENT_STATUS_REQUIRES_ACTION: PaymentStatus
PAYMENT_STATUS_SUCCEEDED: PaymentStatus
PAYMENT_STATUS_FAILED: PaymentStatus
PAYMENT_STATUS_REFUNDED: PaymentStatus
PAYMENT_STATUS_PARTIALLY_REFUNDED: PaymentStatus

class Payment(_message.Message):
    __slots__ = ("id", "order_id", "user_id", "amount", "currency_code", "status", "transaction_id", "failure_code", "failure_message", "amount_refunded", "provider", "payment_method_id", "card_brand", "card_last4", "created_at", "updated_at", "succeeded_at", "client_secret", "amount_minor", "amount_refunded_minor")
    ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    FAILURE_CODE_FIELD_NUMBER: _ClassVar[int]
    FAILURE_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_REFUNDED_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_METHOD_ID_FIELD_NUMBER: _ClassVar[int]
    CARD_BRAND_FIELD_NUMBER: _ClassVar[int]
    CARD_LAST4_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    SUCCEEDED_AT_FIELD_NUMBER: _ClassVar[int]
    CLIENT_SECRET_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_REFUNDED_MINOR_FIELD_NUMBER: _ClassVar[int]
    id: str
    order_id: str
    user_id: str
    amount: float
    currency_code: str
    status: PaymentStatus
    transaction_id: str
    failure_code: str
    failure_message: str
    amount_refunded: float
    provider: _payment_method_pb2.PaymentProvider
    payment_method_id: str
    card_brand: str
    card_last4: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    succeeded_at: _timestamp_pb2.Timestamp
    client_secret: str
    amount_minor: int
    amount_refunded_minor: int
    def __init__(self, id: _Optional[str] = ..., order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., amount: _Optional[float] = ..., currency_code: _Optional[str] = ..., status: _Optional[_Union[PaymentStatus, str]] = ..., transaction_id: _Optional[str] = ..., failure_code: _Optional[str] = ..., failure_message: _Optional[str] = ..., amount_refunded: _Optional[float] = ..., provider: _Optional[_Union[_payment_method_pb2.PaymentProvider, str]] = ..., payment_method_id: _Optional[str] = ..., card_brand: _Optional[str] = ..., card_last4: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., succeeded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., client_secret: _Optional[str] = ..., amount_minor: _Optional[int] = ..., amount_refunded_minor: _Optional[int] = ...) -> None: ...
