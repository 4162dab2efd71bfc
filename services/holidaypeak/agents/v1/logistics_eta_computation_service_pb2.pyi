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

class EtaRoute(_message.Message):
    __slots__ = ("carrier", "service_level", "destination_country_code", "destination_region", "destination_postal_code", "ready_at")
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_COUNTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_REGION_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_POSTAL_CODE_FIELD_NUMBER: _ClassVar[int]
    READY_AT_FIELD_NUMBER: _ClassVar[int]
    carrier: str
    service_level: _shipment_pb2.ServiceLevel
    destination_country_code: str
    destination_region: str
    destination_postal_code: str
    ready_at: _timestamp_pb2.Timestamp
    def __init__(self, carrier: _Optional[str] = ..., service_level: _Optional[_Union[_shipment_pb2.ServiceLevel, str]] = ..., destination_country_code: _Optional[str] = ..., destination_region: _Optional[str] = ..., destination_postal_code: _Optional[str] = ..., ready_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ComputeEtaRequest(_message.Message):
    __slots__ = ("shipment_id", "order_id", "route", "confidence", "promised_by")
    SHIPMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ROUTE_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    PROMISED_BY_FIELD_NUMBER: _ClassVar[int]
    shipment_id: str
    order_id: str
    route: EtaRoute
    confidence: float
    promised_by: _timestamp_pb2.Timestamp
    def __init__(self, shipment_id: _Optional[str] = ..., order_id: _Optional[str] = ..., route: _Optional[_Union[EtaRoute, _Mapping]] = ..., confidence: _Optional[float] = ..., promised_by: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ComputeEtaResponse(_message.Message):
    __slots__ = ("estimate", "carrier", "service_level", "zone", "handling_days", "transit_days", "non_working_days", "observed_delay_days", "carrier_on_time_rate", "explanation", "window_start_business_days", "window_end_business_days")
    ESTIMATE_FIELD_NUMBER: _ClassVar[int]
    CARRIER_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    ZONE_FIELD_NUMBER: _ClassVar[int]
    HANDLING_DAYS_FIELD_NUMBER: _ClassVar[int]
    TRANSIT_DAYS_FIELD_NUMBER: _ClassVar[int]
    NON_WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_DELAY_DAYS_FIELD_NUMBER: _ClassVar[int]
    CARRIER_ON_TIME_RATE_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    WINDOW_START_BUSINESS_DAYS_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_BUSINESS_DAYS_FIELD_NUMBER: _ClassVar[int]
    estimate: _agent_types_pb2.DeliveryEstimate
    carrier: str
    service_level: _shipment_pb2.ServiceLevel
    zone: str
    handling_days: int
    transit_days: int
    non_working_days: int
    observed_delay_days: float
    carrier_on_time_rate: float
    explanation: _explanation_pb2.Explanation
    window_start_business_days: int
    window_end_business_days: int
    def __init__(self, estimate: _Optional[_Union[_agent_types_pb2.DeliveryEstimate, _Mapping]] = ..., carrier: _Optional[str] = ..., service_level: _Optional[_Union[_shipment_pb2.ServiceLevel, str]] = ..., zone: _Optional[str] = ..., handling_days: _Optional[int] = ..., transit_days: _Optional[int] = ..., non_working_days: _Optional[int] = ..., observed_delay_days: _Optional[float] = ..., carrier_on_time_rate: _Optional[float] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ..., window_start_business_days: _Optional[int] = ..., window_end_business_days: _Optional[int] = ...) -> None: ...

class EstimateRoutesRequest(_message.Message):
    __slots__ = ("routes", "confidence")
    ROUTES_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    routes: _containers.RepeatedCompositeFieldContainer[EtaRoute]
    confidence: float
    def __init__(self, routes: _Optional[_Iterable[_Union[EtaRoute, _Mapping]]] = ..., confidence: _Optional[float] = ...) -> None: ...

class EstimateRoutesResponse(_message.Message):
    __slots__ = ("estimates", "explanation", "valid_until")
    ESTIMATES_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    estimates: _containers.RepeatedCompositeFieldContainer[ComputeEtaResponse]
    explanation: _explanation_pb2.Explanation
    valid_until: _timestamp_pb2.Timestamp
    def __init__(self, estimates: _Optional[_Iterable[_Union[ComputeEtaResponse, _Mapping]]] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ..., valid_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
