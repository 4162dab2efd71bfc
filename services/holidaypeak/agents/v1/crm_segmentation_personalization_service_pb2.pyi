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

class CustomerSegment(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CUSTOMER_SEGMENT_UNSPECIFIED: _ClassVar[CustomerSegment]
    CUSTOMER_SEGMENT_CHAMPIONS: _ClassVar[CustomerSegment]
    CUSTOMER_SEGMENT_LOYAL: _ClassVar[CustomerSegment]
    CUSTOMER_SEGMENT_POTENTIAL_LOYALIST: _ClassVar[CustomerSegment]
    CUSTOMER_SEGMENT_NEW: _ClassVar[CustomerSegment]
    CUSTOMER_SEGMENT_AT_RISK: _ClassVar[CustomerSegment]
    CUSTOMER_SEGMENT_HIBERNATING: _ClassVar[CustomerSegment]
    CUSTOMER_SEGMENT_PROSPECT: _ClassVar[CustomerSegment]
CUSTOMER_SEGMENT_UNSPECIFIED: CustomerSegment
CUSTOMER_SEGMENT_CHAMPIONS: CustomerSegment
CUSTOMER_SEGMENT_LOYAL: CustomerSegment
CUSTOMER_SEGMENT_POTENTIAL_LOYALIST: CustomerSegment
CUSTOMER_SEGMENT_NEW: CustomerSegment
CUSTOMER_SEGMENT_AT_RISK: CustomerSegment
CUSTOMER_SEGMENT_HIBERNATING: CustomerSegment
CUSTOMER_SEGMENT_PROSPECT: CustomerSegment

class SegmentRequest(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    def __init__(self, user_id: _Optional[str] = ...) -> None: ...

class SegmentResponse(_message.Message):
    __slots__ = ("segments", "customers_scored", "run_at", "customer", "explanation")
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    CUSTOMERS_SCORED_FIELD_NUMBER: _ClassVar[int]
    RUN_AT_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    segments: _containers.RepeatedCompositeFieldContainer[SegmentSummary]
    customers_scored: int
    run_at: _timestamp_pb2.Timestamp
    customer: CustomerRfm
    explanation: _explanation_pb2.Explanation
    def __init__(self, segments: _Optional[_Iterable[_Union[SegmentSummary, _Mapping]]] = ..., customers_scored: _Optional[int] = ..., run_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., customer: _Optional[_Union[CustomerRfm, _Mapping]] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...

class SegmentSummary(_message.Message):
    __slots__ = ("segment", "size", "share", "entered", "left")
    SEGMENT_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    SHARE_FIELD_NUMBER: _ClassVar[int]
    ENTERED_FIELD_NUMBER: _ClassVar[int]
    LEFT_FIELD_NUMBER: _ClassVar[int]
    segment: CustomerSegment
    size: int
    share: float
    entered: int
    left: int
    def __init__(self, segment: _Optional[_Union[CustomerSegment, str]] = ..., size: _Optional[int] = ..., share: _Optional[float] = ..., entered: _Optional[int] = ..., left: _Optional[int] = ...) -> None: ...

class CustomerRfm(_message.Message):
    __slots__ = ("user_id", "recency_days", "frequency", "monetary", "recency_score", "frequency_score", "monetary_score", "segment", "previous_segment")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    RECENCY_DAYS_FIELD_NUMBER: _ClassVar[int]
    FREQUENCY_FIELD_NUMBER: _ClassVar[int]
    MONETARY_FIELD_NUMBER: _ClassVar[int]
    RECENCY_SCORE_FIELD_NUMBER: _ClassVar[int]
    FREQUENCY_SCORE_FIELD_NUMBER: _ClassVar[int]
    MONETARY_SCORE_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_SEGMENT_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    recency_days: int
    frequency: int
    monetary: _agent_types_pb2.Money
    recency_score: int
    frequency_score: int
    monetary_score: int
    segment: CustomerSegment
    previous_segment: CustomerSegment
    def __init__(self, user_id: _Optional[str] = ..., recency_days: _Optional[int] = ..., frequency: _Optional[int] = ..., monetary: _Optional[_Union[_agent_types_pb2.Money, _Mapping]] = ..., recency_score: _Optional[int] = ..., frequency_score: _Optional[int] = ..., monetary_score: _Optional[int] = ..., segment: _Optional[_Union[CustomerSegment, str]] = ..., previous_segment: _Optional[_Union[CustomerSegment, str]] = ...) -> None: ...

class PersonalizeRequest(_message.Message):
    __slots__ = ("user_id", "limit", "category_id")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    limit: int
    category_id: str
    def __init__(self, user_id: _Optional[str] = ..., limit: _Optional[int] = ..., category_id: _Optional[str] = ...) -> None: ...

class PersonalizeResponse(_message.Message):
    __slots__ = ("user_id", "segment", "products", "explanation")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_FIELD_NUMBER: _ClassVar[int]
    PRODUCTS_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    segment: CustomerSegment
    products: _containers.RepeatedCompositeFieldContainer[_agent_types_pb2.ProductSuggestion]
    explanation: _explanation_pb2.Explanation
    def __init__(self, user_id: _Optional[str] = ..., segment: _Optional[_Union[CustomerSegment, str]] = ..., products: _Optional[_Iterable[_Union[_agent_types_pb2.ProductSuggestion, _Mapping]]] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...
