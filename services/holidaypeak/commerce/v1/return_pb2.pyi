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

class ReturnStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RETURN_STATUS_UNSPECIFIED: _ClassVar[ReturnStatus]
    RETURN_STATUS_REQUESTED: _ClassVar[ReturnStatus]
    RETURN_STATUS_APPROVED: _ClassVar[ReturnStatus]
    RETURN_STATUS_REJECTED: _ClassVar[ReturnStatus]
    RETURN_STATUS_RECEIVED: _ClassVar[ReturnStatus]
    RETURN_STATUS_RESTOCKED: _ClassVar[ReturnStatus]
    RETURN_STATUS_REFUNDED: _ClassVar[ReturnStatus]

class ReturnReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RETURN_REASON_UNSPECIFIED: _ClassVar[ReturnReason]
    RETURN_REASON_DAMAGED: _ClassVar[ReturnReason]
    RETURN_REASON_DEFECTIVE: _ClassVar[ReturnReason]
    RETURN_REASON_WRONG_ITEM: _ClassVar[ReturnReason]
    RETURN_REASON_NOT_AS_DESCRIBED: _ClassVar[ReturnReason]
    RETURN_REASON_SIZE_OR_FIT: _ClassVar[ReturnReason]
    RETURN_REASON_ARRIVED_LATE: _ClassVar[ReturnReason]
    RETURN_REASON_NO_LONGER_NEEDED: _ClassVar[ReturnReason]
    RETURN_REASON_OTHER: _ClassVar[ReturnReason]
RETURN_STATUS_UNSPECIFIED: ReturnStatus
RETURN_STATUS_REQUESTED: ReturnStatus
RETURN_STATUS_APPROVED: ReturnStatus
RETURN_STATUS_REJECTED: ReturnStatus
RETURN_STATUS_RECEIVED: ReturnStatus
RETURN_STATUS_RESTOCKED: ReturnStatus
RETURN_STATUS_REFUNDED: ReturnStatus
RETURN_REASON_UNSPECIFIED: ReturnReason
RETURN_REASON_DAMAGED: ReturnReason
RETURN_REASON_DEFECTIVE: ReturnReason
RETURN_REASON_WRONG_ITEM: ReturnReason
RETURN_REASON_NOT_AS_DESCRIBED: ReturnReason
RETURN_REASON_SIZE_OR_FIT: ReturnReason
RETURN_REASON_ARRIVED_LATE: ReturnReason
RETURN_REASON_NO_LONGER_NEEDED: ReturnReason
RETURN_REASON_OTHER: ReturnReason

class ReturnItem(_message.Message):
    __slots__ = ("product_id", "quantity", "unit_price")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    quantity: int
    unit_price: float
    def __init__(self, product_id: _Optional[str] = ..., quantity: _Optional[int] = ..., unit_price: _Optional[float] = ...) -> None: ...

class ReturnStatusChange(_message.Message):
    __slots__ = ("status", "actor_id", "note", "changed_at")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    status: ReturnStatus
    actor_id: str
    note: str
    changed_at: _timestamp_pb2.Timestamp
    def __init__(self, status: _Optional[_Union[ReturnStatus, str]] = ..., actor_id: _Optional[str] = ..., note: _Optional[str] = ..., changed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Return(_message.Message):
    __slots__ = ("id", "order_id", "user_id", "status", "reason", "reason_detail", "items", "restocked_items", "refund_amount", "currency_code", "refund_id", "rejection_reason", "history", "created_at", "updated_at", "approved_at", "rejected_at", "received_at", "restocked_at", "refunded_at", "etag", "refund_amount_minor")
    ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REASON_DETAIL_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    RESTOCKED_ITEMS_FIELD_NUMBER: _ClassVar[int]
    REFUND_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    REFUND_ID_FIELD_NUMBER: _ClassVar[int]
    REJECTION_REASON_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    APPROVED_AT_FIELD_NUMBER: _ClassVar[int]
    REJECTED_AT_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    RESTOCKED_AT_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_AT_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    REFUND_AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    id: str
    order_id: str
    user_id: str
    status: ReturnStatus
    reason: ReturnReason
    reason_detail: str
    items: _containers.RepeatedCompositeFieldContainer[ReturnItem]
    restocked_items: _containers.RepeatedCompositeFieldContainer[ReturnItem]
    refund_amount: float
    currency_code: str
    refund_id: str
    rejection_reason: str
    history: _containers.RepeatedCompositeFieldContainer[ReturnStatusChange]
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    approved_at: _timestamp_pb2.Timestamp
    rejected_at: _timestamp_pb2.Timestamp
    received_at: _timestamp_pb2.Timestamp
    restocked_at: _timestamp_pb2.Timestamp
    refunded_at: _timestamp_pb2.Timestamp
    etag: str
    refund_amount_minor: int
    def __init__(self, id: _Optional[str] = ..., order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., status: _Optional[_Union[ReturnStatus, str]] = ..., reason: _Optional[_Union[ReturnReason, str]] = ..., reason_detail: _Optional[str] = ..., items: _Optional[_Iterable[_Union[ReturnItem, _Mapping]]] = ..., restocked_items: _Optional[_Iterable[_Union[ReturnItem, _Mapping]]] = ..., refund_amount: _Optional[float] = ..., currency_code: _Optional[str] = ..., refund_id: _Optional[str] = ..., rejection_reason: _Optional[str] = ..., history: _Optional[_Iterable[_Union[ReturnStatusChange, _Mapping]]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., approved_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., rejected_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., received_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., restocked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., refunded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., etag: _Optional[str] = ..., refund_amount_minor: _Optional[int] = ...) -> None: ...
