import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReleaseReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RELEASE_REASON_UNSPECIFIED: _ClassVar[ReleaseReason]
    RELEASE_REASON_ORDER_CANCELLED: _ClassVar[ReleaseReason]
    RELEASE_REASON_EXPIRED: _ClassVar[ReleaseReason]
    RELEASE_REASON_PAYMENT_FAILED: _ClassVar[ReleaseReason]

class AdjustmentReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ADJUSTMENT_REASON_UNSPECIFIED: _ClassVar[AdjustmentReason]
    ADJUSTMENT_REASON_RECEIVED: _ClassVar[AdjustmentReason]
    ADJUSTMENT_REASON_RETURN_RESTOCK: _ClassVar[AdjustmentReason]
    ADJUSTMENT_REASON_COUNT_CORRECTION: _ClassVar[AdjustmentReason]
    ADJUSTMENT_REASON_DAMAGED_OR_LOST: _ClassVar[AdjustmentReason]
    ADJUSTMENT_REASON_SETTINGS: _ClassVar[AdjustmentReason]
    ADJUSTMENT_REASON_OTHER: _ClassVar[AdjustmentReason]

class InventoryAlertKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INVENTORY_ALERT_KIND_UNSPECIFIED: _ClassVar[InventoryAlertKind]
    INVENTORY_ALERT_KIND_LOW_STOCK: _ClassVar[InventoryAlertKind]
    INVENTORY_ALERT_KIND_STOCK_OUT: _ClassVar[InventoryAlertKind]
    INVENTORY_ALERT_KIND_RESERVATION_PRESSURE: _ClassVar[InventoryAlertKind]
    INVENTORY_ALERT_KIND_DEMAND_SPIKE: _ClassVar[InventoryAlertKind]

class InventoryAlertSeverity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INVENTORY_ALERT_SEVERITY_UNSPECIFIED: _ClassVar[InventoryAlertSeverity]
    INVENTORY_ALERT_SEVERITY_INFO: _ClassVar[InventoryAlertSeverity]
    INVENTORY_ALERT_SEVERITY_LOW: _ClassVar[InventoryAlertSeverity]
    INVENTORY_ALERT_SEVERITY_MEDIUM: _ClassVar[InventoryAlertSeverity]
    INVENTORY_ALERT_SEVERITY_HIGH: _ClassVar[InventoryAlertSeverity]
    INVENTORY_ALERT_SEVERITY_CRITICAL: _ClassVar[InventoryAlertSeverity]
RELEASE_REASON_UNSPECIFIED: ReleaseReason
RELEASE_REASON_ORDER_CANCELLED: ReleaseReason
RELEASE_REASON_EXPIRED: ReleaseReason
RELEASE_REASON_PAYMENT_FAILED: ReleaseReason
ADJUSTMENT_REASON_UNSPECIFIED: AdjustmentReason
ADJUSTMENT_REASON_RECEIVED: AdjustmentReason
ADJUSTMENT_REASON_RETURN_RESTOCK: AdjustmentReason
ADJUSTMENT_REASON_COUNT_CORRECTION: AdjustmentReason
ADJUSTMENT_REASON_DAMAGED_OR_LOST: AdjustmentReason
ADJUSTMENT_REASON_SETTINGS: AdjustmentReason
ADJUSTMENT_REASON_OTHER: AdjustmentReason
INVENTORY_ALERT_KIND_UNSPECIFIED: InventoryAlertKind
INVENTORY_ALERT_KIND_LOW_STOCK: InventoryAlertKind
INVENTORY_ALERT_KIND_STOCK_OUT: InventoryAlertKind
INVENTORY_ALERT_KIND_RESERVATION_PRESSURE: InventoryAlertKind
INVENTORY_ALERT_KIND_DEMAND_SPIKE: InventoryAlertKind
INVENTORY_ALERT_SEVERITY_UNSPECIFIED: InventoryAlertSeverity
INVENTORY_ALERT_SEVERITY_INFO: InventoryAlertSeverity
INVENTORY_ALERT_SEVERITY_LOW: InventoryAlertSeverity
INVENTORY_ALERT_SEVERITY_MEDIUM: InventoryAlertSeverity
INVENTORY_ALERT_SEVERITY_HIGH: InventoryAlertSeverity
INVENTORY_ALERT_SEVERITY_CRITICAL: InventoryAlertSeverity

class StockLevel(_message.Message):
    __slots__ = ("on_hand", "reserved", "available", "reorder_point", "safety_stock")
    ON_HAND_FIELD_NUMBER: _ClassVar[int]
    RESERVED_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    REORDER_POINT_FIELD_NUMBER: _ClassVar[int]
    SAFETY_STOCK_FIELD_NUMBER: _ClassVar[int]
    on_hand: int
    reserved: int
    available: int
    reorder_point: int
    safety_stock: int
    def __init__(self, on_hand: _Optional[int] = ..., reserved: _Optional[int] = ..., available: _Optional[int] = ..., reorder_point: _Optional[int] = ..., safety_stock: _Optional[int] = ...) -> None: ...

