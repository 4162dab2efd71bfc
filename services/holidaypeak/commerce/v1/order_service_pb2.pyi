import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from holidaypeak.commerce.v1 import order_pb2 as _order_pb2
from holidaypeak.common.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListOrdersRequest(_message.Message):
    __slots__ = ("status", "page_size", "page_token")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    status: _containers.RepeatedScalarFieldContainer[_order_pb2.OrderStatus]
    page_size: int
    page_token: str
    def __init__(self, status: _Optional[_Iterable[_Union[_order_pb2.OrderStatus, str]]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListOrdersResponse(_message.Message):
    __slots__ = ("orders", "next_page_token")
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    orders: _containers.RepeatedCompositeFieldContainer[_order_pb2.Order]
    next_page_token: str
    def __init__(self, orders: _Optional[_Iterable[_Union[_order_pb2.Order, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetOrderRequest(_message.Message):
    __slots__ = ("order_id",)
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    def __init__(self, order_id: _Optional[str] = ...) -> None: ...

class CreateOrderRequest(_message.Message):
    __slots__ = ("shipping_address_id", "payment_method_id", "request_id", "shipping_option", "expected_total", "expected_total_minor", "campaign_code")
    SHIPPING_ADDRESS_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_METHOD_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_OPTION_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_TOTAL_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_TOTAL_MINOR_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_CODE_FIELD_NUMBER: _ClassVar[int]
    shipping_address_id: str
    payment_method_id: str
    request_id: str
    shipping_option: str
    expected_total: float
    expected_total_minor: int
    campaign_code: str
    def __init__(self, shipping_address_id: _Optional[str] = ..., payment_method_id: _Optional[str] = ..., request_id: _Optional[str] = ..., shipping_option: _Optional[str] = ..., expected_total: _Optional[float] = ..., expected_total_minor: _Optional[int] = ..., campaign_code: _Optional[str] = ...) -> None: ...

class CancelOrderRequest(_message.Message):
    __slots__ = ("order_id", "reason", "etag", "request_id")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    reason: str
    etag: str
    request_id: str
    def __init__(self, order_id: _Optional[str] = ..., reason: _Optional[str] = ..., etag: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ListAllOrdersRequest(_message.Message):
    __slots__ = ("status", "payment_status", "user_id", "created_after", "created_before", "page_size", "page_token", "review")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_STATUS_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AFTER_FIELD_NUMBER: _ClassVar[int]
    CREATED_BEFORE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REVIEW_FIELD_NUMBER: _ClassVar[int]
    status: _containers.RepeatedScalarFieldContainer[_order_pb2.OrderStatus]
    payment_status: _containers.RepeatedScalarFieldContainer[_order_pb2.OrderPaymentStatus]
    user_id: str
    created_after: _timestamp_pb2.Timestamp
    created_before: _timestamp_pb2.Timestamp
    page_size: int
    page_token: str
    review: bool
    def __init__(self, status: _Optional[_Iterable[_Union[_order_pb2.OrderStatus, str]]] = ..., payment_status: _Optional[_Iterable[_Union[_order_pb2.OrderPaymentStatus, str]]] = ..., user_id: _Optional[str] = ..., created_after: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_before: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., review: _Optional[bool] = ...) -> None: ...

class ListAllOrdersResponse(_message.Message):
    __slots__ = ("orders", "next_page_token")
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    orders: _containers.RepeatedCompositeFieldContainer[_order_pb2.Order]
    next_page_token: str
    def __init__(self, orders: _Optional[_Iterable[_Union[_order_pb2.Order, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateOrderStatusRequest(_message.Message):
    __slots__ = ("order_id", "status", "reason", "etag", "request_id", "returned_items")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    RETURNED_ITEMS_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    status: _order_pb2.OrderStatus
    reason: str
    etag: str
    request_id: str
    returned_items: _containers.RepeatedCompositeFieldContainer[ReturnedItem]
    def __init__(self, order_id: _Optional[str] = ..., status: _Optional[_Union[_order_pb2.OrderStatus, str]] = ..., reason: _Optional[str] = ..., etag: _Optional[str] = ..., request_id: _Optional[str] = ..., returned_items: _Optional[_Iterable[_Union[ReturnedItem, _Mapping]]] = ...) -> None: ...

class ReturnedItem(_message.Message):
    __slots__ = ("product_id", "quantity")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    quantity: int
    def __init__(self, product_id: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class RecordOrderPaymentRequest(_message.Message):
    __slots__ = ("order_id", "payment_id", "payment_status", "amount_refunded", "request_id", "amount_refunded_minor")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_STATUS_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_REFUNDED_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_REFUNDED_MINOR_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    payment_id: str
    payment_status: _order_pb2.OrderPaymentStatus
    amount_refunded: float
    request_id: str
    amount_refunded_minor: int
    def __init__(self, order_id: _Optional[str] = ..., payment_id: _Optional[str] = ..., payment_status: _Optional[_Union[_order_pb2.OrderPaymentStatus, str]] = ..., amount_refunded: _Optional[float] = ..., request_id: _Optional[str] = ..., amount_refunded_minor: _Optional[int] = ...) -> None: ...
