import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Granularity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GRANULARITY_UNSPECIFIED: _ClassVar[Granularity]
    GRANULARITY_DAY: _ClassVar[Granularity]
    GRANULARITY_WEEK: _ClassVar[Granularity]
    GRANULARITY_MONTH: _ClassVar[Granularity]
GRANULARITY_UNSPECIFIED: Granularity
GRANULARITY_DAY: Granularity
GRANULARITY_WEEK: Granularity
GRANULARITY_MONTH: Granularity

class TopProduct(_message.Message):
    __slots__ = ("product_id", "name", "units", "revenue")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    REVENUE_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    name: str
    units: int
    revenue: float
    def __init__(self, product_id: _Optional[str] = ..., name: _Optional[str] = ..., units: _Optional[int] = ..., revenue: _Optional[float] = ...) -> None: ...

class SalesPoint(_message.Message):
    __slots__ = ("period_start_at", "period_end_at", "revenue", "orders", "refunds", "net_revenue", "units")
    PERIOD_START_AT_FIELD_NUMBER: _ClassVar[int]
    PERIOD_END_AT_FIELD_NUMBER: _ClassVar[int]
    REVENUE_FIELD_NUMBER: _ClassVar[int]
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    REFUNDS_FIELD_NUMBER: _ClassVar[int]
    NET_REVENUE_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    period_start_at: _timestamp_pb2.Timestamp
    period_end_at: _timestamp_pb2.Timestamp
    revenue: float
    orders: int
    refunds: float
    net_revenue: float
    units: int
    def __init__(self, period_start_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., period_end_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., revenue: _Optional[float] = ..., orders: _Optional[int] = ..., refunds: _Optional[float] = ..., net_revenue: _Optional[float] = ..., units: _Optional[int] = ...) -> None: ...

class CategorySales(_message.Message):
    __slots__ = ("category_id", "name", "revenue", "orders", "units", "revenue_share")
    CATEGORY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REVENUE_FIELD_NUMBER: _ClassVar[int]
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    REVENUE_SHARE_FIELD_NUMBER: _ClassVar[int]
    category_id: str
    name: str
    revenue: float
    orders: int
    units: int
    revenue_share: float
    def __init__(self, category_id: _Optional[str] = ..., name: _Optional[str] = ..., revenue: _Optional[float] = ..., orders: _Optional[int] = ..., units: _Optional[int] = ..., revenue_share: _Optional[float] = ...) -> None: ...
