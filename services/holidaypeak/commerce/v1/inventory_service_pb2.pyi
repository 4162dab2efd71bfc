import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from holidaypeak.commerce.v1 import inventory_item_pb2 as _inventory_item_pb2
from holidaypeak.commerce.v1 import reservation_pb2 as _reservation_pb2
from holidaypeak.common.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListInventoryItemsRequest(_message.Message):
    __slots__ = ("health", "sku_prefix", "page_size", "page_token")
    HEALTH_FIELD_NUMBER: _ClassVar[int]
    SKU_PREFIX_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    health: _containers.RepeatedScalarFieldContainer[_inventory_item_pb2.InventoryHealth]
    sku_prefix: str
    page_size: int
    page_token: str
    def __init__(self, health: _Optional[_Iterable[_Union[_inventory_item_pb2.InventoryHealth, str]]] = ..., sku_prefix: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListInventoryItemsResponse(_message.Message):
    __slots__ = ("inventory_items", "next_page_token")
    INVENTORY_ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    inventory_items: _containers.RepeatedCompositeFieldContainer[_inventory_item_pb2.InventoryItem]
    next_page_token: str
    def __init__(self, inventory_items: _Optional[_Iterable[_Union[_inventory_item_pb2.InventoryItem, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetInventoryItemRequest(_message.Message):
    __slots__ = ("sku",)
    SKU_FIELD_NUMBER: _ClassVar[int]
    sku: str
    def __init__(self, sku: _Optional[str] = ...) -> None: ...

class UpdateInventoryItemRequest(_message.Message):
    __slots__ = ("sku", "quantity_on_hand", "quantity_on_hand_delta", "reorder_point", "safety_stock", "overstock_threshold", "reason", "etag", "request_id")
    SKU_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_ON_HAND_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_ON_HAND_DELTA_FIELD_NUMBER: _ClassVar[int]
    REORDER_POINT_FIELD_NUMBER: _ClassVar[int]
    SAFETY_STOCK_FIELD_NUMBER: _ClassVar[int]
    OVERSTOCK_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    sku: str
    quantity_on_hand: int
    quantity_on_hand_delta: int
    reorder_point: int
    safety_stock: int
    overstock_threshold: int
    reason: str
    etag: str
    request_id: str
    def __init__(self, sku: _Optional[str] = ..., quantity_on_hand: _Optional[int] = ..., quantity_on_hand_delta: _Optional[int] = ..., reorder_point: _Optional[int] = ..., safety_stock: _Optional[int] = ..., overstock_threshold: _Optional[int] = ..., reason: _Optional[str] = ..., etag: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class BatchGetAvailabilityRequest(_message.Message):
    __slots__ = ("skus",)
    SKUS_FIELD_NUMBER: _ClassVar[int]
    skus: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, skus: _Optional[_Iterable[str]] = ...) -> None: ...

class BatchGetAvailabilityResponse(_message.Message):
    __slots__ = ("availabilities",)
    AVAILABILITIES_FIELD_NUMBER: _ClassVar[int]
    availabilities: _containers.RepeatedCompositeFieldContainer[_inventory_item_pb2.SkuAvailability]
    def __init__(self, availabilities: _Optional[_Iterable[_Union[_inventory_item_pb2.SkuAvailability, _Mapping]]] = ...) -> None: ...

class ReserveStockRequest(_message.Message):
    __slots__ = ("order_id", "user_id", "lines", "ttl", "request_id")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    TTL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    user_id: str
    lines: _containers.RepeatedCompositeFieldContainer[_reservation_pb2.ReservationLine]
    ttl: _duration_pb2.Duration
    request_id: str
    def __init__(self, order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[_reservation_pb2.ReservationLine, _Mapping]]] = ..., ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class ConfirmReservationRequest(_message.Message):
    __slots__ = ("reservation_id", "request_id")
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    reservation_id: str
    request_id: str
    def __init__(self, reservation_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ReleaseReservationRequest(_message.Message):
    __slots__ = ("reservation_id", "reason", "request_id")
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    reservation_id: str
    reason: str
    request_id: str
    def __init__(self, reservation_id: _Optional[str] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetReservationRequest(_message.Message):
    __slots__ = ("reservation_id",)
    RESERVATION_ID_FIELD_NUMBER: _ClassVar[int]
    reservation_id: str
    def __init__(self, reservation_id: _Optional[str] = ...) -> None: ...
