import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from holidaypeak.agents.v1 import explanation_pb2 as _explanation_pb2
from holidaypeak.common.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReservationDecision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RESERVATION_DECISION_UNSPECIFIED: _ClassVar[ReservationDecision]
    RESERVATION_DECISION_ALLOW: _ClassVar[ReservationDecision]
    RESERVATION_DECISION_LIMIT: _ClassVar[ReservationDecision]
    RESERVATION_DECISION_PARTIAL: _ClassVar[ReservationDecision]
    RESERVATION_DECISION_BACKORDER: _ClassVar[ReservationDecision]
    RESERVATION_DECISION_REFUSE: _ClassVar[ReservationDecision]

class LimitingFactor(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LIMITING_FACTOR_UNSPECIFIED: _ClassVar[LimitingFactor]
    LIMITING_FACTOR_NONE: _ClassVar[LimitingFactor]
    LIMITING_FACTOR_EFFECTIVE_AVAILABILITY: _ClassVar[LimitingFactor]
    LIMITING_FACTOR_PEAK_LIMIT: _ClassVar[LimitingFactor]

class ReservationOptionKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RESERVATION_OPTION_KIND_UNSPECIFIED: _ClassVar[ReservationOptionKind]
    RESERVATION_OPTION_KIND_PARTIAL: _ClassVar[ReservationOptionKind]
    RESERVATION_OPTION_KIND_BACKORDER: _ClassVar[ReservationOptionKind]
RESERVATION_DECISION_UNSPECIFIED: ReservationDecision
RESERVATION_DECISION_ALLOW: ReservationDecision
RESERVATION_DECISION_LIMIT: ReservationDecision
RESERVATION_DECISION_PARTIAL: ReservationDecision
RESERVATION_DECISION_BACKORDER: ReservationDecision
RESERVATION_DECISION_REFUSE: ReservationDecision
LIMITING_FACTOR_UNSPECIFIED: LimitingFactor
LIMITING_FACTOR_NONE: LimitingFactor
LIMITING_FACTOR_EFFECTIVE_AVAILABILITY: LimitingFactor
LIMITING_FACTOR_PEAK_LIMIT: LimitingFactor
RESERVATION_OPTION_KIND_UNSPECIFIED: ReservationOptionKind
RESERVATION_OPTION_KIND_PARTIAL: ReservationOptionKind
RESERVATION_OPTION_KIND_BACKORDER: ReservationOptionKind

class ValidateReservationRequest(_message.Message):
    __slots__ = ("shopper_id", "lines", "order_id")
    SHOPPER_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    shopper_id: str
    lines: _containers.RepeatedCompositeFieldContainer[ReservationRequestLine]
    order_id: str
    def __init__(self, shopper_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[ReservationRequestLine, _Mapping]]] = ..., order_id: _Optional[str] = ...) -> None: ...