class InventoryReserved(_message.Message):
    __slots__ = ("sku", "quantity", "reservation_id", "order_id", "user_id", "expires_at", "level")
    SKU_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    sku: str
    quantity: int
    reservation_id: str
    order_id: str
    user_id: str
    expires_at: _timestamp_pb2.Timestamp
    level: StockLevel
    def __init__(self, sku: _Optional[str] = ..., quantity: _Optional[int] = ..., reservation_id: _Optional[str] = ..., order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., level: _Optional[_Union[StockLevel, _Mapping]] = ...) -> None: ...

class InventoryReleased(_message.Message):
    __slots__ = ("sku", "quantity", "reservation_id", "order_id", "reason", "level")
    SKU_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    sku: str
    quantity: int
    reservation_id: str
    order_id: str
    reason: ReleaseReason
    level: StockLevel
    def __init__(self, sku: _Optional[str] = ..., quantity: _Optional[int] = ..., reservation_id: _Optional[str] = ..., order_id: _Optional[str] = ..., reason: _Optional[_Union[ReleaseReason, str]] = ..., level: _Optional[_Union[StockLevel, _Mapping]] = ...) -> None: ...

class InventoryConfirmed(_message.Message):
    __slots__ = ("sku", "quantity", "reservation_id", "order_id", "level")
    SKU_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    sku: str
    quantity: int
    reservation_id: str
    order_id: str
    level: StockLevel
    def __init__(self, sku: _Optional[str] = ..., quantity: _Optional[int] = ..., reservation_id: _Optional[str] = ..., order_id: _Optional[str] = ..., level: _Optional[_Union[StockLevel, _Mapping]] = ...) -> None: ...

class InventoryAdjusted(_message.Message):
    __slots__ = ("sku", "delta", "reason", "actor_id", "reference_id", "note", "level")
    SKU_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    sku: str
    delta: int
    reason: AdjustmentReason
    actor_id: str
    reference_id: str
    note: str
    level: StockLevel
    def __init__(self, sku: _Optional[str] = ..., delta: _Optional[int] = ..., reason: _Optional[_Union[AdjustmentReason, str]] = ..., actor_id: _Optional[str] = ..., reference_id: _Optional[str] = ..., note: _Optional[str] = ..., level: _Optional[_Union[StockLevel, _Mapping]] = ...) -> None: ...

class LowStock(_message.Message):
    __slots__ = ("sku", "level", "out_of_stock")
    SKU_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    OUT_OF_STOCK_FIELD_NUMBER: _ClassVar[int]
    sku: str
    level: StockLevel
    out_of_stock: bool
    def __init__(self, sku: _Optional[str] = ..., level: _Optional[_Union[StockLevel, _Mapping]] = ..., out_of_stock: _Optional[bool] = ...) -> None: ...

class InventoryAlertRaised(_message.Message):
    __slots__ = ("alert_id", "sku", "kind", "severity", "message", "raised_at", "previous_severity")
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    RAISED_AT_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_SEVERITY_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    sku: str
    kind: InventoryAlertKind
    severity: InventoryAlertSeverity
    message: str
    raised_at: _timestamp_pb2.Timestamp
    previous_severity: InventoryAlertSeverity
    def __init__(self, alert_id: _Optional[str] = ..., sku: _Optional[str] = ..., kind: _Optional[_Union[InventoryAlertKind, str]] = ..., severity: _Optional[_Union[InventoryAlertSeverity, str]] = ..., message: _Optional[str] = ..., raised_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., previous_severity: _Optional[_Union[InventoryAlertSeverity, str]] = ...) -> None: ...

class InventoryAlertAcknowledged(_message.Message):
    __slots__ = ("alert_id", "sku", "kind", "acknowledged_by", "note", "acknowledged_at")
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGED_BY_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGED_AT_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    sku: str
    kind: InventoryAlertKind
    acknowledged_by: str
    note: str
    acknowledged_at: _timestamp_pb2.Timestamp
    def __init__(self, alert_id: _Optional[str] = ..., sku: _Optional[str] = ..., kind: _Optional[_Union[InventoryAlertKind, str]] = ..., acknowledged_by: _Optional[str] = ..., note: _Optional[str] = ..., acknowledged_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class InventoryAlertResolved(_message.Message):
    __slots__ = ("alert_id", "sku", "kind", "resolved_at", "cooldown_until")
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_AT_FIELD_NUMBER: _ClassVar[int]
    COOLDOWN_UNTIL_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    sku: str
    kind: InventoryAlertKind
    resolved_at: _timestamp_pb2.Timestamp
    cooldown_until: _timestamp_pb2.Timestamp
    def __init__(self, alert_id: _Optional[str] = ..., sku: _Optional[str] = ..., kind: _Optional[_Union[InventoryAlertKind, str]] = ..., resolved_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., cooldown_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
