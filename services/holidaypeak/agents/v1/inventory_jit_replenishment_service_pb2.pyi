import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from holidaypeak.agents.v1 import agent_types_pb2 as _agent_types_pb2
from holidaypeak.agents.v1 import explanation_pb2 as _explanation_pb2
from holidaypeak.common.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OrderQuantityMethod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ORDER_QUANTITY_METHOD_UNSPECIFIED: _ClassVar[OrderQuantityMethod]
    ORDER_QUANTITY_METHOD_EOQ: _ClassVar[OrderQuantityMethod]
    ORDER_QUANTITY_METHOD_COVER_TARGET: _ClassVar[OrderQuantityMethod]
ORDER_QUANTITY_METHOD_UNSPECIFIED: OrderQuantityMethod
ORDER_QUANTITY_METHOD_EOQ: OrderQuantityMethod
ORDER_QUANTITY_METHOD_COVER_TARGET: OrderQuantityMethod

class PlanReplenishmentRequest(_message.Message):
    __slots__ = ("skus", "service_level", "horizon_days", "needs_order_only", "page_size", "page_token")
    SKUS_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    HORIZON_DAYS_FIELD_NUMBER: _ClassVar[int]
    NEEDS_ORDER_ONLY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    skus: _containers.RepeatedScalarFieldContainer[str]
    service_level: float
    horizon_days: int
    needs_order_only: bool
    page_size: int
    page_token: str
    def __init__(self, skus: _Optional[_Iterable[str]] = ..., service_level: _Optional[float] = ..., horizon_days: _Optional[int] = ..., needs_order_only: _Optional[bool] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class PlanReplenishmentResponse(_message.Message):
    __slots__ = ("lines", "next_page_token", "service_level", "z", "explanation")
    LINES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    Z_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    lines: _containers.RepeatedCompositeFieldContainer[ReplenishmentLine]
    next_page_token: str
    service_level: float
    z: float
    explanation: _explanation_pb2.Explanation
    def __init__(self, lines: _Optional[_Iterable[_Union[ReplenishmentLine, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., service_level: _Optional[float] = ..., z: _Optional[float] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...

class ReplenishmentLine(_message.Message):
    __slots__ = ("sku", "product_name", "stock", "demand", "supplier_id", "lead_time_days", "safety_stock", "reorder_point", "order_quantity", "quantity_method", "order_by", "needs_order", "drivers")
    SKU_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_NAME_FIELD_NUMBER: _ClassVar[int]
    STOCK_FIELD_NUMBER: _ClassVar[int]
    DEMAND_FIELD_NUMBER: _ClassVar[int]
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_TIME_DAYS_FIELD_NUMBER: _ClassVar[int]
    SAFETY_STOCK_FIELD_NUMBER: _ClassVar[int]
    REORDER_POINT_FIELD_NUMBER: _ClassVar[int]
    ORDER_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_METHOD_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    NEEDS_ORDER_FIELD_NUMBER: _ClassVar[int]
    DRIVERS_FIELD_NUMBER: _ClassVar[int]
    sku: str
    product_name: str
    stock: _agent_types_pb2.StockPosition
    demand: _agent_types_pb2.DemandRate
    supplier_id: str
    lead_time_days: int
    safety_stock: int
    reorder_point: int
    order_quantity: int
    quantity_method: OrderQuantityMethod
    order_by: _timestamp_pb2.Timestamp
    needs_order: bool
    drivers: _containers.RepeatedCompositeFieldContainer[_explanation_pb2.Driver]
    def __init__(self, sku: _Optional[str] = ..., product_name: _Optional[str] = ..., stock: _Optional[_Union[_agent_types_pb2.StockPosition, _Mapping]] = ..., demand: _Optional[_Union[_agent_types_pb2.DemandRate, _Mapping]] = ..., supplier_id: _Optional[str] = ..., lead_time_days: _Optional[int] = ..., safety_stock: _Optional[int] = ..., reorder_point: _Optional[int] = ..., order_quantity: _Optional[int] = ..., quantity_method: _Optional[_Union[OrderQuantityMethod, str]] = ..., order_by: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., needs_order: _Optional[bool] = ..., drivers: _Optional[_Iterable[_Union[_explanation_pb2.Driver, _Mapping]]] = ...) -> None: ...
