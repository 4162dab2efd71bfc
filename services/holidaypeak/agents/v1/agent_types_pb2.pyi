import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from holidaypeak.agents.v1 import explanation_pb2 as _explanation_pb2
from holidaypeak.commerce.v1 import order_pb2 as _order_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Severity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEVERITY_UNSPECIFIED: _ClassVar[Severity]
    SEVERITY_INFO: _ClassVar[Severity]
    SEVERITY_LOW: _ClassVar[Severity]
    SEVERITY_MEDIUM: _ClassVar[Severity]
    SEVERITY_HIGH: _ClassVar[Severity]
    SEVERITY_CRITICAL: _ClassVar[Severity]

class RiskLevel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RISK_LEVEL_UNSPECIFIED: _ClassVar[RiskLevel]
    RISK_LEVEL_LOW: _ClassVar[RiskLevel]
    RISK_LEVEL_MEDIUM: _ClassVar[RiskLevel]
    RISK_LEVEL_HIGH: _ClassVar[RiskLevel]
SEVERITY_UNSPECIFIED: Severity
SEVERITY_INFO: Severity
SEVERITY_LOW: Severity
SEVERITY_MEDIUM: Severity
SEVERITY_HIGH: Severity
SEVERITY_CRITICAL: Severity
RISK_LEVEL_UNSPECIFIED: RiskLevel
RISK_LEVEL_LOW: RiskLevel
RISK_LEVEL_MEDIUM: RiskLevel
RISK_LEVEL_HIGH: RiskLevel

class Money(_message.Message):
    __slots__ = ("currency_code", "amount_minor", "amount")
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    currency_code: str
    amount_minor: int
    amount: float
    def __init__(self, currency_code: _Optional[str] = ..., amount_minor: _Optional[int] = ..., amount: _Optional[float] = ...) -> None: ...

class TimeWindow(_message.Message):
    __slots__ = ("start_time", "end_time")
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ProductRef(_message.Message):
    __slots__ = ("product_id", "name", "category_id", "brand", "image_url", "price", "in_stock")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_ID_FIELD_NUMBER: _ClassVar[int]
    BRAND_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    IN_STOCK_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    name: str
    category_id: str
    brand: str
    image_url: str
    price: Money
    in_stock: bool
    def __init__(self, product_id: _Optional[str] = ..., name: _Optional[str] = ..., category_id: _Optional[str] = ..., brand: _Optional[str] = ..., image_url: _Optional[str] = ..., price: _Optional[_Union[Money, _Mapping]] = ..., in_stock: _Optional[bool] = ...) -> None: ...

class ProductAssociation(_message.Message):
    __slots__ = ("co_occurrences", "orders_considered", "support", "confidence", "lift")
    CO_OCCURRENCES_FIELD_NUMBER: _ClassVar[int]
    ORDERS_CONSIDERED_FIELD_NUMBER: _ClassVar[int]
    SUPPORT_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    LIFT_FIELD_NUMBER: _ClassVar[int]
    co_occurrences: int
    orders_considered: int
    support: float
    confidence: float
    lift: float
    def __init__(self, co_occurrences: _Optional[int] = ..., orders_considered: _Optional[int] = ..., support: _Optional[float] = ..., confidence: _Optional[float] = ..., lift: _Optional[float] = ...) -> None: ...

class ProductSuggestion(_message.Message):
    __slots__ = ("product", "score", "reason", "association", "drivers")
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ASSOCIATION_FIELD_NUMBER: _ClassVar[int]
    DRIVERS_FIELD_NUMBER: _ClassVar[int]
    product: ProductRef
    score: float
    reason: str
    association: ProductAssociation
    drivers: _containers.RepeatedCompositeFieldContainer[_explanation_pb2.Driver]
    def __init__(self, product: _Optional[_Union[ProductRef, _Mapping]] = ..., score: _Optional[float] = ..., reason: _Optional[str] = ..., association: _Optional[_Union[ProductAssociation, _Mapping]] = ..., drivers: _Optional[_Iterable[_Union[_explanation_pb2.Driver, _Mapping]]] = ...) -> None: ...

class SuggestedAction(_message.Message):
    __slots__ = ("code", "description", "priority", "target_id")
    CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    TARGET_ID_FIELD_NUMBER: _ClassVar[int]
    code: str
    description: str
    priority: int
    target_id: str
    def __init__(self, code: _Optional[str] = ..., description: _Optional[str] = ..., priority: _Optional[int] = ..., target_id: _Optional[str] = ...) -> None: ...

