import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from holidaypeak.agents.v1 import agent_types_pb2 as _agent_types_pb2
from holidaypeak.agents.v1 import explanation_pb2 as _explanation_pb2
from holidaypeak.common.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetProfileRequest(_message.Message):
    __slots__ = ("user_id", "recent_orders_limit")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    RECENT_ORDERS_LIMIT_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    recent_orders_limit: int
    def __init__(self, user_id: _Optional[str] = ..., recent_orders_limit: _Optional[int] = ...) -> None: ...

class GetProfileResponse(_message.Message):
    __slots__ = ("user_id", "name", "email", "customer_since", "order_count", "lifetime_value", "average_order_value", "last_order_at", "days_since_last_order", "favourite_categories", "return_rate", "open_tickets", "engagement_score", "recent_orders", "explanation")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_SINCE_FIELD_NUMBER: _ClassVar[int]
    ORDER_COUNT_FIELD_NUMBER: _ClassVar[int]
    LIFETIME_VALUE_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_ORDER_VALUE_FIELD_NUMBER: _ClassVar[int]
    LAST_ORDER_AT_FIELD_NUMBER: _ClassVar[int]
    DAYS_SINCE_LAST_ORDER_FIELD_NUMBER: _ClassVar[int]
    FAVOURITE_CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    RETURN_RATE_FIELD_NUMBER: _ClassVar[int]
    OPEN_TICKETS_FIELD_NUMBER: _ClassVar[int]
    ENGAGEMENT_SCORE_FIELD_NUMBER: _ClassVar[int]
    RECENT_ORDERS_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    name: str
    email: str
    customer_since: _timestamp_pb2.Timestamp
    order_count: int
    lifetime_value: _agent_types_pb2.Money
    average_order_value: _agent_types_pb2.Money
    last_order_at: _timestamp_pb2.Timestamp
    days_since_last_order: int
    favourite_categories: _containers.RepeatedCompositeFieldContainer[CategoryAffinity]
    return_rate: float
    open_tickets: int
    engagement_score: float
    recent_orders: _containers.RepeatedCompositeFieldContainer[_agent_types_pb2.OrderSummary]
    explanation: _explanation_pb2.Explanation
    def __init__(self, user_id: _Optional[str] = ..., name: _Optional[str] = ..., email: _Optional[str] = ..., customer_since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., order_count: _Optional[int] = ..., lifetime_value: _Optional[_Union[_agent_types_pb2.Money, _Mapping]] = ..., average_order_value: _Optional[_Union[_agent_types_pb2.Money, _Mapping]] = ..., last_order_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., days_since_last_order: _Optional[int] = ..., favourite_categories: _Optional[_Iterable[_Union[CategoryAffinity, _Mapping]]] = ..., return_rate: _Optional[float] = ..., open_tickets: _Optional[int] = ..., engagement_score: _Optional[float] = ..., recent_orders: _Optional[_Iterable[_Union[_agent_types_pb2.OrderSummary, _Mapping]]] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...

class CategoryAffinity(_message.Message):
    __slots__ = ("category_id", "category_name", "units", "share")
    CATEGORY_ID_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_NAME_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    SHARE_FIELD_NUMBER: _ClassVar[int]
    category_id: str
    category_name: str
    units: int
    share: float
    def __init__(self, category_id: _Optional[str] = ..., category_name: _Optional[str] = ..., units: _Optional[int] = ..., share: _Optional[float] = ...) -> None: ...
