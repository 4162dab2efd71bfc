import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
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

class AlertKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALERT_KIND_UNSPECIFIED: _ClassVar[AlertKind]
    ALERT_KIND_LOW_STOCK: _ClassVar[AlertKind]
    ALERT_KIND_STOCK_OUT: _ClassVar[AlertKind]
    ALERT_KIND_RESERVATION_PRESSURE: _ClassVar[AlertKind]
    ALERT_KIND_DEMAND_SPIKE: _ClassVar[AlertKind]

class AlertState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALERT_STATE_UNSPECIFIED: _ClassVar[AlertState]
    ALERT_STATE_OPEN: _ClassVar[AlertState]
    ALERT_STATE_ACKNOWLEDGED: _ClassVar[AlertState]
    ALERT_STATE_RESOLVED: _ClassVar[AlertState]
ALERT_KIND_UNSPECIFIED: AlertKind
ALERT_KIND_LOW_STOCK: AlertKind
ALERT_KIND_STOCK_OUT: AlertKind
ALERT_KIND_RESERVATION_PRESSURE: AlertKind
ALERT_KIND_DEMAND_SPIKE: AlertKind
ALERT_STATE_UNSPECIFIED: AlertState
ALERT_STATE_OPEN: AlertState
ALERT_STATE_ACKNOWLEDGED: AlertState
ALERT_STATE_RESOLVED: AlertState

class InventoryAlert(_message.Message):
    __slots__ = ("alert_id", "kind", "sku", "severity", "state", "message", "drivers", "raised_at", "last_seen_at", "cooldown_until", "occurrences", "acknowledged_at", "acknowledged_by", "acknowledgement_note")
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    DRIVERS_FIELD_NUMBER: _ClassVar[int]
    RAISED_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_SEEN_AT_FIELD_NUMBER: _ClassVar[int]
    COOLDOWN_UNTIL_FIELD_NUMBER: _ClassVar[int]
    OCCURRENCES_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGED_AT_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGED_BY_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGEMENT_NOTE_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    kind: AlertKind
    sku: str
    severity: _agent_types_pb2.Severity
    state: AlertState
    message: str
    drivers: _containers.RepeatedCompositeFieldContainer[_explanation_pb2.Driver]
    raised_at: _timestamp_pb2.Timestamp
    last_seen_at: _timestamp_pb2.Timestamp
    cooldown_until: _timestamp_pb2.Timestamp
    occurrences: int
    acknowledged_at: _timestamp_pb2.Timestamp
    acknowledged_by: str
    acknowledgement_note: str
    def __init__(self, alert_id: _Optional[str] = ..., kind: _Optional[_Union[AlertKind, str]] = ..., sku: _Optional[str] = ..., severity: _Optional[_Union[_agent_types_pb2.Severity, str]] = ..., state: _Optional[_Union[AlertState, str]] = ..., message: _Optional[str] = ..., drivers: _Optional[_Iterable[_Union[_explanation_pb2.Driver, _Mapping]]] = ..., raised_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_seen_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., cooldown_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., occurrences: _Optional[int] = ..., acknowledged_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., acknowledged_by: _Optional[str] = ..., acknowledgement_note: _Optional[str] = ...) -> None: ...

class EvaluateAlertsRequest(_message.Message):
    __slots__ = ("skus", "dry_run")
    SKUS_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    skus: _containers.RepeatedScalarFieldContainer[str]
    dry_run: bool
    def __init__(self, skus: _Optional[_Iterable[str]] = ..., dry_run: _Optional[bool] = ...) -> None: ...

class EvaluateAlertsResponse(_message.Message):
    __slots__ = ("alerts", "raised", "suppressed", "skus_evaluated", "explanation")
    ALERTS_FIELD_NUMBER: _ClassVar[int]
    RAISED_FIELD_NUMBER: _ClassVar[int]
    SUPPRESSED_FIELD_NUMBER: _ClassVar[int]
    SKUS_EVALUATED_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    alerts: _containers.RepeatedCompositeFieldContainer[InventoryAlert]
    raised: int
    suppressed: int
    skus_evaluated: int
    explanation: _explanation_pb2.Explanation
    def __init__(self, alerts: _Optional[_Iterable[_Union[InventoryAlert, _Mapping]]] = ..., raised: _Optional[int] = ..., suppressed: _Optional[int] = ..., skus_evaluated: _Optional[int] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...

class ListAlertsRequest(_message.Message):
    __slots__ = ("state", "kinds", "sku", "page_size", "page_token")
    STATE_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    state: AlertState
    kinds: _containers.RepeatedScalarFieldContainer[AlertKind]
    sku: str
    page_size: int
    page_token: str
    def __init__(self, state: _Optional[_Union[AlertState, str]] = ..., kinds: _Optional[_Iterable[_Union[AlertKind, str]]] = ..., sku: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAlertsResponse(_message.Message):
    __slots__ = ("alerts", "next_page_token", "explanation")
    ALERTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    alerts: _containers.RepeatedCompositeFieldContainer[InventoryAlert]
    next_page_token: str
    explanation: _explanation_pb2.Explanation
    def __init__(self, alerts: _Optional[_Iterable[_Union[InventoryAlert, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...

class AcknowledgeAlertRequest(_message.Message):
    __slots__ = ("alert_id", "note")
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    note: str
    def __init__(self, alert_id: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class AcknowledgeAlertResponse(_message.Message):
    __slots__ = ("alert", "explanation")
    ALERT_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    alert: InventoryAlert
    explanation: _explanation_pb2.Explanation
    def __init__(self, alert: _Optional[_Union[InventoryAlert, _Mapping]] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...
