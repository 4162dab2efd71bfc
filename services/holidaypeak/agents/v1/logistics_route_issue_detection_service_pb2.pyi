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

class RouteIssueKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROUTE_ISSUE_KIND_UNSPECIFIED: _ClassVar[RouteIssueKind]
    ROUTE_ISSUE_KIND_NO_SCAN: _ClassVar[RouteIssueKind]
    ROUTE_ISSUE_KIND_ETA_PASSED: _ClassVar[RouteIssueKind]
    ROUTE_ISSUE_KIND_EXCEPTION_SCAN: _ClassVar[RouteIssueKind]
    ROUTE_ISSUE_KIND_STUCK_AT_HUB: _ClassVar[RouteIssueKind]
ROUTE_ISSUE_KIND_UNSPECIFIED: RouteIssueKind
ROUTE_ISSUE_KIND_NO_SCAN: RouteIssueKind
ROUTE_ISSUE_KIND_ETA_PASSED: RouteIssueKind
ROUTE_ISSUE_KIND_EXCEPTION_SCAN: RouteIssueKind
ROUTE_ISSUE_KIND_STUCK_AT_HUB: RouteIssueKind

class DetectIssuesRequest(_message.Message):
    __slots__ = ("shipment_id", "min_severity", "kinds", "page_size", "page_token")
    SHIPMENT_ID_FIELD_NUMBER: _ClassVar[int]
    MIN_SEVERITY_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    shipment_id: str
    min_severity: _agent_types_pb2.Severity
    kinds: _containers.RepeatedScalarFieldContainer[RouteIssueKind]
    page_size: int
    page_token: str
    def __init__(self, shipment_id: _Optional[str] = ..., min_severity: _Optional[_Union[_agent_types_pb2.Severity, str]] = ..., kinds: _Optional[_Iterable[_Union[RouteIssueKind, str]]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class DetectIssuesResponse(_message.Message):
    __slots__ = ("issues", "next_page_token", "shipments_checked", "explanation")
    ISSUES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SHIPMENTS_CHECKED_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    issues: _containers.RepeatedCompositeFieldContainer[RouteIssue]
    next_page_token: str
    shipments_checked: int
    explanation: _explanation_pb2.Explanation
    def __init__(self, issues: _Optional[_Iterable[_Union[RouteIssue, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., shipments_checked: _Optional[int] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...

class RouteIssue(_message.Message):
    __slots__ = ("issue_id", "shipment_id", "order_id", "carrier", "kind", "severity", "message", "action", "detected_at", "last_scan_at", "last_location", "ticket_id", "drivers")
    ISSUE_ID_FIELD_NUMBER: _ClassVar[int]
    SHIPMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    DETECTED_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_SCAN_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_LOCATION_FIELD_NUMBER: _ClassVar[int]
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    DRIVERS_FIELD_NUMBER: _ClassVar[int]
    issue_id: str
    shipment_id: str
    order_id: str
    carrier: str
    kind: RouteIssueKind
    severity: _agent_types_pb2.Severity
    message: str
    action: _agent_types_pb2.SuggestedAction
    detected_at: _timestamp_pb2.Timestamp
    last_scan_at: _timestamp_pb2.Timestamp
    last_location: str
    ticket_id: str
    drivers: _containers.RepeatedCompositeFieldContainer[_explanation_pb2.Driver]
    def __init__(self, issue_id: _Optional[str] = ..., shipment_id: _Optional[str] = ..., order_id: _Optional[str] = ..., carrier: _Optional[str] = ..., kind: _Optional[_Union[RouteIssueKind, str]] = ..., severity: _Optional[_Union[_agent_types_pb2.Severity, str]] = ..., message: _Optional[str] = ..., action: _Optional[_Union[_agent_types_pb2.SuggestedAction, _Mapping]] = ..., detected_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_scan_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_location: _Optional[str] = ..., ticket_id: _Optional[str] = ..., drivers: _Optional[_Iterable[_Union[_explanation_pb2.Driver, _Mapping]]] = ...) -> None: ...
