from google.protobuf import descriptor_pb2 as _descriptor_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Role(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROLE_UNSPECIFIED: _ClassVar[Role]
    ROLE_ANONYMOUS: _ClassVar[Role]
    ROLE_CUSTOMER: _ClassVar[Role]
    ROLE_STAFF: _ClassVar[Role]
    ROLE_ADMIN: _ClassVar[Role]
ROLE_UNSPECIFIED: Role
ROLE_ANONYMOUS: Role
ROLE_CUSTOMER: Role
ROLE_STAFF: Role
ROLE_ADMIN: Role
ACCESS_FIELD_NUMBER: _ClassVar[int]
access: _descriptor.FieldDescriptor

class AccessRule(_message.Message):
    __slots__ = ("min_role", "owner_only", "owner_override_role")
    MIN_ROLE_FIELD_NUMBER: _ClassVar[int]
    OWNER_ONLY_FIELD_NUMBER: _ClassVar[int]
    OWNER_OVERRIDE_ROLE_FIELD_NUMBER: _ClassVar[int]
    min_role: Role
    owner_only: bool
    owner_override_role: Role
    def __init__(self, min_role: _Optional[_Union[Role, str]] = ..., owner_only: _Optional[bool] = ..., owner_override_role: _Optional[_Union[Role, str]] = ...) -> None: ...
