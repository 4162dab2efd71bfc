import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from holidaypeak.common.v1 import postal_address_pb2 as _postal_address_pb2
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

class ShipmentItem(_message.Message):
    __slots__ = ("product_id", "quantity")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    quantity: int
    def __init__(self, product_id: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class TrackingEvent(_message.Message):
    __slots__ = ("id", "status", "location", "description", "occurred_at", "recorded_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    status: ShipmentStatus
    location: str
    description: str
    occurred_at: _timestamp_pb2.Timestamp
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., status: _Optional[_Union[ShipmentStatus, str]] = ..., location: _Optional[str] = ..., description: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Shipment(_message.Message):
    __slots__ = ("id", "order_id", "user_id", "status", "carrier", "service_level", "tracking_number", "tracking_url", "package_weight_grams", "package_length_mm", "package_width_mm", "package_height_mm", "items", "destination", "events", "estimated_delivery_at", "shipped_at", "delivered_at", "created_at", "updated_at", "etag", "carrier_choice")
    ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    TRACKING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    TRACKING_URL_FIELD_NUMBER: _ClassVar[int]
    PACKAGE_WEIGHT_GRAMS_FIELD_NUMBER: _ClassVar[int]
    PACKAGE_LENGTH_MM_FIELD_NUMBER: _ClassVar[int]
    PACKAGE_WIDTH_MM_FIELD_NUMBER: _ClassVar[int]
    PACKAGE_HEIGHT_MM_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_DELIVERY_AT_FIELD_NUMBER: _ClassVar[int]
    SHIPPED_AT_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    CARRIER_CHOICE_FIELD_NUMBER: _ClassVar[int]
    id: str
    order_id: str
    user_id: str
    status: ShipmentStatus
    carrier: str
    service_level: ServiceLevel
    tracking_number: str
    tracking_url: str
    package_weight_grams: int
    package_length_mm: int
    package_width_mm: int
    package_height_mm: int
    items: _containers.RepeatedCompositeFieldContainer[ShipmentItem]
    destination: _postal_address_pb2.PostalAddress
    events: _containers.RepeatedCompositeFieldContainer[TrackingEvent]
    estimated_delivery_at: _timestamp_pb2.Timestamp
    shipped_at: _timestamp_pb2.Timestamp
    delivered_at: _timestamp_pb2.Timestamp
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    etag: str
    carrier_choice: CarrierChoice
    def __init__(self, id: _Optional[str] = ..., order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., status: _Optional[_Union[ShipmentStatus, str]] = ..., carrier: _Optional[str] = ..., service_level: _Optional[_Union[ServiceLevel, str]] = ..., tracking_number: _Optional[str] = ..., tracking_url: _Optional[str] = ..., package_weight_grams: _Optional[int] = ..., package_length_mm: _Optional[int] = ..., package_width_mm: _Optional[int] = ..., package_height_mm: _Optional[int] = ..., items: _Optional[_Iterable[_Union[ShipmentItem, _Mapping]]] = ..., destination: _Optional[_Union[_postal_address_pb2.PostalAddress, _Mapping]] = ..., events: _Optional[_Iterable[_Union[TrackingEvent, _Mapping]]] = ..., estimated_delivery_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., shipped_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delivered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., etag: _Optional[str] = ..., carrier_choice: _Optional[_Union[CarrierChoice, _Mapping]] = ...) -> None: ...

class CarrierChoice(_message.Message):
    __slots__ = ("method", "reason", "selection_skipped", "rate_minor", "currency_code")
    METHOD_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SELECTION_SKIPPED_FIELD_NUMBER: _ClassVar[int]
    RATE_MINOR_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    method: str
    reason: str
    selection_skipped: bool
    rate_minor: int
    currency_code: str
    def __init__(self, method: _Optional[str] = ..., reason: _Optional[str] = ..., selection_skipped: _Optional[bool] = ..., rate_minor: _Optional[int] = ..., currency_code: _Optional[str] = ...) -> None: ...
