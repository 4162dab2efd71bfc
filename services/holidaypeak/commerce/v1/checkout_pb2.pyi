import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CheckoutIssueCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHECKOUT_ISSUE_CODE_UNSPECIFIED: _ClassVar[CheckoutIssueCode]
    CHECKOUT_ISSUE_CODE_CART_EMPTY: _ClassVar[CheckoutIssueCode]
    CHECKOUT_ISSUE_CODE_PRODUCT_UNAVAILABLE: _ClassVar[CheckoutIssueCode]
    CHECKOUT_ISSUE_CODE_OUT_OF_STOCK: _ClassVar[CheckoutIssueCode]
    CHECKOUT_ISSUE_CODE_INSUFFICIENT_STOCK: _ClassVar[CheckoutIssueCode]
    CHECKOUT_ISSUE_CODE_LOW_STOCK: _ClassVar[CheckoutIssueCode]
    CHECKOUT_ISSUE_CODE_PRICE_CHANGED: _ClassVar[CheckoutIssueCode]
    CHECKOUT_ISSUE_CODE_QUANTITY_LIMIT_EXCEEDED: _ClassVar[CheckoutIssueCode]
    CHECKOUT_ISSUE_CODE_SHIPPING_ADDRESS_REQUIRED: _ClassVar[CheckoutIssueCode]
    CHECKOUT_ISSUE_CODE_SHIPPING_ADDRESS_INVALID: _ClassVar[CheckoutIssueCode]
    CHECKOUT_ISSUE_CODE_SHIPPING_DESTINATION_UNSUPPORTED: _ClassVar[CheckoutIssueCode]
    CHECKOUT_ISSUE_CODE_PAYMENT_METHOD_REQUIRED: _ClassVar[CheckoutIssueCode]
    CHECKOUT_ISSUE_CODE_PAYMENT_METHOD_INVALID: _ClassVar[CheckoutIssueCode]
    CHECKOUT_ISSUE_CODE_SHIPPING_OPTION_INVALID: _ClassVar[CheckoutIssueCode]
    CHECKOUT_ISSUE_CODE_CURRENCY_MISMATCH: _ClassVar[CheckoutIssueCode]
    CHECKOUT_ISSUE_CODE_ORDER_TOTAL_LIMIT_EXCEEDED: _ClassVar[CheckoutIssueCode]
CHECKOUT_ISSUE_CODE_UNSPECIFIED: CheckoutIssueCode
CHECKOUT_ISSUE_CODE_CART_EMPTY: CheckoutIssueCode
CHECKOUT_ISSUE_CODE_PRODUCT_UNAVAILABLE: CheckoutIssueCode
CHECKOUT_ISSUE_CODE_OUT_OF_STOCK: CheckoutIssueCode
CHECKOUT_ISSUE_CODE_INSUFFICIENT_STOCK: CheckoutIssueCode
CHECKOUT_ISSUE_CODE_LOW_STOCK: CheckoutIssueCode
CHECKOUT_ISSUE_CODE_PRICE_CHANGED: CheckoutIssueCode
CHECKOUT_ISSUE_CODE_QUANTITY_LIMIT_EXCEEDED: CheckoutIssueCode
CHECKOUT_ISSUE_CODE_SHIPPING_ADDRESS_REQUIRED: CheckoutIssueCode
CHECKOUT_ISSUE_CODE_SHIPPING_ADDRESS_INVALID: CheckoutIssueCode
CHECKOUT_ISSUE_CODE_SHIPPING_DESTINATION_UNSUPPORTED: CheckoutIssueCode
CHECKOUT_ISSUE_CODE_PAYMENT_METHOD_REQUIRED: CheckoutIssueCode
CHECKOUT_ISSUE_CODE_PAYMENT_METHOD_INVALID: CheckoutIssueCode
CHECKOUT_ISSUE_CODE_SHIPPING_OPTION_INVALID: CheckoutIssueCode
CHECKOUT_ISSUE_CODE_CURRENCY_MISMATCH: CheckoutIssueCode
CHECKOUT_ISSUE_CODE_ORDER_TOTAL_LIMIT_EXCEEDED: CheckoutIssueCode

class CheckoutIssue(_message.Message):
    __slots__ = ("code", "message", "product_id", "field")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    code: CheckoutIssueCode
    message: str
    product_id: str
    field: str
    def __init__(self, code: _Optional[_Union[CheckoutIssueCode, str]] = ..., message: _Optional[str] = ..., product_id: _Optional[str] = ..., field: _Optional[str] = ...) -> None: ...

class ShippingOption(_message.Message):
    __slots__ = ("id", "name", "amount", "currency_code", "min_delivery_days", "max_delivery_days", "earliest_delivery_at", "latest_delivery_at", "window_source")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    MIN_DELIVERY_DAYS_FIELD_NUMBER: _ClassVar[int]
    MAX_DELIVERY_DAYS_FIELD_NUMBER: _ClassVar[int]
    EARLIEST_DELIVERY_AT_FIELD_NUMBER: _ClassVar[int]
    LATEST_DELIVERY_AT_FIELD_NUMBER: _ClassVar[int]
    WINDOW_SOURCE_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    amount: float
    currency_code: str
    min_delivery_days: int
    max_delivery_days: int
    earliest_delivery_at: _timestamp_pb2.Timestamp
    latest_delivery_at: _timestamp_pb2.Timestamp
    window_source: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., amount: _Optional[float] = ..., currency_code: _Optional[str] = ..., min_delivery_days: _Optional[int] = ..., max_delivery_days: _Optional[int] = ..., earliest_delivery_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., latest_delivery_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_source: _Optional[str] = ...) -> None: ...

class CheckoutLine(_message.Message):
    __slots__ = ("product_id", "name", "quantity", "unit_price", "line_total", "image_url")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    LINE_TOTAL_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    name: str
    quantity: int
    unit_price: float
    line_total: float
    image_url: str
    def __init__(self, product_id: _Optional[str] = ..., name: _Optional[str] = ..., quantity: _Optional[int] = ..., unit_price: _Optional[float] = ..., line_total: _Optional[float] = ..., image_url: _Optional[str] = ...) -> None: ...
