import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from holidaypeak.agents.v1 import agent_types_pb2 as _agent_types_pb2
from holidaypeak.agents.v1 import explanation_pb2 as _explanation_pb2
from holidaypeak.commerce.v1 import order_pb2 as _order_pb2
from holidaypeak.common.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TimelineSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TIMELINE_SOURCE_UNSPECIFIED: _ClassVar[TimelineSource]
    TIMELINE_SOURCE_ORDER: _ClassVar[TimelineSource]
    TIMELINE_SOURCE_PAYMENT: _ClassVar[TimelineSource]
    TIMELINE_SOURCE_SHIPMENT: _ClassVar[TimelineSource]
    TIMELINE_SOURCE_RETURN: _ClassVar[TimelineSource]

class TimelineActor(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TIMELINE_ACTOR_UNSPECIFIED: _ClassVar[TimelineActor]
    TIMELINE_ACTOR_CUSTOMER: _ClassVar[TimelineActor]
    TIMELINE_ACTOR_STAFF: _ClassVar[TimelineActor]
    TIMELINE_ACTOR_SYSTEM: _ClassVar[TimelineActor]
    TIMELINE_ACTOR_CARRIER: _ClassVar[TimelineActor]
TIMELINE_SOURCE_UNSPECIFIED: TimelineSource
TIMELINE_SOURCE_ORDER: TimelineSource
TIMELINE_SOURCE_PAYMENT: TimelineSource
TIMELINE_SOURCE_SHIPMENT: TimelineSource
TIMELINE_SOURCE_RETURN: TimelineSource
TIMELINE_ACTOR_UNSPECIFIED: TimelineActor
TIMELINE_ACTOR_CUSTOMER: TimelineActor
TIMELINE_ACTOR_STAFF: TimelineActor
TIMELINE_ACTOR_SYSTEM: TimelineActor
TIMELINE_ACTOR_CARRIER: TimelineActor

class GetOrderStatusRequest(_message.Message):
    __slots__ = ("order_id",)
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    def __init__(self, order_id: _Optional[str] = ...) -> None: ...

class GetOrderStatusResponse(_message.Message):
    __slots__ = ("order_id", "status", "payment_status", "headline", "timeline", "next_step", "eta", "explanation", "eta_skipped", "last_known_eta")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_STATUS_FIELD_NUMBER: _ClassVar[int]
    HEADLINE_FIELD_NUMBER: _ClassVar[int]
    TIMELINE_FIELD_NUMBER: _ClassVar[int]
    NEXT_STEP_FIELD_NUMBER: _ClassVar[int]
    ETA_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    ETA_SKIPPED_FIELD_NUMBER: _ClassVar[int]
    LAST_KNOWN_ETA_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    status: _order_pb2.OrderStatus
    payment_status: _order_pb2.OrderPaymentStatus
    headline: str
    timeline: _containers.RepeatedCompositeFieldContainer[TimelineEntry]
    next_step: _agent_types_pb2.SuggestedAction
    eta: _agent_types_pb2.DeliveryEstimate
    explanation: _explanation_pb2.Explanation
    eta_skipped: str
    last_known_eta: RememberedEta
    def __init__(self, order_id: _Optional[str] = ..., status: _Optional[_Union[_order_pb2.OrderStatus, str]] = ..., payment_status: _Optional[_Union[_order_pb2.OrderPaymentStatus, str]] = ..., headline: _Optional[str] = ..., timeline: _Optional[_Iterable[_Union[TimelineEntry, _Mapping]]] = ..., next_step: _Optional[_Union[_agent_types_pb2.SuggestedAction, _Mapping]] = ..., eta: _Optional[_Union[_agent_types_pb2.DeliveryEstimate, _Mapping]] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ..., eta_skipped: _Optional[str] = ..., last_known_eta: _Optional[_Union[RememberedEta, _Mapping]] = ...) -> None: ...

class RememberedEta(_message.Message):
    __slots__ = ("estimate", "computed_at", "age_seconds", "shipment_id")
    ESTIMATE_FIELD_NUMBER: _ClassVar[int]
    COMPUTED_AT_FIELD_NUMBER: _ClassVar[int]
    AGE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    SHIPMENT_ID_FIELD_NUMBER: _ClassVar[int]
    estimate: _agent_types_pb2.DeliveryEstimate
    computed_at: _timestamp_pb2.Timestamp
    age_seconds: int
    shipment_id: str
    def __init__(self, estimate: _Optional[_Union[_agent_types_pb2.DeliveryEstimate, _Mapping]] = ..., computed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., age_seconds: _Optional[int] = ..., shipment_id: _Optional[str] = ...) -> None: ...

class TimelineEntry(_message.Message):
    __slots__ = ("occurred_at", "source", "event_type", "summary", "actor", "reference_id")
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_ID_FIELD_NUMBER: _ClassVar[int]
    occurred_at: _timestamp_pb2.Timestamp
    source: TimelineSource
    event_type: str
    summary: str
    actor: TimelineActor
    reference_id: str
    def __init__(self, occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., source: _Optional[_Union[TimelineSource, str]] = ..., event_type: _Optional[str] = ..., summary: _Optional[str] = ..., actor: _Optional[_Union[TimelineActor, str]] = ..., reference_id: _Optional[str] = ...) -> None: ...
