from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class UserRegistered(_message.Message):
    __slots__ = ("user_id", "has_phone")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    HAS_PHONE_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    has_phone: bool
    def __init__(self, user_id: _Optional[str] = ..., has_phone: _Optional[bool] = ...) -> None: ...

class UserUpdated(_message.Message):
    __slots__ = ("user_id", "changed_fields")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    changed_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, user_id: _Optional[str] = ..., changed_fields: _Optional[_Iterable[str]] = ...) -> None: ...
