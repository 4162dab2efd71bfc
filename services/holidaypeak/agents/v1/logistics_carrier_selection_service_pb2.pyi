import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from holidaypeak.agents.v1 import agent_types_pb2 as _agent_types_pb2
from holidaypeak.agents.v1 import explanation_pb2 as _explanation_pb2
from holidaypeak.commerce.v1 import shipment_pb2 as _shipment_pb2
from holidaypeak.common.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Parcel(_message.Message):
    __slots__ = ("weight_grams", "length_mm", "width_mm", "height_mm", "destination_country_code", "destination_region", "destination_postal_code")
    WEIGHT_GRAMS_FIELD_NUMBER: _ClassVar[int]
    LENGTH_MM_FIELD_NUMBER: _ClassVar[int]
    WIDTH_MM_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_MM_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_REGION_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_POSTAL_CODE_FIELD_NUMBER: _ClassVar[int]
    weight_grams: int
    length_mm: int
    width_mm: int
    height_mm: int
    destination_country_code: str
    destination_region: str
    destination_postal_code: str
    def __init__(self, weight_grams: _Optional[int] = ..., length_mm: _Optional[int] = ..., width_mm: _Optional[int] = ..., height_mm: _Optional[int] = ..., destination_country_code: _Optional[str] = ..., destination_region: _Optional[str] = ..., destination_postal_code: _Optional[str] = ...) -> None: ...

class SelectCarrierRequest(_message.Message):
    __slots__ = ("order_id", "parcel", "promised_by", "min_service_level", "carriers", "max_alternatives")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PARCEL_FIELD_NUMBER: _ClassVar[int]
    PROMISED_BY_FIELD_NUMBER: _ClassVar[int]
    MIN_SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    CARRIERS_FIELD_NUMBER: _ClassVar[int]
    MAX_ALTERNATIVES_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    parcel: Parcel
    promised_by: _timestamp_pb2.Timestamp
    min_service_level: _shipment_pb2.ServiceLevel
    carriers: _containers.RepeatedScalarFieldContainer[str]
    max_alternatives: int
    def __init__(self, order_id: _Optional[str] = ..., parcel: _Optional[_Union[Parcel, _Mapping]] = ..., promised_by: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., min_service_level: _Optional[_Union[_shipment_pb2.ServiceLevel, str]] = ..., carriers: _Optional[_Iterable[str]] = ..., max_alternatives: _Optional[int] = ...) -> None: ...

class SelectCarrierResponse(_message.Message):
    __slots__ = ("selected", "alternatives", "explanation")
    SELECTED_FIELD_NUMBER: _ClassVar[int]
    ALTERNATIVES_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    selected: CarrierOption
    alternatives: _containers.RepeatedCompositeFieldContainer[CarrierOption]
    explanation: _explanation_pb2.Explanation
    def __init__(self, selected: _Optional[_Union[CarrierOption, _Mapping]] = ..., alternatives: _Optional[_Iterable[_Union[CarrierOption, _Mapping]]] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...

class CarrierOption(_message.Message):
    __slots__ = ("carrier", "service_level", "rate", "zone", "billable_weight_grams", "dimensional_weight_grams", "estimate", "meets_promise", "on_time_rate", "score", "reason")
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    RATE_FIELD_NUMBER: _ClassVar[int]
    ZONE_FIELD_NUMBER: _ClassVar[int]
    BILLABLE_WEIGHT_GRAMS_FIELD_NUMBER: _ClassVar[int]
    DIMENSIONAL_WEIGHT_GRAMS_FIELD_NUMBER: _ClassVar[int]
    ESTIMATE_FIELD_NUMBER: _ClassVar[int]
    MEETS_PROMISE_FIELD_NUMBER: _ClassVar[int]
    ON_TIME_RATE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    carrier: str
    service_level: _shipment_pb2.ServiceLevel
    rate: _agent_types_pb2.Money
    zone: str
    billable_weight_grams: int
    dimensional_weight_grams: int
    estimate: _agent_types_pb2.DeliveryEstimate
    meets_promise: bool
    on_time_rate: float
    score: float
    reason: str
    def __init__(self, carrier: _Optional[str] = ..., service_level: _Optional[_Union[_shipment_pb2.ServiceLevel, str]] = ..., rate: _Optional[_Union[_agent_types_pb2.Money, _Mapping]] = ..., zone: _Optional[str] = ..., billable_weight_grams: _Optional[int] = ..., dimensional_weight_grams: _Optional[int] = ..., estimate: _Optional[_Union[_agent_types_pb2.DeliveryEstimate, _Mapping]] = ..., meets_promise: _Optional[bool] = ..., on_time_rate: _Optional[float] = ..., score: _Optional[float] = ..., reason: _Optional[str] = ...) -> None: ...
