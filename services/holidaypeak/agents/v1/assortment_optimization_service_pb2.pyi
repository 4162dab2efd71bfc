from google.api import annotations_pb2 as _annotations_pb2
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

class AssortmentAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ASSORTMENT_ACTION_UNSPECIFIED: _ClassVar[AssortmentAction]
    ASSORTMENT_ACTION_KEEP: _ClassVar[AssortmentAction]
    ASSORTMENT_ACTION_DROP: _ClassVar[AssortmentAction]
    ASSORTMENT_ACTION_PROMOTE: _ClassVar[AssortmentAction]
ASSORTMENT_ACTION_UNSPECIFIED: AssortmentAction
ASSORTMENT_ACTION_KEEP: AssortmentAction
ASSORTMENT_ACTION_DROP: AssortmentAction
ASSORTMENT_ACTION_PROMOTE: AssortmentAction

class RecommendAssortmentRequest(_message.Message):
    __slots__ = ("category_id", "max_products", "budget", "window_days", "promote_share")
    CATEGORY_ID_FIELD_NUMBER: _ClassVar[int]
    MAX_PRODUCTS_FIELD_NUMBER: _ClassVar[int]
    BUDGET_FIELD_NUMBER: _ClassVar[int]
    WINDOW_DAYS_FIELD_NUMBER: _ClassVar[int]
    PROMOTE_SHARE_FIELD_NUMBER: _ClassVar[int]
    category_id: str
    max_products: int
    budget: _agent_types_pb2.Money
    window_days: int
    promote_share: float
    def __init__(self, category_id: _Optional[str] = ..., max_products: _Optional[int] = ..., budget: _Optional[_Union[_agent_types_pb2.Money, _Mapping]] = ..., window_days: _Optional[int] = ..., promote_share: _Optional[float] = ...) -> None: ...

class RecommendAssortmentResponse(_message.Message):
    __slots__ = ("decisions", "kept", "dropped", "total_score", "total_cost", "exact", "explanation")
    DECISIONS_FIELD_NUMBER: _ClassVar[int]
    KEPT_FIELD_NUMBER: _ClassVar[int]
    DROPPED_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SCORE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_COST_FIELD_NUMBER: _ClassVar[int]
    EXACT_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    decisions: _containers.RepeatedCompositeFieldContainer[AssortmentDecision]
    kept: int
    dropped: int
    total_score: float
    total_cost: _agent_types_pb2.Money
    exact: bool
    explanation: _explanation_pb2.Explanation
    def __init__(self, decisions: _Optional[_Iterable[_Union[AssortmentDecision, _Mapping]]] = ..., kept: _Optional[int] = ..., dropped: _Optional[int] = ..., total_score: _Optional[float] = ..., total_cost: _Optional[_Union[_agent_types_pb2.Money, _Mapping]] = ..., exact: _Optional[bool] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...

class AssortmentDecision(_message.Message):
    __slots__ = ("product", "action", "score", "sales_velocity", "margin", "rating", "stock_turn", "inventory_cost", "drivers")
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    SALES_VELOCITY_FIELD_NUMBER: _ClassVar[int]
    MARGIN_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    STOCK_TURN_FIELD_NUMBER: _ClassVar[int]
    INVENTORY_COST_FIELD_NUMBER: _ClassVar[int]
    DRIVERS_FIELD_NUMBER: _ClassVar[int]
    product: _agent_types_pb2.ProductRef
    action: AssortmentAction
    score: float
    sales_velocity: float
    margin: float
    rating: float
    stock_turn: float
    inventory_cost: _agent_types_pb2.Money
    drivers: _containers.RepeatedCompositeFieldContainer[_explanation_pb2.Driver]
    def __init__(self, product: _Optional[_Union[_agent_types_pb2.ProductRef, _Mapping]] = ..., action: _Optional[_Union[AssortmentAction, str]] = ..., score: _Optional[float] = ..., sales_velocity: _Optional[float] = ..., margin: _Optional[float] = ..., rating: _Optional[float] = ..., stock_turn: _Optional[float] = ..., inventory_cost: _Optional[_Union[_agent_types_pb2.Money, _Mapping]] = ..., drivers: _Optional[_Iterable[_Union[_explanation_pb2.Driver, _Mapping]]] = ...) -> None: ...
