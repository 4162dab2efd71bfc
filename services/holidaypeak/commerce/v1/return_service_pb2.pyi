from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from holidaypeak.commerce.v1 import return_pb2 as _return_pb2
from holidaypeak.common.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

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
