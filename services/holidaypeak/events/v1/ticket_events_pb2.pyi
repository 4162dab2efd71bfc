import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
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

class TicketCreated(_message.Message):
    __slots__ = ("ticket_id", "user_id", "order_id", "category", "priority", "first_response_due_at", "resolution_due_at")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    FIRST_RESPONSE_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    user_id: str
    order_id: str
    category: TicketCategory
    priority: TicketPriority
    first_response_due_at: _timestamp_pb2.Timestamp
    resolution_due_at: _timestamp_pb2.Timestamp
    def __init__(self, ticket_id: _Optional[str] = ..., user_id: _Optional[str] = ..., order_id: _Optional[str] = ..., category: _Optional[_Union[TicketCategory, str]] = ..., priority: _Optional[_Union[TicketPriority, str]] = ..., first_response_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., resolution_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TicketStatusChanged(_message.Message):
    __slots__ = ("ticket_id", "user_id", "previous_status", "new_status", "actor_id", "by_staff", "resolved_at", "sla_breached")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_STATUS_FIELD_NUMBER: _ClassVar[int]
    NEW_STATUS_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    BY_STAFF_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_AT_FIELD_NUMBER: _ClassVar[int]
    SLA_BREACHED_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    user_id: str
    previous_status: TicketStatus
    new_status: TicketStatus
    actor_id: str
    by_staff: bool
    resolved_at: _timestamp_pb2.Timestamp
    sla_breached: bool
    def __init__(self, ticket_id: _Optional[str] = ..., user_id: _Optional[str] = ..., previous_status: _Optional[_Union[TicketStatus, str]] = ..., new_status: _Optional[_Union[TicketStatus, str]] = ..., actor_id: _Optional[str] = ..., by_staff: _Optional[bool] = ..., resolved_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sla_breached: _Optional[bool] = ...) -> None: ...

class TicketMessageAdded(_message.Message):
    __slots__ = ("ticket_id", "user_id", "message_id", "author_id", "by_staff", "internal", "first_response")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    BY_STAFF_FIELD_NUMBER: _ClassVar[int]
    INTERNAL_FIELD_NUMBER: _ClassVar[int]
    FIRST_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    user_id: str
    message_id: str
    author_id: str
    by_staff: bool
    internal: bool
    first_response: bool
    def __init__(self, ticket_id: _Optional[str] = ..., user_id: _Optional[str] = ..., message_id: _Optional[str] = ..., author_id: _Optional[str] = ..., by_staff: _Optional[bool] = ..., internal: _Optional[bool] = ..., first_response: _Optional[bool] = ...) -> None: ...

class TicketAssigned(_message.Message):
    __slots__ = ("ticket_id", "user_id", "previous_assignee_id", "assignee_id", "actor_id")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_ASSIGNEE_ID_FIELD_NUMBER: _ClassVar[int]
    ASSIGNEE_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    user_id: str
    previous_assignee_id: str
    assignee_id: str
    actor_id: str
    def __init__(self, ticket_id: _Optional[str] = ..., user_id: _Optional[str] = ..., previous_assignee_id: _Optional[str] = ..., assignee_id: _Optional[str] = ..., actor_id: _Optional[str] = ...) -> None: ...

class TicketTriaged(_message.Message):
    __slots__ = ("ticket_id", "user_id", "previous_priority", "priority", "previous_category", "category", "first_response_due_at", "resolution_due_at", "actor_id")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_PRIORITY_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    FIRST_RESPONSE_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_DUE_AT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    user_id: str
    previous_priority: TicketPriority
    priority: TicketPriority
    previous_category: TicketCategory
    category: TicketCategory
    first_response_due_at: _timestamp_pb2.Timestamp
    resolution_due_at: _timestamp_pb2.Timestamp
    actor_id: str
    def __init__(self, ticket_id: _Optional[str] = ..., user_id: _Optional[str] = ..., previous_priority: _Optional[_Union[TicketPriority, str]] = ..., priority: _Optional[_Union[TicketPriority, str]] = ..., previous_category: _Optional[_Union[TicketCategory, str]] = ..., category: _Optional[_Union[TicketCategory, str]] = ..., first_response_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., resolution_due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor_id: _Optional[str] = ...) -> None: ...
