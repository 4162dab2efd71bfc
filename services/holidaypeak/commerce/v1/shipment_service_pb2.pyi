import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from holidaypeak.commerce.v1 import shipment_pb2 as _shipment_pb2
from holidaypeak.common.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateShipmentRequest(_message.Message):
    __slots__ = ("order_id", "carrier", "service_level", "tracking_number", "tracking_url", "package_weight_grams", "package_length_mm", "package_width_mm", "package_height_mm", "items", "estimated_delivery_at", "request_id")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    TRACKING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    TRACKING_URL_FIELD_NUMBER: _ClassVar[int]
    PACKAGE_WEIGHT_GRAMS_FIELD_NUMBER: _ClassVar[int]
    PACKAGE_LENGTH_MM_FIELD_NUMBER: _ClassVar[int]
    PACKAGE_WIDTH_MM_FIELD_NUMBER: _ClassVar[int]
    PACKAGE_HEIGHT_MM_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_DELIVERY_AT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    carrier: str
    service_level: _shipment_pb2.ServiceLevel
    tracking_number: str
    tracking_url: str
    package_weight_grams: int
    package_length_mm: int
    package_width_mm: int
    package_height_mm: int
    items: _containers.RepeatedCompositeFieldContainer[_shipment_pb2.ShipmentItem]
    estimated_delivery_at: _timestamp_pb2.Timestamp
    request_id: str
    def __init__(self, order_id: _Optional[str] = ..., carrier: _Optional[str] = ..., service_level: _Optional[_Union[_shipment_pb2.ServiceLevel, str]] = ..., tracking_number: _Optional[str] = ..., tracking_url: _Optional[str] = ..., package_weight_grams: _Optional[int] = ..., package_length_mm: _Optional[int] = ..., package_width_mm: _Optional[int] = ..., package_height_mm: _Optional[int] = ..., items: _Optional[_Iterable[_Union[_shipment_pb2.ShipmentItem, _Mapping]]] = ..., estimated_delivery_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class ListShipmentsRequest(_message.Message):
    __slots__ = ("status", "order_id", "carrier", "page_size", "page_token")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    status: _shipment_pb2.ShipmentStatus
    order_id: str
    carrier: str
    page_size: int
    page_token: str
    def __init__(self, status: _Optional[_Union[_shipment_pb2.ShipmentStatus, str]] = ..., order_id: _Optional[str] = ..., carrier: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListShipmentsResponse(_message.Message):
    __slots__ = ("shipments", "next_page_token")
    SHIPMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    shipments: _containers.RepeatedCompositeFieldContainer[_shipment_pb2.Shipment]
    next_page_token: str
    def __init__(self, shipments: _Optional[_Iterable[_Union[_shipment_pb2.Shipment, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetShipmentRequest(_message.Message):
    __slots__ = ("shipment_id",)
    SHIPMENT_ID_FIELD_NUMBER: _ClassVar[int]
    shipment_id: str
    def __init__(self, shipment_id: _Optional[str] = ...) -> None: ...

class AddShipmentEventRequest(_message.Message):
    __slots__ = ("shipment_id", "status", "location", "description", "occurred_at", "estimated_delivery_at", "tracking_number", "request_id")
    SHIPMENT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_DELIVERY_AT_FIELD_NUMBER: _ClassVar[int]
    TRACKING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    shipment_id: str
    status: _shipment_pb2.ShipmentStatus
    location: str
    description: str
    occurred_at: _timestamp_pb2.Timestamp
    estimated_delivery_at: _timestamp_pb2.Timestamp
    tracking_number: str
    request_id: str
    def __init__(self, shipment_id: _Optional[str] = ..., status: _Optional[_Union[_shipment_pb2.ShipmentStatus, str]] = ..., location: _Optional[str] = ..., description: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., estimated_delivery_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., tracking_number: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetOrderTrackingRequest(_message.Message):
    __slots__ = ("order_id",)
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    def __init__(self, order_id: _Optional[str] = ...) -> None: ...

class GetOrderTrackingResponse(_message.Message):
    __slots__ = ("order_id", "status", "estimated_delivery_at", "shipments")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_DELIVERY_AT_FIELD_NUMBER: _ClassVar[int]
    SHIPMENTS_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    status: _shipment_pb2.ShipmentStatus
    estimated_delivery_at: _timestamp_pb2.Timestamp
    shipments: _containers.RepeatedCompositeFieldContainer[_shipment_pb2.Shipment]
    def __init__(self, order_id: _Optional[str] = ..., status: _Optional[_Union[_shipment_pb2.ShipmentStatus, str]] = ..., estimated_delivery_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., shipments: _Optional[_Iterable[_Union[_shipment_pb2.Shipment, _Mapping]]] = ...) -> None: ...
