import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from holidaypeak.commerce.v1 import analytics_pb2 as _analytics_pb2
from holidaypeak.common.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetSalesSummaryRequest(_message.Message):
    __slots__ = ("from_date", "to_date", "top_products_limit")
    FROM_DATE_FIELD_NUMBER: _ClassVar[int]
    TO_DATE_FIELD_NUMBER: _ClassVar[int]
    TOP_PRODUCTS_LIMIT_FIELD_NUMBER: _ClassVar[int]
    from_date: str
    to_date: str
    top_products_limit: int
    def __init__(self, from_date: _Optional[str] = ..., to_date: _Optional[str] = ..., top_products_limit: _Optional[int] = ...) -> None: ...

class GetSalesSummaryResponse(_message.Message):
    __slots__ = ("total_revenue", "total_orders", "average_order_value", "top_products", "currency_code", "refunds_total", "net_revenue", "window_start_at", "window_end_at", "computed_at")
    TOTAL_REVENUE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_ORDERS_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_ORDER_VALUE_FIELD_NUMBER: _ClassVar[int]
    TOP_PRODUCTS_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    REFUNDS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    NET_REVENUE_FIELD_NUMBER: _ClassVar[int]
    WINDOW_START_AT_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_AT_FIELD_NUMBER: _ClassVar[int]
    COMPUTED_AT_FIELD_NUMBER: _ClassVar[int]
    total_revenue: float
    total_orders: int
    average_order_value: float
    top_products: _containers.RepeatedCompositeFieldContainer[_analytics_pb2.TopProduct]
    currency_code: str
    refunds_total: float
    net_revenue: float
    window_start_at: _timestamp_pb2.Timestamp
    window_end_at: _timestamp_pb2.Timestamp
    computed_at: _timestamp_pb2.Timestamp
    def __init__(self, total_revenue: _Optional[float] = ..., total_orders: _Optional[int] = ..., average_order_value: _Optional[float] = ..., top_products: _Optional[_Iterable[_Union[_analytics_pb2.TopProduct, _Mapping]]] = ..., currency_code: _Optional[str] = ..., refunds_total: _Optional[float] = ..., net_revenue: _Optional[float] = ..., window_start_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_end_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., computed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetSalesTimeseriesRequest(_message.Message):
    __slots__ = ("granularity", "from_date", "to_date")
    GRANULARITY_FIELD_NUMBER: _ClassVar[int]
    FROM_DATE_FIELD_NUMBER: _ClassVar[int]
    TO_DATE_FIELD_NUMBER: _ClassVar[int]
    granularity: _analytics_pb2.Granularity
    from_date: str
    to_date: str
    def __init__(self, granularity: _Optional[_Union[_analytics_pb2.Granularity, str]] = ..., from_date: _Optional[str] = ..., to_date: _Optional[str] = ...) -> None: ...

class GetSalesTimeseriesResponse(_message.Message):
    __slots__ = ("granularity", "points", "currency_code", "window_start_at", "window_end_at", "computed_at")
    GRANULARITY_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    WINDOW_START_AT_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_AT_FIELD_NUMBER: _ClassVar[int]
    COMPUTED_AT_FIELD_NUMBER: _ClassVar[int]
    granularity: _analytics_pb2.Granularity
    points: _containers.RepeatedCompositeFieldContainer[_analytics_pb2.SalesPoint]
    currency_code: str
    window_start_at: _timestamp_pb2.Timestamp
    window_end_at: _timestamp_pb2.Timestamp
    computed_at: _timestamp_pb2.Timestamp
    def __init__(self, granularity: _Optional[_Union[_analytics_pb2.Granularity, str]] = ..., points: _Optional[_Iterable[_Union[_analytics_pb2.SalesPoint, _Mapping]]] = ..., currency_code: _Optional[str] = ..., window_start_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_end_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., computed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetCategorySalesRequest(_message.Message):
    __slots__ = ("from_date", "to_date")
    FROM_DATE_FIELD_NUMBER: _ClassVar[int]
    TO_DATE_FIELD_NUMBER: _ClassVar[int]
    from_date: str
    to_date: str
    def __init__(self, from_date: _Optional[str] = ..., to_date: _Optional[str] = ...) -> None: ...

class GetCategorySalesResponse(_message.Message):
    __slots__ = ("categories", "total_revenue", "currency_code", "window_start_at", "window_end_at", "computed_at")
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_REVENUE_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    WINDOW_START_AT_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_AT_FIELD_NUMBER: _ClassVar[int]
    COMPUTED_AT_FIELD_NUMBER: _ClassVar[int]
    categories: _containers.RepeatedCompositeFieldContainer[_analytics_pb2.CategorySales]
    total_revenue: float
    currency_code: str
    window_start_at: _timestamp_pb2.Timestamp
    window_end_at: _timestamp_pb2.Timestamp
    computed_at: _timestamp_pb2.Timestamp
    def __init__(self, categories: _Optional[_Iterable[_Union[_analytics_pb2.CategorySales, _Mapping]]] = ..., total_revenue: _Optional[float] = ..., currency_code: _Optional[str] = ..., window_start_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_end_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., computed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
