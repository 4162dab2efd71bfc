import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
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
ORDER_STATUS_UNSPECIFIED: OrderStatus
ORDER_STATUS_PENDING: OrderStatus
ORDER_STATUS_PAID: OrderStatus
ORDER_STATUS_FULFILLING: OrderStatus
ORDER_STATUS_SHIPPED: OrderStatus
ORDER_STATUS_DELIVERED: OrderStatus
ORDER_STATUS_CANCELLED: OrderStatus
ORDER_STATUS_PARTIALLY_RETURNED: OrderStatus
ORDER_STATUS_RETURNED: OrderStatus

class OrderLine(_message.Message):
    __slots__ = ("sku", "category_id", "quantity", "unit_price_minor", "line_total_minor", "name")
    SKU_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_MINOR_FIELD_NUMBER: _ClassVar[int]
    LINE_TOTAL_MINOR_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    sku: str
    category_id: str
    quantity: int
    unit_price_minor: int
    line_total_minor: int
    name: str
    def __init__(self, sku: _Optional[str] = ..., category_id: _Optional[str] = ..., quantity: _Optional[int] = ..., unit_price_minor: _Optional[int] = ..., line_total_minor: _Optional[int] = ..., name: _Optional[str] = ...) -> None: ...

class OrderCreated(_message.Message):
    __slots__ = ("order_id", "user_id", "lines", "subtotal_minor", "shipping_minor", "tax_minor", "discount_minor", "total_minor", "currency_code", "ship_to_postal_code", "ship_to_region", "ship_to_country_code", "reservation_id", "reservation_expires_at", "campaign_code", "payment_method_id")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    SUBTOTAL_MINOR_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_MINOR_FIELD_NUMBER: _ClassVar[int]
    TAX_MINOR_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    TOTAL_MINOR_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    SHIP_TO_POSTAL_CODE_FIELD_NUMBER: _ClassVar[int]
    SHIP_TO_REGION_FIELD_NUMBER: _ClassVar[int]
    SHIP_TO_COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_CODE_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_METHOD_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    user_id: str
    lines: _containers.RepeatedCompositeFieldContainer[OrderLine]
    subtotal_minor: int
    shipping_minor: int
    tax_minor: int
    discount_minor: int
    total_minor: int
    currency_code: str
    ship_to_postal_code: str
    ship_to_region: str
    ship_to_country_code: str
    reservation_id: str
    reservation_expires_at: _timestamp_pb2.Timestamp
    campaign_code: str
    payment_method_id: str
    def __init__(self, order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[OrderLine, _Mapping]]] = ..., subtotal_minor: _Optional[int] = ..., shipping_minor: _Optional[int] = ..., tax_minor: _Optional[int] = ..., discount_minor: _Optional[int] = ..., total_minor: _Optional[int] = ..., currency_code: _Optional[str] = ..., ship_to_postal_code: _Optional[str] = ..., ship_to_region: _Optional[str] = ..., ship_to_country_code: _Optional[str] = ..., reservation_id: _Optional[str] = ..., reservation_expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., campaign_code: _Optional[str] = ..., payment_method_id: _Optional[str] = ...) -> None: ...

class OrderPaid(_message.Message):
    __slots__ = ("order_id", "user_id", "payment_id", "amount_minor", "currency_code", "lines", "paid_at")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    PAID_AT_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    user_id: str
    payment_id: str
    amount_minor: int
    currency_code: str
    lines: _containers.RepeatedCompositeFieldContainer[OrderLine]
    paid_at: _timestamp_pb2.Timestamp
    def __init__(self, order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., payment_id: _Optional[str] = ..., amount_minor: _Optional[int] = ..., currency_code: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[OrderLine, _Mapping]]] = ..., paid_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OrderCancelled(_message.Message):
    __slots__ = ("order_id", "user_id", "previous_status", "reason", "actor_id", "lines", "refund_minor", "currency_code")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    REFUND_MINOR_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    user_id: str
    previous_status: OrderStatus
    reason: str
    actor_id: str
    lines: _containers.RepeatedCompositeFieldContainer[OrderLine]
    refund_minor: int
    currency_code: str
    def __init__(self, order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., previous_status: _Optional[_Union[OrderStatus, str]] = ..., reason: _Optional[str] = ..., actor_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[OrderLine, _Mapping]]] = ..., refund_minor: _Optional[int] = ..., currency_code: _Optional[str] = ...) -> None: ...

class OrderStatusChanged(_message.Message):
    __slots__ = ("order_id", "user_id", "previous_status", "new_status", "reason")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_STATUS_FIELD_NUMBER: _ClassVar[int]
    NEW_STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    user_id: str
    previous_status: OrderStatus
    new_status: OrderStatus
    reason: str
    def __init__(self, order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., previous_status: _Optional[_Union[OrderStatus, str]] = ..., new_status: _Optional[_Union[OrderStatus, str]] = ..., reason: _Optional[str] = ...) -> None: ...
