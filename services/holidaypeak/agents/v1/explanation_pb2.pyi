import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Explanation(_message.Message):
    __slots__ = ("summary", "drivers", "freshness", "method", "narration")
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    DRIVERS_FIELD_NUMBER: _ClassVar[int]
    FRESHNESS_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    NARRATION_FIELD_NUMBER: _ClassVar[int]
    summary: str
    drivers: _containers.RepeatedCompositeFieldContainer[Driver]
    freshness: DataFreshness
    method: str
    narration: str
    def __init__(self, summary: _Optional[str] = ..., drivers: _Optional[_Iterable[_Union[Driver, _Mapping]]] = ..., freshness: _Optional[_Union[DataFreshness, _Mapping]] = ..., method: _Optional[str] = ..., narration: _Optional[str] = ...) -> None: ...

class Driver(_message.Message):
    __slots__ = ("name", "value", "weight", "threshold", "contribution", "unit", "reason")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    name: str
    value: float
    weight: float
    threshold: float
    contribution: float
    unit: str
    reason: str
    def __init__(self, name: _Optional[str] = ..., value: _Optional[float] = ..., weight: _Optional[float] = ..., threshold: _Optional[float] = ..., contribution: _Optional[float] = ..., unit: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class DataFreshness(_message.Message):
    __slots__ = ("computed_at", "data_as_of", "sources", "degraded")
    COMPUTED_AT_FIELD_NUMBER: _ClassVar[int]
    DATA_AS_OF_FIELD_NUMBER: _ClassVar[int]
    SOURCES_FIELD_NUMBER: _ClassVar[int]
    DEGRADED_FIELD_NUMBER: _ClassVar[int]
    computed_at: _timestamp_pb2.Timestamp
    data_as_of: _timestamp_pb2.Timestamp
    sources: _containers.RepeatedScalarFieldContainer[str]
    degraded: bool
    def __init__(self, computed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., data_as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sources: _Optional[_Iterable[str]] = ..., degraded: _Optional[bool] = ...) -> None: ...
