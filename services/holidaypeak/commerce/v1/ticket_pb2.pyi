import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from holidaypeak.common.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TicketStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TICKET_STATUS_UNSPECIFIED: _ClassVar[TicketStatus]
    TICKET_STATUS_OPEN: _ClassVar[TicketStatus]
    TICKET_STATUS_IN_PROGRESS: _ClassVar[TicketStatus]
    TICKET_STATUS_PENDING_CUSTOMER: _ClassVar[TicketStatus]
    TICKET_STATUS_ESCALATED: _ClassVar[TicketStatus]
    TICKET_STATUS_RESOLVED: _ClassVar[TicketStatus]
    TICKET_STATUS_CLOSED: _ClassVar[TicketStatus]

class TicketPriority(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TICKET_PRIORITY_UNSPECIFIED: _ClassVar[TicketPriority]
    TICKET_PRIORITY_LOW: _ClassVar[TicketPriority]
    TICKET_PRIORITY_NORMAL: _ClassVar[TicketPriority]
    TICKET_PRIORITY_HIGH: _ClassVar[TicketPriority]
    TICKET_PRIORITY_URGENT: _ClassVar[TicketPriority]

class TicketCategory(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TICKET_CATEGORY_UNSPECIFIED: _ClassVar[TicketCategory]
    TICKET_CATEGORY_ORDER: _ClassVar[TicketCategory]
    TICKET_CATEGORY_SHIPPING: _ClassVar[TicketCategory]
    TICKET_CATEGORY_RETURN: _ClassVar[TicketCategory]
    TICKET_CATEGORY_PAYMENT: _ClassVar[TicketCategory]
    TICKET_CATEGORY_PRODUCT: _ClassVar[TicketCategory]
    TICKET_CATEGORY_ACCOUNT: _ClassVar[TicketCategory]
    TICKET_CATEGORY_OTHER: _ClassVar[TicketCategory]
TICKET_STATUS_UNSPECIFIED: TicketStatus
TICKET_STATUS_OPEN: TicketStatus
TICKET_STATUS_IN_PROGRESS: TicketStatus
TICKET_STATUS_PENDING_CUSTOMER: TicketStatus
TICKET_STATUS_ESCALATED: TicketStatus
TICKET_STATUS_RESOLVED: TicketStatus
TICKET_STATUS_CLOSED: TicketStatus
TICKET_PRIORITY_UNSPECIFIED: TicketPriority
TICKET_PRIORITY_LOW: TicketPriority
TICKET_PRIORITY_NORMAL: TicketPriority
TICKET_PRIORITY_HIGH: TicketPriority
TICKET_PRIORITY_URGENT: TicketPriority
TICKET_CATEGORY_UNSPECIFIED: TicketCategory
TICKET_CATEGORY_ORDER: TicketCategory
TICKET_CATEGORY_SHIPPING: TicketCategory
TICKET_CATEGORY_RETURN: TicketCategory
TICKET_CATEGORY_PAYMENT: TicketCategory
TICKET_CATEGORY_PRODUCT: TicketCategory
TICKET_CATEGORY_ACCOUNT: TicketCategory
TICKET_CATEGORY_OTHER: TicketCategory

class TicketMessage(_message.Message):
    __slots__ = ("id", "author_id", "author_role", "body", "internal", "created_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ROLE_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    INTERNAL_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    author_id: str
    author_role: _access_pb2.Role
    body: str
    internal: bool
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., author_id: _Optional[str] = ..., author_role: _Optional[_Union[_access_pb2.Role, str]] = ..., body: _Optional[str] = ..., internal: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Ticket(_message.Message):
    __slots__ = ("id", "user_id", "subject", "category", "order_id", "status", "priority", "assignee_id", "messages", "message_count", "last_message_at", "created_at", "updated_at", "first_response_at", "first_response_due_at", "resolution_due_at", "resolved_at", "closed_at", "sla_breached", "etag")
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    ASSIGNEE_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_COUNT_FIELD_NUMBER: _ClassVar[int]
    LAST_MESSAGE_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    FIRST_RESPONSE_AT_FIELD_NUMBER: _ClassVar[int]
    FIRST_RESPONSE_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_AT_FIELD_NUMBER: _ClassVar[int]
    CLOSED_AT_FIELD_NUMBER: _ClassVar[int]
    SLA_BREACHED_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    id: str
    user_id: str
    subject: str
    category: TicketCategory
    order_id: str
    status: TicketStatus
    priority: TicketPriority
    assignee_id: str
    messages: _containers.RepeatedCompositeFieldContainer[TicketMessage]
    message_count: int
    last_message_at: _timestamp_pb2.Timestamp
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    first_response_at: _timestamp_pb2.Timestamp
    first_response_due_at: _timestamp_pb2.Timestamp
    resolution_due_at: _timestamp_pb2.Timestamp
    resolved_at: _timestamp_pb2.Timestamp
    closed_at: _timestamp_pb2.Timestamp
    sla_breached: bool
    etag: str
    def __init__(self, id: _Optional[str] = ..., user_id: _Optional[str] = ..., subject: _Optional[str] = ..., category: _Optional[_Union[TicketCategory, str]] = ..., order_id: _Optional[str] = ..., status: _Optional[_Union[TicketStatus, str]] = ..., priority: _Optional[_Union[TicketPriority, str]] = ..., assignee_id: _Optional[str] = ..., messages: _Optional[_Iterable[_Union[TicketMessage, _Mapping]]] = ..., message_count: _Optional[int] = ..., last_message_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., first_response_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., first_response_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., resolution_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., resolved_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., closed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sla_breached: _Optional[bool] = ..., etag: _Optional[str] = ...) -> None: ...
