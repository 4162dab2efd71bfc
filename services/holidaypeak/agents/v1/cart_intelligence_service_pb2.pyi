import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from holidaypeak.agents.v1 import agent_types_pb2 as _agent_types_pb2
from holidaypeak.agents.v1 import explanation_pb2 as _explanation_pb2
from holidaypeak.common.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AnalyzeCartRequest(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    def __init__(self, user_id: _Optional[str] = ...) -> None: ...

class AnalyzeCartResponse(_message.Message):
    __slots__ = ("user_id", "abandonment_risk", "risk_level", "lines", "actions", "cart_age", "explanation")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ABANDONMENT_RISK_FIELD_NUMBER: _ClassVar[int]
    RISK_LEVEL_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    CART_AGE_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    abandonment_risk: float
    risk_level: _agent_types_pb2.RiskLevel
    lines: _containers.RepeatedCompositeFieldContainer[CartLineInsight]
    actions: _containers.RepeatedCompositeFieldContainer[_agent_types_pb2.SuggestedAction]
    cart_age: _duration_pb2.Duration
    explanation: _explanation_pb2.Explanation
    def __init__(self, user_id: _Optional[str] = ..., abandonment_risk: _Optional[float] = ..., risk_level: _Optional[_Union[_agent_types_pb2.RiskLevel, str]] = ..., lines: _Optional[_Iterable[_Union[CartLineInsight, _Mapping]]] = ..., actions: _Optional[_Iterable[_Union[_agent_types_pb2.SuggestedAction, _Mapping]]] = ..., cart_age: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...

class CartLineInsight(_message.Message):
    __slots__ = ("product_id", "quantity", "price_when_added", "current_price", "quantity_available", "stock_risk", "out_of_stock")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    PRICE_WHEN_ADDED_FIELD_NUMBER: _ClassVar[int]
    CURRENT_PRICE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    STOCK_RISK_FIELD_NUMBER: _ClassVar[int]
    OUT_OF_STOCK_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    quantity: int
    price_when_added: _agent_types_pb2.Money
    current_price: _agent_types_pb2.Money
    quantity_available: int
    stock_risk: float
    out_of_stock: bool
    def __init__(self, product_id: _Optional[str] = ..., quantity: _Optional[int] = ..., price_when_added: _Optional[_Union[_agent_types_pb2.Money, _Mapping]] = ..., current_price: _Optional[_Union[_agent_types_pb2.Money, _Mapping]] = ..., quantity_available: _Optional[int] = ..., stock_risk: _Optional[float] = ..., out_of_stock: _Optional[bool] = ...) -> None: ...

class CrossSellRequest(_message.Message):
    __slots__ = ("user_id", "limit")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    limit: int
    def __init__(self, user_id: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class CrossSellResponse(_message.Message):
    __slots__ = ("user_id", "products", "explanation")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCTS_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    products: _containers.RepeatedCompositeFieldContainer[_agent_types_pb2.ProductSuggestion]
    explanation: _explanation_pb2.Explanation
    def __init__(self, user_id: _Optional[str] = ..., products: _Optional[_Iterable[_Union[_agent_types_pb2.ProductSuggestion, _Mapping]]] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...
