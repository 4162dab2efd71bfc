from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from holidaypeak.commerce.v1 import cart_pb2 as _cart_pb2
from holidaypeak.common.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CartView(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CART_VIEW_UNSPECIFIED: _ClassVar[CartView]
    CART_VIEW_FULL: _ClassVar[CartView]
    CART_VIEW_STORED: _ClassVar[CartView]
CART_VIEW_UNSPECIFIED: CartView
CART_VIEW_FULL: CartView
CART_VIEW_STORED: CartView

class GetCartRequest(_message.Message):
    __slots__ = ("user_id", "view")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    view: CartView
    def __init__(self, user_id: _Optional[str] = ..., view: _Optional[_Union[CartView, str]] = ...) -> None: ...

class AddCartItemRequest(_message.Message):
    __slots__ = ("product_id", "quantity", "request_id")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    quantity: int
    request_id: str
    def __init__(self, product_id: _Optional[str] = ..., quantity: _Optional[int] = ..., request_id: _Optional[str] = ...) -> None: ...

class UpdateCartItemRequest(_message.Message):
    __slots__ = ("product_id", "quantity", "etag", "request_id")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    quantity: int
    etag: str
    request_id: str
    def __init__(self, product_id: _Optional[str] = ..., quantity: _Optional[int] = ..., etag: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RemoveCartItemRequest(_message.Message):
    __slots__ = ("product_id", "etag", "request_id")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    etag: str
    request_id: str
    def __init__(self, product_id: _Optional[str] = ..., etag: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ClearCartRequest(_message.Message):
    __slots__ = ("user_id", "etag", "request_id")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    etag: str
    request_id: str
    def __init__(self, user_id: _Optional[str] = ..., etag: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...
