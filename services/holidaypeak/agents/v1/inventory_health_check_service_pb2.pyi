from google.api import annotations_pb2 as _annotations_pb2
from holidaypeak.agents.v1 import agent_types_pb2 as _agent_types_pb2
from holidaypeak.agents.v1 import explanation_pb2 as _explanation_pb2
from holidaypeak.commerce.v1 import inventory_item_pb2 as _inventory_item_pb2
from holidaypeak.common.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class InventoryAnomalyKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INVENTORY_ANOMALY_KIND_UNSPECIFIED: _ClassVar[InventoryAnomalyKind]
    INVENTORY_ANOMALY_KIND_RESERVED_ABOVE_ON_HAND: _ClassVar[InventoryAnomalyKind]
    INVENTORY_ANOMALY_KIND_NEGATIVE_STOCK: _ClassVar[InventoryAnomalyKind]
    INVENTORY_ANOMALY_KIND_STALE_RESERVATION: _ClassVar[InventoryAnomalyKind]
    INVENTORY_ANOMALY_KIND_UNEXPLAINED_MOVEMENT: _ClassVar[InventoryAnomalyKind]
INVENTORY_ANOMALY_KIND_UNSPECIFIED: InventoryAnomalyKind
INVENTORY_ANOMALY_KIND_RESERVED_ABOVE_ON_HAND: InventoryAnomalyKind
INVENTORY_ANOMALY_KIND_NEGATIVE_STOCK: InventoryAnomalyKind
INVENTORY_ANOMALY_KIND_STALE_RESERVATION: InventoryAnomalyKind
INVENTORY_ANOMALY_KIND_UNEXPLAINED_MOVEMENT: InventoryAnomalyKind

class CheckHealthRequest(_message.Message):
    __slots__ = ("skus", "health", "anomalies_only", "page_size", "page_token")
    SKUS_FIELD_NUMBER: _ClassVar[int]
    HEALTH_FIELD_NUMBER: _ClassVar[int]
    ANOMALIES_ONLY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    skus: _containers.RepeatedScalarFieldContainer[str]
    health: _containers.RepeatedScalarFieldContainer[_inventory_item_pb2.InventoryHealth]
    anomalies_only: bool
    page_size: int
    page_token: str
    def __init__(self, skus: _Optional[_Iterable[str]] = ..., health: _Optional[_Iterable[_Union[_inventory_item_pb2.InventoryHealth, str]]] = ..., anomalies_only: _Optional[bool] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class CheckHealthResponse(_message.Message):
    __slots__ = ("items", "next_page_token", "summary", "skus_with_anomalies", "explanation")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    SKUS_WITH_ANOMALIES_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[SkuHealth]
    next_page_token: str
    summary: _containers.RepeatedCompositeFieldContainer[HealthCount]
    skus_with_anomalies: int
    explanation: _explanation_pb2.Explanation
    def __init__(self, items: _Optional[_Iterable[_Union[SkuHealth, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., summary: _Optional[_Iterable[_Union[HealthCount, _Mapping]]] = ..., skus_with_anomalies: _Optional[int] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...

class SkuHealth(_message.Message):
    __slots__ = ("sku", "product_name", "health", "stock", "demand", "days_of_cover", "urgency", "anomalies", "drivers")
    SKU_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_NAME_FIELD_NUMBER: _ClassVar[int]
    HEALTH_FIELD_NUMBER: _ClassVar[int]
    STOCK_FIELD_NUMBER: _ClassVar[int]
    DEMAND_FIELD_NUMBER: _ClassVar[int]
    DAYS_OF_COVER_FIELD_NUMBER: _ClassVar[int]
    URGENCY_FIELD_NUMBER: _ClassVar[int]
    ANOMALIES_FIELD_NUMBER: _ClassVar[int]
    DRIVERS_FIELD_NUMBER: _ClassVar[int]
    sku: str
    product_name: str
    health: _inventory_item_pb2.InventoryHealth
    stock: _agent_types_pb2.StockPosition
    demand: _agent_types_pb2.DemandRate
    days_of_cover: float
    urgency: float
    anomalies: _containers.RepeatedCompositeFieldContainer[InventoryAnomaly]
    drivers: _containers.RepeatedCompositeFieldContainer[_explanation_pb2.Driver]
    def __init__(self, sku: _Optional[str] = ..., product_name: _Optional[str] = ..., health: _Optional[_Union[_inventory_item_pb2.InventoryHealth, str]] = ..., stock: _Optional[_Union[_agent_types_pb2.StockPosition, _Mapping]] = ..., demand: _Optional[_Union[_agent_types_pb2.DemandRate, _Mapping]] = ..., days_of_cover: _Optional[float] = ..., urgency: _Optional[float] = ..., anomalies: _Optional[_Iterable[_Union[InventoryAnomaly, _Mapping]]] = ..., drivers: _Optional[_Iterable[_Union[_explanation_pb2.Driver, _Mapping]]] = ...) -> None: ...

class InventoryAnomaly(_message.Message):
    __slots__ = ("kind", "severity", "message", "reservation_ids")
    KIND_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    RESERVATION_IDS_FIELD_NUMBER: _ClassVar[int]
    kind: InventoryAnomalyKind
    severity: _agent_types_pb2.Severity
    message: str
    reservation_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, kind: _Optional[_Union[InventoryAnomalyKind, str]] = ..., severity: _Optional[_Union[_agent_types_pb2.Severity, str]] = ..., message: _Optional[str] = ..., reservation_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class HealthCount(_message.Message):
    __slots__ = ("health", "count")
    HEALTH_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    health: _inventory_item_pb2.InventoryHealth
    count: int
    def __init__(self, health: _Optional[_Union[_inventory_item_pb2.InventoryHealth, str]] = ..., count: _Optional[int] = ...) -> None: ...
