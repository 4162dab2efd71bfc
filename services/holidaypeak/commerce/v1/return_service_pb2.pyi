import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from holidaypeak.commerce.v1 import return_pb2 as _return_pb2
from holidaypeak.common.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReturnItemCondition(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RETURN_ITEM_CONDITION_UNSPECIFIED: _ClassVar[ReturnItemCondition]
    RETURN_ITEM_CONDITION_UNOPENED: _ClassVar[ReturnItemCondition]
    RETURN_ITEM_CONDITION_OPENED: _ClassVar[ReturnItemCondition]
    RETURN_ITEM_CONDITION_USED: _ClassVar[ReturnItemCondition]
    RETURN_ITEM_CONDITION_DAMAGED: _ClassVar[ReturnItemCondition]
RETURN_ITEM_CONDITION_UNSPECIFIED: ReturnItemCondition
RETURN_ITEM_CONDITION_UNOPENED: ReturnItemCondition
RETURN_ITEM_CONDITION_OPENED: ReturnItemCondition
RETURN_ITEM_CONDITION_USED: ReturnItemCondition
RETURN_ITEM_CONDITION_DAMAGED: ReturnItemCondition

class CreateReturnRequest(_message.Message):
    __slots__ = ("order_id", "items", "reason", "reason_detail", "request_id")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REASON_DETAIL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    items: _containers.RepeatedCompositeFieldContainer[_return_pb2.ReturnItem]
    reason: _return_pb2.ReturnReason
    reason_detail: str
    request_id: str
    def __init__(self, order_id: _Optional[str] = ..., items: _Optional[_Iterable[_Union[_return_pb2.ReturnItem, _Mapping]]] = ..., reason: _Optional[_Union[_return_pb2.ReturnReason, str]] = ..., reason_detail: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class PreviewReturnRequest(_message.Message):
    __slots__ = ("order_id", "items", "reason", "condition")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CONDITION_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    items: _containers.RepeatedCompositeFieldContainer[_return_pb2.ReturnItem]
    reason: _return_pb2.ReturnReason
    condition: ReturnItemCondition
    def __init__(self, order_id: _Optional[str] = ..., items: _Optional[_Iterable[_Union[_return_pb2.ReturnItem, _Mapping]]] = ..., reason: _Optional[_Union[_return_pb2.ReturnReason, str]] = ..., condition: _Optional[_Union[ReturnItemCondition, str]] = ...) -> None: ...

class PreviewReturnResponse(_message.Message):
    __slots__ = ("order_id", "currency_code", "returnable", "not_returnable_reason", "not_returnable_message", "window_closes_at", "refundable_minor", "estimate", "estimate_skipped")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    RETURNABLE_FIELD_NUMBER: _ClassVar[int]
    NOT_RETURNABLE_REASON_FIELD_NUMBER: _ClassVar[int]
    NOT_RETURNABLE_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    WINDOW_CLOSES_AT_FIELD_NUMBER: _ClassVar[int]
    REFUNDABLE_MINOR_FIELD_NUMBER: _ClassVar[int]
    ESTIMATE_FIELD_NUMBER: _ClassVar[int]
    ESTIMATE_SKIPPED_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    currency_code: str
    returnable: bool
    not_returnable_reason: str
    not_returnable_message: str
    window_closes_at: _timestamp_pb2.Timestamp
    refundable_minor: int
    estimate: ReturnEstimate
    estimate_skipped: str
    def __init__(self, order_id: _Optional[str] = ..., currency_code: _Optional[str] = ..., returnable: _Optional[bool] = ..., not_returnable_reason: _Optional[str] = ..., not_returnable_message: _Optional[str] = ..., window_closes_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., refundable_minor: _Optional[int] = ..., estimate: _Optional[_Union[ReturnEstimate, _Mapping]] = ..., estimate_skipped: _Optional[str] = ...) -> None: ...

class ReturnEstimate(_message.Message):
    __slots__ = ("eligible", "lines", "items_minor", "tax_minor", "shipping_minor", "restocking_fees_minor", "return_shipping_fee_minor", "total_minor", "next_steps", "summary")
    ELIGIBLE_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    ITEMS_MINOR_FIELD_NUMBER: _ClassVar[int]
    TAX_MINOR_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_MINOR_FIELD_NUMBER: _ClassVar[int]
    RESTOCKING_FEES_MINOR_FIELD_NUMBER: _ClassVar[int]
    RETURN_SHIPPING_FEE_MINOR_FIELD_NUMBER: _ClassVar[int]
    TOTAL_MINOR_FIELD_NUMBER: _ClassVar[int]
    NEXT_STEPS_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    eligible: bool
    lines: _containers.RepeatedCompositeFieldContainer[ReturnEstimateLine]
    items_minor: int
    tax_minor: int
    shipping_minor: int
    restocking_fees_minor: int
    return_shipping_fee_minor: int
    total_minor: int
    next_steps: _containers.RepeatedScalarFieldContainer[str]
    summary: str
    def __init__(self, eligible: _Optional[bool] = ..., lines: _Optional[_Iterable[_Union[ReturnEstimateLine, _Mapping]]] = ..., items_minor: _Optional[int] = ..., tax_minor: _Optional[int] = ..., shipping_minor: _Optional[int] = ..., restocking_fees_minor: _Optional[int] = ..., return_shipping_fee_minor: _Optional[int] = ..., total_minor: _Optional[int] = ..., next_steps: _Optional[_Iterable[str]] = ..., summary: _Optional[str] = ...) -> None: ...

class ReturnEstimateLine(_message.Message):
    __slots__ = ("product_id", "quantity", "eligible", "ineligibility_reason", "message", "item_refund_minor", "restocking_fee_minor")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    ELIGIBLE_FIELD_NUMBER: _ClassVar[int]
    INELIGIBILITY_REASON_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    ITEM_REFUND_MINOR_FIELD_NUMBER: _ClassVar[int]
    RESTOCKING_FEE_MINOR_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    quantity: int
    eligible: bool
    ineligibility_reason: str
    message: str
    item_refund_minor: int
    restocking_fee_minor: int
    def __init__(self, product_id: _Optional[str] = ..., quantity: _Optional[int] = ..., eligible: _Optional[bool] = ..., ineligibility_reason: _Optional[str] = ..., message: _Optional[str] = ..., item_refund_minor: _Optional[int] = ..., restocking_fee_minor: _Optional[int] = ...) -> None: ...

class ListReturnsRequest(_message.Message):
    __slots__ = ("status", "page_size", "page_token")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    status: _return_pb2.ReturnStatus
    page_size: int
    page_token: str
    def __init__(self, status: _Optional[_Union[_return_pb2.ReturnStatus, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListReturnsResponse(_message.Message):
    __slots__ = ("returns", "next_page_token")
    RETURNS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    returns: _containers.RepeatedCompositeFieldContainer[_return_pb2.Return]
    next_page_token: str
    def __init__(self, returns: _Optional[_Iterable[_Union[_return_pb2.Return, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetReturnRequest(_message.Message):
    __slots__ = ("return_id",)
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    return_id: str
    def __init__(self, return_id: _Optional[str] = ...) -> None: ...

class ListAllReturnsRequest(_message.Message):
    __slots__ = ("status", "order_id", "user_id", "page_size", "page_token")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    status: _return_pb2.ReturnStatus
    order_id: str
    user_id: str
    page_size: int
    page_token: str
    def __init__(self, status: _Optional[_Union[_return_pb2.ReturnStatus, str]] = ..., order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAllReturnsResponse(_message.Message):
    __slots__ = ("returns", "next_page_token")
    RETURNS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    returns: _containers.RepeatedCompositeFieldContainer[_return_pb2.Return]
    next_page_token: str
    def __init__(self, returns: _Optional[_Iterable[_Union[_return_pb2.Return, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetAnyReturnRequest(_message.Message):
    __slots__ = ("return_id",)
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    return_id: str
    def __init__(self, return_id: _Optional[str] = ...) -> None: ...

class ApproveReturnRequest(_message.Message):
    __slots__ = ("return_id", "note", "etag", "request_id")
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    return_id: str
    note: str
    etag: str
    request_id: str
    def __init__(self, return_id: _Optional[str] = ..., note: _Optional[str] = ..., etag: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RejectReturnRequest(_message.Message):
    __slots__ = ("return_id", "reason", "etag", "request_id")
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    return_id: str
    reason: str
    etag: str
    request_id: str
    def __init__(self, return_id: _Optional[str] = ..., reason: _Optional[str] = ..., etag: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ReceiveReturnRequest(_message.Message):
    __slots__ = ("return_id", "note", "etag", "request_id")
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    return_id: str
    note: str
    etag: str
    request_id: str
    def __init__(self, return_id: _Optional[str] = ..., note: _Optional[str] = ..., etag: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RestockReturnRequest(_message.Message):
    __slots__ = ("return_id", "items", "note", "etag", "request_id")
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    return_id: str
    items: _containers.RepeatedCompositeFieldContainer[_return_pb2.ReturnItem]
    note: str
    etag: str
    request_id: str
    def __init__(self, return_id: _Optional[str] = ..., items: _Optional[_Iterable[_Union[_return_pb2.ReturnItem, _Mapping]]] = ..., note: _Optional[str] = ..., etag: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RefundReturnRequest(_message.Message):
    __slots__ = ("return_id", "amount", "note", "etag", "request_id", "amount_minor")
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    return_id: str
    amount: float
    note: str
    etag: str
    request_id: str
    amount_minor: int
    def __init__(self, return_id: _Optional[str] = ..., amount: _Optional[float] = ..., note: _Optional[str] = ..., etag: _Optional[str] = ..., request_id: _Optional[str] = ..., amount_minor: _Optional[int] = ...) -> None: ...
