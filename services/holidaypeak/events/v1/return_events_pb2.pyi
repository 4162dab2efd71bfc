from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

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
RETURN_REASON_UNSPECIFIED: ReturnReason
RETURN_REASON_DAMAGED: ReturnReason
RETURN_REASON_DEFECTIVE: ReturnReason
RETURN_REASON_WRONG_ITEM: ReturnReason
RETURN_REASON_NOT_AS_DESCRIBED: ReturnReason
RETURN_REASON_SIZE_OR_FIT: ReturnReason
RETURN_REASON_ARRIVED_LATE: ReturnReason
RETURN_REASON_NO_LONGER_NEEDED: ReturnReason
RETURN_REASON_OTHER: ReturnReason

class ReturnLine(_message.Message):
    __slots__ = ("sku", "quantity", "unit_price_minor")
    SKU_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_MINOR_FIELD_NUMBER: _ClassVar[int]
    sku: str
    quantity: int
    unit_price_minor: int
    def __init__(self, sku: _Optional[str] = ..., quantity: _Optional[int] = ..., unit_price_minor: _Optional[int] = ...) -> None: ...

class ReturnRequested(_message.Message):
    __slots__ = ("return_id", "order_id", "user_id", "lines", "reason", "reason_detail", "refund_estimate_minor", "currency_code")
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REASON_DETAIL_FIELD_NUMBER: _ClassVar[int]
    REFUND_ESTIMATE_MINOR_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    return_id: str
    order_id: str
    user_id: str
    lines: _containers.RepeatedCompositeFieldContainer[ReturnLine]
    reason: ReturnReason
    reason_detail: str
    refund_estimate_minor: int
    currency_code: str
    def __init__(self, return_id: _Optional[str] = ..., order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[ReturnLine, _Mapping]]] = ..., reason: _Optional[_Union[ReturnReason, str]] = ..., reason_detail: _Optional[str] = ..., refund_estimate_minor: _Optional[int] = ..., currency_code: _Optional[str] = ...) -> None: ...

class ReturnApproved(_message.Message):
    __slots__ = ("return_id", "order_id", "user_id", "actor_id", "note")
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    return_id: str
    order_id: str
    user_id: str
    actor_id: str
    note: str
    def __init__(self, return_id: _Optional[str] = ..., order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., actor_id: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class ReturnRejected(_message.Message):
    __slots__ = ("return_id", "order_id", "user_id", "actor_id", "reason")
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    return_id: str
    order_id: str
    user_id: str
    actor_id: str
    reason: str
    def __init__(self, return_id: _Optional[str] = ..., order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., actor_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ReturnReceived(_message.Message):
    __slots__ = ("return_id", "order_id", "user_id", "actor_id", "lines", "note")
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    return_id: str
    order_id: str
    user_id: str
    actor_id: str
    lines: _containers.RepeatedCompositeFieldContainer[ReturnLine]
    note: str
    def __init__(self, return_id: _Optional[str] = ..., order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., actor_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[ReturnLine, _Mapping]]] = ..., note: _Optional[str] = ...) -> None: ...

class ReturnRestocked(_message.Message):
    __slots__ = ("return_id", "order_id", "user_id", "actor_id", "lines")
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    return_id: str
    order_id: str
    user_id: str
    actor_id: str
    lines: _containers.RepeatedCompositeFieldContainer[ReturnLine]
    def __init__(self, return_id: _Optional[str] = ..., order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., actor_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[ReturnLine, _Mapping]]] = ...) -> None: ...

class ReturnRefunded(_message.Message):
    __slots__ = ("return_id", "order_id", "user_id", "actor_id", "refund_id", "payment_id", "amount_minor", "currency_code")
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    REFUND_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    return_id: str
    order_id: str
    user_id: str
    actor_id: str
    refund_id: str
    payment_id: str
    amount_minor: int
    currency_code: str
    def __init__(self, return_id: _Optional[str] = ..., order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., actor_id: _Optional[str] = ..., refund_id: _Optional[str] = ..., payment_id: _Optional[str] = ..., amount_minor: _Optional[int] = ..., currency_code: _Optional[str] = ...) -> None: ...