class DeliveryEstimate(_message.Message):
    __slots__ = ("estimated_delivery_at", "window", "confidence", "at_risk")
    ESTIMATED_DELIVERY_AT_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    AT_RISK_FIELD_NUMBER: _ClassVar[int]
    estimated_delivery_at: _timestamp_pb2.Timestamp
    window: TimeWindow
    confidence: float
    at_risk: bool
    def __init__(self, estimated_delivery_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window: _Optional[_Union[TimeWindow, _Mapping]] = ..., confidence: _Optional[float] = ..., at_risk: _Optional[bool] = ...) -> None: ...

class DemandRate(_message.Message):
    __slots__ = ("units_per_day", "stddev_units_per_day", "window_days", "orders")
    UNITS_PER_DAY_FIELD_NUMBER: _ClassVar[int]
    STDDEV_UNITS_PER_DAY_FIELD_NUMBER: _ClassVar[int]
    WINDOW_DAYS_FIELD_NUMBER: _ClassVar[int]
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    units_per_day: float
    stddev_units_per_day: float
    window_days: int
    orders: int
    def __init__(self, units_per_day: _Optional[float] = ..., stddev_units_per_day: _Optional[float] = ..., window_days: _Optional[int] = ..., orders: _Optional[int] = ...) -> None: ...

class StockPosition(_message.Message):
    __slots__ = ("sku", "quantity_on_hand", "quantity_reserved", "quantity_available", "safety_stock", "reorder_point")
    SKU_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_ON_HAND_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_RESERVED_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    SAFETY_STOCK_FIELD_NUMBER: _ClassVar[int]
    REORDER_POINT_FIELD_NUMBER: _ClassVar[int]
    sku: str
    quantity_on_hand: int
    quantity_reserved: int
    quantity_available: int
    safety_stock: int
    reorder_point: int
    def __init__(self, sku: _Optional[str] = ..., quantity_on_hand: _Optional[int] = ..., quantity_reserved: _Optional[int] = ..., quantity_available: _Optional[int] = ..., safety_stock: _Optional[int] = ..., reorder_point: _Optional[int] = ...) -> None: ...

class OrderSummary(_message.Message):
    __slots__ = ("order_id", "status", "total", "item_count", "placed_at")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    ITEM_COUNT_FIELD_NUMBER: _ClassVar[int]
    PLACED_AT_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    status: _order_pb2.OrderStatus
    total: Money
    item_count: int
    placed_at: _timestamp_pb2.Timestamp
    def __init__(self, order_id: _Optional[str] = ..., status: _Optional[_Union[_order_pb2.OrderStatus, str]] = ..., total: _Optional[_Union[Money, _Mapping]] = ..., item_count: _Optional[int] = ..., placed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ProductDraft(_message.Message):
    __slots__ = ("title", "brand", "description", "category_id", "tags", "price", "image_url", "attributes")
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TITLE_FIELD_NUMBER: _ClassVar[int]
    BRAND_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_ID_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    title: str
    brand: str
    description: str
    category_id: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    price: Money
    image_url: str
    attributes: _containers.ScalarMap[str, str]
    def __init__(self, title: _Optional[str] = ..., brand: _Optional[str] = ..., description: _Optional[str] = ..., category_id: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., price: _Optional[_Union[Money, _Mapping]] = ..., image_url: _Optional[str] = ..., attributes: _Optional[_Mapping[str, str]] = ...) -> None: ...

class CompletenessScore(_message.Message):
    __slots__ = ("score", "missing_fields", "components")
    SCORE_FIELD_NUMBER: _ClassVar[int]
    MISSING_FIELDS_FIELD_NUMBER: _ClassVar[int]
    COMPONENTS_FIELD_NUMBER: _ClassVar[int]
    score: float
    missing_fields: _containers.RepeatedScalarFieldContainer[str]
    components: _containers.RepeatedCompositeFieldContainer[_explanation_pb2.Driver]
    def __init__(self, score: _Optional[float] = ..., missing_fields: _Optional[_Iterable[str]] = ..., components: _Optional[_Iterable[_Union[_explanation_pb2.Driver, _Mapping]]] = ...) -> None: ...

class CategoryPrediction(_message.Message):
    __slots__ = ("category_id", "category_name", "confidence")
    CATEGORY_ID_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_NAME_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    category_id: str
    category_name: str
    confidence: float
    def __init__(self, category_id: _Optional[str] = ..., category_name: _Optional[str] = ..., confidence: _Optional[float] = ...) -> None: ...
