import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from holidaypeak.common.v1 import postal_address_pb2 as _postal_address_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OrderStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ORDER_STATUS_UNSPECIFIED: _ClassVar[OrderStatus]
    ORDER_STATUS_PENDING: _ClassVar[OrderStatus]
    ORDER_STATUS_PAID: _ClassVar[OrderStatus]
    ORDER_STATUS_FULFILLING: _ClassVar[OrderStatus]
    ORDER_STATUS_SHIPPED: _ClassVar[OrderStatus]
    ORDER_STATUS_DELIVERED: _ClassVar[OrderStatus]
    ORDER_STATUS_CANCELLED: _ClassVar[OrderStatus]
    ORDER_STATUS_PARTIALLY_RETURNED: _ClassVar[OrderStatus]
    ORDER_STATUS_RETURNED: _ClassVar[OrderStatus]

class OrderPaymentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ORDER_PAYMENT_STATUS_UNSPECIFIED: _ClassVar[OrderPaymentStatus]
    ORDER_PAYMENT_STATUS_UNPAID: _ClassVar[OrderPaymentStatus]
    ORDER_PAYMENT_STATUS_PENDING: _ClassVar[OrderPaymentStatus]
    ORDER_PAYMENT_STATUS_PAID: _ClassVar[OrderPaymentStatus]
    ORDER_PAYMENT_STATUS_FAILED: _ClassVar[OrderPaymentStatus]
    ORDER_PAYMENT_STATUS_PARTIALLY_REFUNDED: _ClassVar[OrderPaymentStatus]
    ORDER_PAYMENT_STATUS_REFUNDED: _ClassVar[OrderPaymentStatus]
ORDER_STATUS_UNSPECIFIED: OrderStatus
ORDER_STATUS_PENDING: OrderStatus
ORDER_STATUS_PAID: OrderStatus
ORDER_STATUS_FULFILLING: OrderStatus
ORDER_STATUS_SHIPPED: OrderStatus
ORDER_STATUS_DELIVERED: OrderStatus
ORDER_STATUS_CANCELLED: OrderStatus
ORDER_STATUS_PARTIALLY_RETURNED: OrderStatus
ORDER_STATUS_RETURNED: OrderStatus
ORDER_PAYMENT_STATUS_UNSPECIFIED: OrderPaymentStatus
ORDER_PAYMENT_STATUS_UNPAID: OrderPaymentStatus
ORDER_PAYMENT_STATUS_PENDING: OrderPaymentStatus
ORDER_PAYMENT_STATUS_PAID: OrderPaymentStatus
ORDER_PAYMENT_STATUS_FAILED: OrderPaymentStatus
ORDER_PAYMENT_STATUS_PARTIALLY_REFUNDED: OrderPaymentStatus
ORDER_PAYMENT_STATUS_REFUNDED: OrderPaymentStatus

class OrderItem(_message.Message):
    __slots__ = ("product_id", "name", "quantity", "unit_price", "line_total", "image_url", "quantity_returned")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    LINE_TOTAL_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_RETURNED_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    name: str
    quantity: int
    unit_price: float
    line_total: float
    image_url: str
    quantity_returned: int
    def __init__(self, product_id: _Optional[str] = ..., name: _Optional[str] = ..., quantity: _Optional[int] = ..., unit_price: _Optional[float] = ..., line_total: _Optional[float] = ..., image_url: _Optional[str] = ..., quantity_returned: _Optional[int] = ...) -> None: ...

class Order(_message.Message):
    __slots__ = ("id", "user_id", "items", "subtotal", "shipping", "tax", "total", "currency_code", "status", "payment_status", "shipping_address", "shipping_address_id", "shipping_option", "payment_method_id", "payment_id", "reservation_id", "amount_refunded", "cancel_reason", "created_at", "updated_at", "payment_due_at", "paid_at", "shipped_at", "delivered_at", "cancelled_at", "etag", "subtotal_minor", "shipping_minor", "tax_minor", "total_minor", "amount_refunded_minor", "skipped_checks", "review_required", "review_reason", "campaign_code")
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    SUBTOTAL_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_FIELD_NUMBER: _ClassVar[int]
    TAX_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_STATUS_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_ADDRESS_ID_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_OPTION_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_METHOD_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_REFUNDED_FIELD_NUMBER: _ClassVar[int]
    CANCEL_REASON_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    PAID_AT_FIELD_NUMBER: _ClassVar[int]
    SHIPPED_AT_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_AT_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_AT_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    SUBTOTAL_MINOR_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_MINOR_FIELD_NUMBER: _ClassVar[int]
    TAX_MINOR_FIELD_NUMBER: _ClassVar[int]
    TOTAL_MINOR_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_REFUNDED_MINOR_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_CHECKS_FIELD_NUMBER: _ClassVar[int]
    REVIEW_REQUIRED_FIELD_NUMBER: _ClassVar[int]
    REVIEW_REASON_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_CODE_FIELD_NUMBER: _ClassVar[int]
    id: str
    user_id: str
    items: _containers.RepeatedCompositeFieldContainer[OrderItem]
    subtotal: float
    shipping: float
    tax: float
    total: float
    currency_code: str
    status: OrderStatus
    payment_status: OrderPaymentStatus
    shipping_address: _postal_address_pb2.PostalAddress
    shipping_address_id: str
    shipping_option: str
    payment_method_id: str
    payment_id: str
    reservation_id: str
    amount_refunded: float
    cancel_reason: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    payment_due_at: _timestamp_pb2.Timestamp
    paid_at: _timestamp_pb2.Timestamp
    shipped_at: _timestamp_pb2.Timestamp
    delivered_at: _timestamp_pb2.Timestamp
    cancelled_at: _timestamp_pb2.Timestamp
    etag: str
    subtotal_minor: int
    shipping_minor: int
    tax_minor: int
    total_minor: int
    amount_refunded_minor: int
    skipped_checks: _containers.RepeatedScalarFieldContainer[str]
    review_required: bool
    review_reason: str
    campaign_code: str
    def __init__(self, id: _Optional[str] = ..., user_id: _Optional[str] = ..., items: _Optional[_Iterable[_Union[OrderItem, _Mapping]]] = ..., subtotal: _Optional[float] = ..., shipping: _Optional[float] = ..., tax: _Optional[float] = ..., total: _Optional[float] = ..., currency_code: _Optional[str] = ..., status: _Optional[_Union[OrderStatus, str]] = ..., payment_status: _Optional[_Union[OrderPaymentStatus, str]] = ..., shipping_address: _Optional[_Union[_postal_address_pb2.PostalAddress, _Mapping]] = ..., shipping_address_id: _Optional[str] = ..., shipping_option: _Optional[str] = ..., payment_method_id: _Optional[str] = ..., payment_id: _Optional[str] = ..., reservation_id: _Optional[str] = ..., amount_refunded: _Optional[float] = ..., cancel_reason: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., payment_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., paid_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., shipped_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delivered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., cancelled_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., etag: _Optional[str] = ..., subtotal_minor: _Optional[int] = ..., shipping_minor: _Optional[int] = ..., tax_minor: _Optional[int] = ..., total_minor: _Optional[int] = ..., amount_refunded_minor: _Optional[int] = ..., skipped_checks: _Optional[_Iterable[str]] = ..., review_required: _Optional[bool] = ..., review_reason: _Optional[str] = ..., campaign_code: _Optional[str] = ...) -> None: ...
