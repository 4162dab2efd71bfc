import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ShipmentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SHIPMENT_STATUS_UNSPECIFIED: _ClassVar[ShipmentStatus]
    SHIPMENT_STATUS_LABEL_CREATED: _ClassVar[ShipmentStatus]
    SHIPMENT_STATUS_PICKED_UP: _ClassVar[ShipmentStatus]
    SHIPMENT_STATUS_IN_TRANSIT: _ClassVar[ShipmentStatus]
    SHIPMENT_STATUS_OUT_FOR_DELIVERY: _ClassVar[ShipmentStatus]
    SHIPMENT_STATUS_DELIVERED: _ClassVar[ShipmentStatus]
    SHIPMENT_STATUS_EXCEPTION: _ClassVar[ShipmentStatus]

class ServiceLevel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SERVICE_LEVEL_UNSPECIFIED: _ClassVar[ServiceLevel]
    SERVICE_LEVEL_ECONOMY: _ClassVar[ServiceLevel]
    SERVICE_LEVEL_STANDARD: _ClassVar[ServiceLevel]
    SERVICE_LEVEL_EXPEDITED: _ClassVar[ServiceLevel]
    SERVICE_LEVEL_OVERNIGHT: _ClassVar[ServiceLevel]

class ShipmentIssueKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SHIPMENT_ISSUE_KIND_UNSPECIFIED: _ClassVar[ShipmentIssueKind]
    SHIPMENT_ISSUE_KIND_NO_SCAN: _ClassVar[ShipmentIssueKind]
    SHIPMENT_ISSUE_KIND_ETA_PASSED: _ClassVar[ShipmentIssueKind]
    SHIPMENT_ISSUE_KIND_EXCEPTION_SCAN: _ClassVar[ShipmentIssueKind]
    SHIPMENT_ISSUE_KIND_STUCK_AT_HUB: _ClassVar[ShipmentIssueKind]

class ShipmentIssueSeverity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SHIPMENT_ISSUE_SEVERITY_UNSPECIFIED: _ClassVar[ShipmentIssueSeverity]
    SHIPMENT_ISSUE_SEVERITY_INFO: _ClassVar[ShipmentIssueSeverity]
    SHIPMENT_ISSUE_SEVERITY_LOW: _ClassVar[ShipmentIssueSeverity]
    SHIPMENT_ISSUE_SEVERITY_MEDIUM: _ClassVar[ShipmentIssueSeverity]
    SHIPMENT_ISSUE_SEVERITY_HIGH: _ClassVar[ShipmentIssueSeverity]
    SHIPMENT_ISSUE_SEVERITY_CRITICAL: _ClassVar[ShipmentIssueSeverity]
SHIPMENT_STATUS_UNSPECIFIED: ShipmentStatus
SHIPMENT_STATUS_LABEL_CREATED: ShipmentStatus
SHIPMENT_STATUS_PICKED_UP: ShipmentStatus
SHIPMENT_STATUS_IN_TRANSIT: ShipmentStatus
SHIPMENT_STATUS_OUT_FOR_DELIVERY: ShipmentStatus
SHIPMENT_STATUS_DELIVERED: ShipmentStatus
SHIPMENT_STATUS_EXCEPTION: ShipmentStatus
SERVICE_LEVEL_UNSPECIFIED: ServiceLevel
SERVICE_LEVEL_ECONOMY: ServiceLevel
SERVICE_LEVEL_STANDARD: ServiceLevel
SERVICE_LEVEL_EXPEDITED: ServiceLevel
SERVICE_LEVEL_OVERNIGHT: ServiceLevel
SHIPMENT_ISSUE_KIND_UNSPECIFIED: ShipmentIssueKind
SHIPMENT_ISSUE_KIND_NO_SCAN: ShipmentIssueKind
SHIPMENT_ISSUE_KIND_ETA_PASSED: ShipmentIssueKind
SHIPMENT_ISSUE_KIND_EXCEPTION_SCAN: ShipmentIssueKind
SHIPMENT_ISSUE_KIND_STUCK_AT_HUB: ShipmentIssueKind
SHIPMENT_ISSUE_SEVERITY_UNSPECIFIED: ShipmentIssueSeverity
SHIPMENT_ISSUE_SEVERITY_INFO: ShipmentIssueSeverity
SHIPMENT_ISSUE_SEVERITY_LOW: ShipmentIssueSeverity
SHIPMENT_ISSUE_SEVERITY_MEDIUM: ShipmentIssueSeverity
SHIPMENT_ISSUE_SEVERITY_HIGH: ShipmentIssueSeverity
SHIPMENT_ISSUE_SEVERITY_CRITICAL: ShipmentIssueSeverity

