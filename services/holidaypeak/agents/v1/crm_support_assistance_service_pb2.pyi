import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from holidaypeak.agents.v1 import agent_types_pb2 as _agent_types_pb2
from holidaypeak.agents.v1 import explanation_pb2 as _explanation_pb2
from holidaypeak.commerce.v1 import return_pb2 as _return_pb2
from holidaypeak.commerce.v1 import shipment_pb2 as _shipment_pb2
from holidaypeak.commerce.v1 import ticket_pb2 as _ticket_pb2
from holidaypeak.common.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SentimentLabel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SENTIMENT_LABEL_UNSPECIFIED: _ClassVar[SentimentLabel]
    SENTIMENT_LABEL_NEGATIVE: _ClassVar[SentimentLabel]
    SENTIMENT_LABEL_NEUTRAL: _ClassVar[SentimentLabel]
    SENTIMENT_LABEL_POSITIVE: _ClassVar[SentimentLabel]
SENTIMENT_LABEL_UNSPECIFIED: SentimentLabel
SENTIMENT_LABEL_NEGATIVE: SentimentLabel
SENTIMENT_LABEL_NEUTRAL: SentimentLabel
SENTIMENT_LABEL_POSITIVE: SentimentLabel

class SupportBriefRequest(_message.Message):
    __slots__ = ("ticket_id",)
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    def __init__(self, ticket_id: _Optional[str] = ...) -> None: ...

class SupportBriefResponse(_message.Message):
    __slots__ = ("ticket_id", "user_id", "context", "sentiment", "current_priority", "suggested_priority", "next_best_actions", "reply_draft", "explanation")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    SENTIMENT_FIELD_NUMBER: _ClassVar[int]
    CURRENT_PRIORITY_FIELD_NUMBER: _ClassVar[int]
    SUGGESTED_PRIORITY_FIELD_NUMBER: _ClassVar[int]
    NEXT_BEST_ACTIONS_FIELD_NUMBER: _ClassVar[int]
    REPLY_DRAFT_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    user_id: str
    context: CustomerContext
    sentiment: Sentiment
    current_priority: _ticket_pb2.TicketPriority
    suggested_priority: _ticket_pb2.TicketPriority
    next_best_actions: _containers.RepeatedCompositeFieldContainer[_agent_types_pb2.SuggestedAction]
    reply_draft: ReplyDraft
    explanation: _explanation_pb2.Explanation
    def __init__(self, ticket_id: _Optional[str] = ..., user_id: _Optional[str] = ..., context: _Optional[_Union[CustomerContext, _Mapping]] = ..., sentiment: _Optional[_Union[Sentiment, _Mapping]] = ..., current_priority: _Optional[_Union[_ticket_pb2.TicketPriority, str]] = ..., suggested_priority: _Optional[_Union[_ticket_pb2.TicketPriority, str]] = ..., next_best_actions: _Optional[_Iterable[_Union[_agent_types_pb2.SuggestedAction, _Mapping]]] = ..., reply_draft: _Optional[_Union[ReplyDraft, _Mapping]] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...

class CustomerContext(_message.Message):
    __slots__ = ("orders", "shipments", "returns", "other_open_tickets", "lifetime_value")
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    SHIPMENTS_FIELD_NUMBER: _ClassVar[int]
    RETURNS_FIELD_NUMBER: _ClassVar[int]
    OTHER_OPEN_TICKETS_FIELD_NUMBER: _ClassVar[int]
    LIFETIME_VALUE_FIELD_NUMBER: _ClassVar[int]
    orders: _containers.RepeatedCompositeFieldContainer[_agent_types_pb2.OrderSummary]
    shipments: _containers.RepeatedCompositeFieldContainer[ShipmentSummary]
    returns: _containers.RepeatedCompositeFieldContainer[ReturnSummary]
    other_open_tickets: int
    lifetime_value: _agent_types_pb2.Money
    def __init__(self, orders: _Optional[_Iterable[_Union[_agent_types_pb2.OrderSummary, _Mapping]]] = ..., shipments: _Optional[_Iterable[_Union[ShipmentSummary, _Mapping]]] = ..., returns: _Optional[_Iterable[_Union[ReturnSummary, _Mapping]]] = ..., other_open_tickets: _Optional[int] = ..., lifetime_value: _Optional[_Union[_agent_types_pb2.Money, _Mapping]] = ...) -> None: ...

class ShipmentSummary(_message.Message):
    __slots__ = ("shipment_id", "order_id", "status", "carrier", "estimated_delivery_at", "last_event_at")
    SHIPMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_DELIVERY_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_EVENT_AT_FIELD_NUMBER: _ClassVar[int]
    shipment_id: str
    order_id: str
    status: _shipment_pb2.ShipmentStatus
    carrier: str
    estimated_delivery_at: _timestamp_pb2.Timestamp
    last_event_at: _timestamp_pb2.Timestamp
    def __init__(self, shipment_id: _Optional[str] = ..., order_id: _Optional[str] = ..., status: _Optional[_Union[_shipment_pb2.ShipmentStatus, str]] = ..., carrier: _Optional[str] = ..., estimated_delivery_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_event_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ReturnSummary(_message.Message):
    __slots__ = ("return_id", "order_id", "status", "reason", "requested_at")
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_AT_FIELD_NUMBER: _ClassVar[int]
    return_id: str
    order_id: str
    status: _return_pb2.ReturnStatus
    reason: _return_pb2.ReturnReason
    requested_at: _timestamp_pb2.Timestamp
    def __init__(self, return_id: _Optional[str] = ..., order_id: _Optional[str] = ..., status: _Optional[_Union[_return_pb2.ReturnStatus, str]] = ..., reason: _Optional[_Union[_return_pb2.ReturnReason, str]] = ..., requested_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Sentiment(_message.Message):
    __slots__ = ("label", "compound", "positive", "neutral", "negative")
    LABEL_FIELD_NUMBER: _ClassVar[int]
    COMPOUND_FIELD_NUMBER: _ClassVar[int]
    POSITIVE_FIELD_NUMBER: _ClassVar[int]
    NEUTRAL_FIELD_NUMBER: _ClassVar[int]
    NEGATIVE_FIELD_NUMBER: _ClassVar[int]
    label: SentimentLabel
    compound: float
    positive: float
    neutral: float
    negative: float
    def __init__(self, label: _Optional[_Union[SentimentLabel, str]] = ..., compound: _Optional[float] = ..., positive: _Optional[float] = ..., neutral: _Optional[float] = ..., negative: _Optional[float] = ...) -> None: ...

class ReplyDraft(_message.Message):
    __slots__ = ("template_id", "body")
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    template_id: str
    body: str
    def __init__(self, template_id: _Optional[str] = ..., body: _Optional[str] = ...) -> None: ...
