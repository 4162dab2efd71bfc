import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.api import httpbody_pb2 as _httpbody_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from holidaypeak.commerce.v1 import payment_pb2 as _payment_pb2
from holidaypeak.commerce.v1 import payment_method_pb2 as _payment_method_pb2
from holidaypeak.commerce.v1 import refund_pb2 as _refund_pb2
from holidaypeak.common.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreatePaymentRequest(_message.Message):
    __slots__ = ("order_id", "payment_method_id", "amount", "request_id", "currency_code", "amount_minor")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_METHOD_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    payment_method_id: str
    amount: float
    request_id: str
    currency_code: str
    amount_minor: int
    def __init__(self, order_id: _Optional[str] = ..., payment_method_id: _Optional[str] = ..., amount: _Optional[float] = ..., request_id: _Optional[str] = ..., currency_code: _Optional[str] = ..., amount_minor: _Optional[int] = ...) -> None: ...

class GetPaymentRequest(_message.Message):
    __slots__ = ("payment_id",)
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    def __init__(self, payment_id: _Optional[str] = ...) -> None: ...

class ListPaymentsRequest(_message.Message):
    __slots__ = ("order_id", "page_size", "page_token")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    page_size: int
    page_token: str
    def __init__(self, order_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListPaymentsResponse(_message.Message):
    __slots__ = ("payments", "next_page_token")
    PAYMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    payments: _containers.RepeatedCompositeFieldContainer[_payment_pb2.Payment]
    next_page_token: str
    def __init__(self, payments: _Optional[_Iterable[_Union[_payment_pb2.Payment, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CreatePaymentIntentRequest(_message.Message):
    __slots__ = ("order_id", "request_id")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    request_id: str
    def __init__(self, order_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreatePaymentIntentResponse(_message.Message):
    __slots__ = ("payment_id", "client_secret", "transaction_id", "amount", "currency_code", "status", "provider", "publishable_key", "amount_minor")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CLIENT_SECRET_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    PUBLISHABLE_KEY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    client_secret: str
    transaction_id: str
    amount: float
    currency_code: str
    status: _payment_pb2.PaymentStatus
    provider: _payment_method_pb2.PaymentProvider
    publishable_key: str
    amount_minor: int
    def __init__(self, payment_id: _Optional[str] = ..., client_secret: _Optional[str] = ..., transaction_id: _Optional[str] = ..., amount: _Optional[float] = ..., currency_code: _Optional[str] = ..., status: _Optional[_Union[_payment_pb2.PaymentStatus, str]] = ..., provider: _Optional[_Union[_payment_method_pb2.PaymentProvider, str]] = ..., publishable_key: _Optional[str] = ..., amount_minor: _Optional[int] = ...) -> None: ...

class HandleStripeWebhookRequest(_message.Message):
    __slots__ = ("http_body",)
    HTTP_BODY_FIELD_NUMBER: _ClassVar[int]
    http_body: _httpbody_pb2.HttpBody
    def __init__(self, http_body: _Optional[_Union[_httpbody_pb2.HttpBody, _Mapping]] = ...) -> None: ...

class HandleStripeWebhookResponse(_message.Message):
    __slots__ = ("received", "duplicate", "event_id", "event_type")
    RECEIVED_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    received: bool
    duplicate: bool
    event_id: str
    event_type: str
    def __init__(self, received: _Optional[bool] = ..., duplicate: _Optional[bool] = ..., event_id: _Optional[str] = ..., event_type: _Optional[str] = ...) -> None: ...

class RefundPaymentRequest(_message.Message):
    __slots__ = ("payment_id", "amount", "reason", "return_id", "request_id", "amount_minor")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    amount: float
    reason: str
    return_id: str
    request_id: str
    amount_minor: int
    def __init__(self, payment_id: _Optional[str] = ..., amount: _Optional[float] = ..., reason: _Optional[str] = ..., return_id: _Optional[str] = ..., request_id: _Optional[str] = ..., amount_minor: _Optional[int] = ...) -> None: ...

class ListAllPaymentsRequest(_message.Message):
    __slots__ = ("status", "order_id", "user_id", "created_after", "created_before", "page_size", "page_token")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AFTER_FIELD_NUMBER: _ClassVar[int]
    CREATED_BEFORE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    status: _containers.RepeatedScalarFieldContainer[_payment_pb2.PaymentStatus]
    order_id: str
    user_id: str
    created_after: _timestamp_pb2.Timestamp
    created_before: _timestamp_pb2.Timestamp
    page_size: int
    page_token: str
    def __init__(self, status: _Optional[_Iterable[_Union[_payment_pb2.PaymentStatus, str]]] = ..., order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., created_after: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_before: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAllPaymentsResponse(_message.Message):
    __slots__ = ("payments", "next_page_token")
    PAYMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    payments: _containers.RepeatedCompositeFieldContainer[_payment_pb2.Payment]
    next_page_token: str
    def __init__(self, payments: _Optional[_Iterable[_Union[_payment_pb2.Payment, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListRefundsRequest(_message.Message):
    __slots__ = ("payment_id", "page_size", "page_token")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    page_size: int
    page_token: str
    def __init__(self, payment_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListRefundsResponse(_message.Message):
    __slots__ = ("refunds", "next_page_token")
    REFUNDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    refunds: _containers.RepeatedCompositeFieldContainer[_refund_pb2.Refund]
    next_page_token: str
    def __init__(self, refunds: _Optional[_Iterable[_Union[_refund_pb2.Refund, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