class ShipmentLine(_message.Message):
    __slots__ = ("sku", "quantity")
    SKU_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    sku: str
    quantity: int
    def __init__(self, sku: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class ShipmentCreated(_message.Message):
    __slots__ = ("shipment_id", "order_id", "user_id", "carrier", "service_level", "tracking_number", "package_weight_grams", "package_length_mm", "package_width_mm", "package_height_mm", "lines", "ship_to_postal_code", "ship_to_region", "ship_to_country_code", "estimated_delivery_at")
    SHIPMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    TRACKING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PACKAGE_WEIGHT_GRAMS_FIELD_NUMBER: _ClassVar[int]
    PACKAGE_LENGTH_MM_FIELD_NUMBER: _ClassVar[int]
    PACKAGE_WIDTH_MM_FIELD_NUMBER: _ClassVar[int]
    PACKAGE_HEIGHT_MM_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    SHIP_TO_POSTAL_CODE_FIELD_NUMBER: _ClassVar[int]
    SHIP_TO_REGION_FIELD_NUMBER: _ClassVar[int]
    SHIP_TO_COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_DELIVERY_AT_FIELD_NUMBER: _ClassVar[int]
    shipment_id: str
    order_id: str
    user_id: str
    carrier: str
    service_level: ServiceLevel
    tracking_number: str
    package_weight_grams: int
    package_length_mm: int
    package_width_mm: int
    package_height_mm: int
    lines: _containers.RepeatedCompositeFieldContainer[ShipmentLine]
    ship_to_postal_code: str
    ship_to_region: str
    ship_to_country_code: str
    estimated_delivery_at: _timestamp_pb2.Timestamp
    def __init__(self, shipment_id: _Optional[str] = ..., order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., carrier: _Optional[str] = ..., service_level: _Optional[_Union[ServiceLevel, str]] = ..., tracking_number: _Optional[str] = ..., package_weight_grams: _Optional[int] = ..., package_length_mm: _Optional[int] = ..., package_width_mm: _Optional[int] = ..., package_height_mm: _Optional[int] = ..., lines: _Optional[_Iterable[_Union[ShipmentLine, _Mapping]]] = ..., ship_to_postal_code: _Optional[str] = ..., ship_to_region: _Optional[str] = ..., ship_to_country_code: _Optional[str] = ..., estimated_delivery_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ShipmentStatusChanged(_message.Message):
    __slots__ = ("shipment_id", "order_id", "user_id", "tracking_event_id", "carrier", "service_level", "tracking_number", "previous_status", "new_status", "location", "description", "scanned_at", "estimated_delivery_at", "ship_to_postal_code", "ship_to_country_code")
    SHIPMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    TRACKING_EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    TRACKING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_STATUS_FIELD_NUMBER: _ClassVar[int]
    NEW_STATUS_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    SCANNED_AT_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_DELIVERY_AT_FIELD_NUMBER: _ClassVar[int]
    SHIP_TO_POSTAL_CODE_FIELD_NUMBER: _ClassVar[int]
    SHIP_TO_COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    shipment_id: str
    order_id: str
    user_id: str
    tracking_event_id: str
    carrier: str
    service_level: ServiceLevel
    tracking_number: str
    previous_status: ShipmentStatus
    new_status: ShipmentStatus
    location: str
    description: str
    scanned_at: _timestamp_pb2.Timestamp
    estimated_delivery_at: _timestamp_pb2.Timestamp
    ship_to_postal_code: str
    ship_to_country_code: str
    def __init__(self, shipment_id: _Optional[str] = ..., order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., tracking_event_id: _Optional[str] = ..., carrier: _Optional[str] = ..., service_level: _Optional[_Union[ServiceLevel, str]] = ..., tracking_number: _Optional[str] = ..., previous_status: _Optional[_Union[ShipmentStatus, str]] = ..., new_status: _Optional[_Union[ShipmentStatus, str]] = ..., location: _Optional[str] = ..., description: _Optional[str] = ..., scanned_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., estimated_delivery_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ship_to_postal_code: _Optional[str] = ..., ship_to_country_code: _Optional[str] = ...) -> None: ...

class ShipmentDelivered(_message.Message):
    __slots__ = ("shipment_id", "order_id", "user_id", "carrier", "service_level", "ship_to_postal_code", "ship_to_country_code", "created_at", "shipped_at", "delivered_at", "initial_estimated_delivery_at", "estimated_delivery_at")
    SHIPMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    SHIP_TO_POSTAL_CODE_FIELD_NUMBER: _ClassVar[int]
    SHIP_TO_COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    SHIPPED_AT_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_AT_FIELD_NUMBER: _ClassVar[int]
    INITIAL_ESTIMATED_DELIVERY_AT_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_DELIVERY_AT_FIELD_NUMBER: _ClassVar[int]
    shipment_id: str
    order_id: str
    user_id: str
    carrier: str
    service_level: ServiceLevel
    ship_to_postal_code: str
    ship_to_country_code: str
    created_at: _timestamp_pb2.Timestamp
    shipped_at: _timestamp_pb2.Timestamp
    delivered_at: _timestamp_pb2.Timestamp
    initial_estimated_delivery_at: _timestamp_pb2.Timestamp
    estimated_delivery_at: _timestamp_pb2.Timestamp
    def __init__(self, shipment_id: _Optional[str] = ..., order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., carrier: _Optional[str] = ..., service_level: _Optional[_Union[ServiceLevel, str]] = ..., ship_to_postal_code: _Optional[str] = ..., ship_to_country_code: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., shipped_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delivered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., initial_estimated_delivery_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., estimated_delivery_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ShipmentIssueRaised(_message.Message):
    __slots__ = ("issue_id", "shipment_id", "order_id", "carrier", "kind", "severity", "message", "action_code", "detected_at", "last_scan_at", "last_location", "previous_severity")
    ISSUE_ID_FIELD_NUMBER: _ClassVar[int]
    SHIPMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    ACTION_CODE_FIELD_NUMBER: _ClassVar[int]
    DETECTED_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_SCAN_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_LOCATION_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_SEVERITY_FIELD_NUMBER: _ClassVar[int]
    issue_id: str
    shipment_id: str
    order_id: str
    carrier: str
    kind: ShipmentIssueKind
    severity: ShipmentIssueSeverity
    message: str
    action_code: str
    detected_at: _timestamp_pb2.Timestamp
    last_scan_at: _timestamp_pb2.Timestamp
    last_location: str
    previous_severity: ShipmentIssueSeverity
    def __init__(self, issue_id: _Optional[str] = ..., shipment_id: _Optional[str] = ..., order_id: _Optional[str] = ..., carrier: _Optional[str] = ..., kind: _Optional[_Union[ShipmentIssueKind, str]] = ..., severity: _Optional[_Union[ShipmentIssueSeverity, str]] = ..., message: _Optional[str] = ..., action_code: _Optional[str] = ..., detected_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_scan_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_location: _Optional[str] = ..., previous_severity: _Optional[_Union[ShipmentIssueSeverity, str]] = ...) -> None: ...