class ReservationRequestLine(_message.Message):
    __slots__ = ("product_id", "sku", "quantity")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    sku: str
    quantity: int
    def __init__(self, product_id: _Optional[str] = ..., sku: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class ValidateReservationResponse(_message.Message):
    __slots__ = ("decision", "lines", "peak_window", "explanation")
    DECISION_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    PEAK_WINDOW_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    decision: ReservationDecision
    lines: _containers.RepeatedCompositeFieldContainer[LineValidation]
    peak_window: PeakWindow
    explanation: _explanation_pb2.Explanation
    def __init__(self, decision: _Optional[_Union[ReservationDecision, str]] = ..., lines: _Optional[_Iterable[_Union[LineValidation, _Mapping]]] = ..., peak_window: _Optional[_Union[PeakWindow, _Mapping]] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...

class LineValidation(_message.Message):
    __slots__ = ("product_id", "sku", "requested_quantity", "allowed_quantity", "decision", "limiting_factor", "quantity_on_hand", "quantity_reserved", "safety_stock", "effective_availability", "hot_sku", "peak_limit", "purchased_in_window", "remaining_limit", "options", "reason")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    LIMITING_FACTOR_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_ON_HAND_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_RESERVED_FIELD_NUMBER: _ClassVar[int]
    SAFETY_STOCK_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_AVAILABILITY_FIELD_NUMBER: _ClassVar[int]
    HOT_SKU_FIELD_NUMBER: _ClassVar[int]
    PEAK_LIMIT_FIELD_NUMBER: _ClassVar[int]
    PURCHASED_IN_WINDOW_FIELD_NUMBER: _ClassVar[int]
    REMAINING_LIMIT_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    sku: str
    requested_quantity: int
    allowed_quantity: int
    decision: ReservationDecision
    limiting_factor: LimitingFactor
    quantity_on_hand: int
    quantity_reserved: int
    safety_stock: int
    effective_availability: int
    hot_sku: bool
    peak_limit: int
    purchased_in_window: int
    remaining_limit: int
    options: _containers.RepeatedCompositeFieldContainer[ReservationOption]
    reason: str
    def __init__(self, product_id: _Optional[str] = ..., sku: _Optional[str] = ..., requested_quantity: _Optional[int] = ..., allowed_quantity: _Optional[int] = ..., decision: _Optional[_Union[ReservationDecision, str]] = ..., limiting_factor: _Optional[_Union[LimitingFactor, str]] = ..., quantity_on_hand: _Optional[int] = ..., quantity_reserved: _Optional[int] = ..., safety_stock: _Optional[int] = ..., effective_availability: _Optional[int] = ..., hot_sku: _Optional[bool] = ..., peak_limit: _Optional[int] = ..., purchased_in_window: _Optional[int] = ..., remaining_limit: _Optional[int] = ..., options: _Optional[_Iterable[_Union[ReservationOption, _Mapping]]] = ..., reason: _Optional[str] = ...) -> None: ...

class ReservationOption(_message.Message):
    __slots__ = ("kind", "quantity_now", "quantity_later", "restock_days", "reason")
    KIND_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_NOW_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_LATER_FIELD_NUMBER: _ClassVar[int]
    RESTOCK_DAYS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    kind: ReservationOptionKind
    quantity_now: int
    quantity_later: int
    restock_days: int
    reason: str
    def __init__(self, kind: _Optional[_Union[ReservationOptionKind, str]] = ..., quantity_now: _Optional[int] = ..., quantity_later: _Optional[int] = ..., restock_days: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class PeakWindow(_message.Message):
    __slots__ = ("active", "starts_at", "ends_at", "source")
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    STARTS_AT_FIELD_NUMBER: _ClassVar[int]
    ENDS_AT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    active: bool
    starts_at: _timestamp_pb2.Timestamp
    ends_at: _timestamp_pb2.Timestamp
    source: str
    def __init__(self, active: _Optional[bool] = ..., starts_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ends_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., source: _Optional[str] = ...) -> None: ...

class GetReservationPolicyRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ReservationPolicy(_message.Message):
    __slots__ = ("version", "peak_window", "default_safety_stock", "skus", "explanation")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    PEAK_WINDOW_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_SAFETY_STOCK_FIELD_NUMBER: _ClassVar[int]
    SKUS_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    version: str
    peak_window: PeakWindow
    default_safety_stock: int
    skus: _containers.RepeatedCompositeFieldContainer[SkuPolicy]
    explanation: _explanation_pb2.Explanation
    def __init__(self, version: _Optional[str] = ..., peak_window: _Optional[_Union[PeakWindow, _Mapping]] = ..., default_safety_stock: _Optional[int] = ..., skus: _Optional[_Iterable[_Union[SkuPolicy, _Mapping]]] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...

class SkuPolicy(_message.Message):
    __slots__ = ("sku", "safety_stock", "peak_limit_per_shopper", "backorder_restock_days")
    SKU_FIELD_NUMBER: _ClassVar[int]
    SAFETY_STOCK_FIELD_NUMBER: _ClassVar[int]
    PEAK_LIMIT_PER_SHOPPER_FIELD_NUMBER: _ClassVar[int]
    BACKORDER_RESTOCK_DAYS_FIELD_NUMBER: _ClassVar[int]
    sku: str
    safety_stock: int
    peak_limit_per_shopper: int
    backorder_restock_days: int
    def __init__(self, sku: _Optional[str] = ..., safety_stock: _Optional[int] = ..., peak_limit_per_shopper: _Optional[int] = ..., backorder_restock_days: _Optional[int] = ...) -> None: ...
