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

class BudgetAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BUDGET_ACTION_UNSPECIFIED: _ClassVar[BudgetAction]
    BUDGET_ACTION_INCREASE: _ClassVar[BudgetAction]
    BUDGET_ACTION_KEEP: _ClassVar[BudgetAction]
    BUDGET_ACTION_DECREASE: _ClassVar[BudgetAction]
    BUDGET_ACTION_STOP: _ClassVar[BudgetAction]
BUDGET_ACTION_UNSPECIFIED: BudgetAction
BUDGET_ACTION_INCREASE: BudgetAction
BUDGET_ACTION_KEEP: BudgetAction
BUDGET_ACTION_DECREASE: BudgetAction
BUDGET_ACTION_STOP: BudgetAction

class CampaignPerformanceRequest(_message.Message):
    __slots__ = ("campaign_codes", "window")
    CAMPAIGN_CODES_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    campaign_codes: _containers.RepeatedScalarFieldContainer[str]
    window: _agent_types_pb2.TimeWindow
    def __init__(self, campaign_codes: _Optional[_Iterable[str]] = ..., window: _Optional[_Union[_agent_types_pb2.TimeWindow, _Mapping]] = ...) -> None: ...

class CampaignPerformanceResponse(_message.Message):
    __slots__ = ("campaigns", "unattributed_revenue", "explanation")
    CAMPAIGNS_FIELD_NUMBER: _ClassVar[int]
    UNATTRIBUTED_REVENUE_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    campaigns: _containers.RepeatedCompositeFieldContainer[CampaignReport]
    unattributed_revenue: _agent_types_pb2.Money
    explanation: _explanation_pb2.Explanation
    def __init__(self, campaigns: _Optional[_Iterable[_Union[CampaignReport, _Mapping]]] = ..., unattributed_revenue: _Optional[_Union[_agent_types_pb2.Money, _Mapping]] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...

class CampaignReport(_message.Message):
    __slots__ = ("campaign_code", "funnel", "attributed_revenue", "spend", "roi", "advice", "advice_reason", "drivers")
    CAMPAIGN_CODE_FIELD_NUMBER: _ClassVar[int]
    FUNNEL_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTED_REVENUE_FIELD_NUMBER: _ClassVar[int]
    SPEND_FIELD_NUMBER: _ClassVar[int]
    ROI_FIELD_NUMBER: _ClassVar[int]
    ADVICE_FIELD_NUMBER: _ClassVar[int]
    ADVICE_REASON_FIELD_NUMBER: _ClassVar[int]
    DRIVERS_FIELD_NUMBER: _ClassVar[int]
    campaign_code: str
    funnel: CampaignFunnel
    attributed_revenue: _agent_types_pb2.Money
    spend: _agent_types_pb2.Money
    roi: float
    advice: BudgetAction
    advice_reason: str
    drivers: _containers.RepeatedCompositeFieldContainer[_explanation_pb2.Driver]
    def __init__(self, campaign_code: _Optional[str] = ..., funnel: _Optional[_Union[CampaignFunnel, _Mapping]] = ..., attributed_revenue: _Optional[_Union[_agent_types_pb2.Money, _Mapping]] = ..., spend: _Optional[_Union[_agent_types_pb2.Money, _Mapping]] = ..., roi: _Optional[float] = ..., advice: _Optional[_Union[BudgetAction, str]] = ..., advice_reason: _Optional[str] = ..., drivers: _Optional[_Iterable[_Union[_explanation_pb2.Driver, _Mapping]]] = ...) -> None: ...

class CampaignFunnel(_message.Message):
    __slots__ = ("views", "carts", "orders", "cart_to_order_rate")
    VIEWS_FIELD_NUMBER: _ClassVar[int]
    CARTS_FIELD_NUMBER: _ClassVar[int]
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    CART_TO_ORDER_RATE_FIELD_NUMBER: _ClassVar[int]
    views: int
    carts: int
    orders: int
    cart_to_order_rate: float
    def __init__(self, views: _Optional[int] = ..., carts: _Optional[int] = ..., orders: _Optional[int] = ..., cart_to_order_rate: _Optional[float] = ...) -> None: ...
