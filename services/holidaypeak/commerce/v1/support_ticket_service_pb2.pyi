from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from holidaypeak.commerce.v1 import ticket_pb2 as _ticket_pb2
from holidaypeak.common.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateTicketRequest(_message.Message):
    __slots__ = ("subject", "body", "order_id", "category", "request_id")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    subject: str
    body: str
    order_id: str
    category: _ticket_pb2.TicketCategory
    request_id: str
    def __init__(self, subject: _Optional[str] = ..., body: _Optional[str] = ..., order_id: _Optional[str] = ..., category: _Optional[_Union[_ticket_pb2.TicketCategory, str]] = ..., request_id: _Optional[str] = ...) -> None: ...

class ListTicketsRequest(_message.Message):
    __slots__ = ("status", "page_size", "page_token")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    status: _ticket_pb2.TicketStatus
    page_size: int
    page_token: str
    def __init__(self, status: _Optional[_Union[_ticket_pb2.TicketStatus, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListTicketsResponse(_message.Message):
    __slots__ = ("tickets", "next_page_token")
    TICKETS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tickets: _containers.RepeatedCompositeFieldContainer[_ticket_pb2.Ticket]
    next_page_token: str
    def __init__(self, tickets: _Optional[_Iterable[_Union[_ticket_pb2.Ticket, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetTicketRequest(_message.Message):
    __slots__ = ("ticket_id",)
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    def __init__(self, ticket_id: _Optional[str] = ...) -> None: ...

class AddTicketMessageRequest(_message.Message):
    __slots__ = ("ticket_id", "body", "request_id")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    body: str
    request_id: str
    def __init__(self, ticket_id: _Optional[str] = ..., body: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ListAllTicketsRequest(_message.Message):
    __slots__ = ("status", "priority", "assignee_id", "unassigned", "user_id", "category", "page_size", "page_token")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    ASSIGNEE_ID_FIELD_NUMBER: _ClassVar[int]
    UNASSIGNED_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    status: _ticket_pb2.TicketStatus
    priority: _ticket_pb2.TicketPriority
    assignee_id: str
    unassigned: bool
    user_id: str
    category: _ticket_pb2.TicketCategory
    page_size: int
    page_token: str
    def __init__(self, status: _Optional[_Union[_ticket_pb2.TicketStatus, str]] = ..., priority: _Optional[_Union[_ticket_pb2.TicketPriority, str]] = ..., assignee_id: _Optional[str] = ..., unassigned: _Optional[bool] = ..., user_id: _Optional[str] = ..., category: _Optional[_Union[_ticket_pb2.TicketCategory, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAllTicketsResponse(_message.Message):
    __slots__ = ("tickets", "next_page_token")
    TICKETS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tickets: _containers.RepeatedCompositeFieldContainer[_ticket_pb2.Ticket]
    next_page_token: str
    def __init__(self, tickets: _Optional[_Iterable[_Union[_ticket_pb2.Ticket, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetAnyTicketRequest(_message.Message):
    __slots__ = ("ticket_id",)
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    def __init__(self, ticket_id: _Optional[str] = ...) -> None: ...

class UpdateTicketRequest(_message.Message):
    __slots__ = ("ticket_id", "status", "priority", "assignee_id", "category", "etag", "request_id")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    ASSIGNEE_ID_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    status: _ticket_pb2.TicketStatus
    priority: _ticket_pb2.TicketPriority
    assignee_id: str
    category: _ticket_pb2.TicketCategory
    etag: str
    request_id: str
    def __init__(self, ticket_id: _Optional[str] = ..., status: _Optional[_Union[_ticket_pb2.TicketStatus, str]] = ..., priority: _Optional[_Union[_ticket_pb2.TicketPriority, str]] = ..., assignee_id: _Optional[str] = ..., category: _Optional[_Union[_ticket_pb2.TicketCategory, str]] = ..., etag: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class AddStaffTicketMessageRequest(_message.Message):
    __slots__ = ("ticket_id", "body", "internal", "request_id", "status")
    TICKET_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    INTERNAL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ticket_id: str
    body: str
    internal: bool
    request_id: str
    status: _ticket_pb2.TicketStatus
    def __init__(self, ticket_id: _Optional[str] = ..., body: _Optional[str] = ..., internal: _Optional[bool] = ..., request_id: _Optional[str] = ..., status: _Optional[_Union[_ticket_pb2.TicketStatus, str]] = ...) -> None: ...
