import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class InventoryHealth(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INVENTORY_HEALTH_UNSPECIFIED: _ClassVar[InventoryHealth]
    INVENTORY_HEALTH_HEALTHY: _ClassVar[InventoryHealth]
    INVENTORY_HEALTH_LOW_STOCK: _ClassVar[InventoryHealth]
    INVENTORY_HEALTH_OUT_OF_STOCK: _ClassVar[InventoryHealth]
    INVENTORY_HEALTH_OVERSTOCKED: _ClassVar[InventoryHealth]
INVENTORY_HEALTH_UNSPECIFIED: InventoryHealth
INVENTORY_HEALTH_HEALTHY: InventoryHealth
INVENTORY_HEALTH_LOW_STOCK: InventoryHealth
INVENTORY_HEALTH_OUT_OF_STOCK: InventoryHealth
INVENTORY_HEALTH_OVERSTOCKED: InventoryHealth

class InventoryItem(_message.Message):
    __slots__ = ("sku", "quantity_on_hand", "quantity_reserved", "quantity_available", "reorder_point", "safety_stock", "overstock_threshold", "health", "updated_at", "etag")
    SKU_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_ON_HAND_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_RESERVED_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    REORDER_POINT_FIELD_NUMBER: _ClassVar[int]
    SAFETY_STOCK_FIELD_NUMBER: _ClassVar[int]
    OVERSTOCK_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    HEALTH_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    sku: str
    quantity_on_hand: int
    quantity_reserved: int
    quantity_available: int
    reorder_point: int
    safety_stock: int
    overstock_threshold: int
    health: InventoryHealth
    updated_at: _timestamp_pb2.Timestamp
    etag: str
    def __init__(self, sku: _Optional[str] = ..., quantity_on_hand: _Optional[int] = ..., quantity_reserved: _Optional[int] = ..., quantity_available: _Optional[int] = ..., reorder_point: _Optional[int] = ..., safety_stock: _Optional[int] = ..., overstock_threshold: _Optional[int] = ..., health: _Optional[_Union[InventoryHealth, str]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., etag: _Optional[str] = ...) -> None: ...

class SkuAvailability(_message.Message):
    __slots__ = ("sku", "in_stock", "quantity_available", "low_stock")
    SKU_FIELD_NUMBER: _ClassVar[int]
    IN_STOCK_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    LOW_STOCK_FIELD_NUMBER: _ClassVar[int]
    sku: str
    in_stock: bool
    quantity_available: int
    low_stock: bool
    def __init__(self, sku: _Optional[str] = ..., in_stock: _Optional[bool] = ..., quantity_available: _Optional[int] = ..., low_stock: _Optional[bool] = ...) -> None: ...
