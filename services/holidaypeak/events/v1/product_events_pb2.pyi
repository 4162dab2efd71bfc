from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ProductStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PRODUCT_STATUS_UNSPECIFIED: _ClassVar[ProductStatus]
    PRODUCT_STATUS_ACTIVE: _ClassVar[ProductStatus]
    PRODUCT_STATUS_ARCHIVED: _ClassVar[ProductStatus]
PRODUCT_STATUS_UNSPECIFIED: ProductStatus
PRODUCT_STATUS_ACTIVE: ProductStatus
PRODUCT_STATUS_ARCHIVED: ProductStatus

class ProductSnapshot(_message.Message):
    __slots__ = ("product_id", "name", "description", "brand", "category_id", "price_minor", "currency_code", "image_url", "tags", "status", "attributes")
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    BRAND_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_ID_FIELD_NUMBER: _ClassVar[int]
    PRICE_MINOR_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    name: str
    description: str
    brand: str
    category_id: str
    price_minor: int
    currency_code: str
    image_url: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    status: ProductStatus
    attributes: _containers.ScalarMap[str, str]
    def __init__(self, product_id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., brand: _Optional[str] = ..., category_id: _Optional[str] = ..., price_minor: _Optional[int] = ..., currency_code: _Optional[str] = ..., image_url: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., status: _Optional[_Union[ProductStatus, str]] = ..., attributes: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ProductCreated(_message.Message):
    __slots__ = ("product", "actor_id")
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    product: ProductSnapshot
    actor_id: str
    def __init__(self, product: _Optional[_Union[ProductSnapshot, _Mapping]] = ..., actor_id: _Optional[str] = ...) -> None: ...

class ProductUpdated(_message.Message):
    __slots__ = ("product", "changed_fields", "previous_price_minor", "actor_id")
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_PRICE_MINOR_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    product: ProductSnapshot
    changed_fields: _containers.RepeatedScalarFieldContainer[str]
    previous_price_minor: int
    actor_id: str
    def __init__(self, product: _Optional[_Union[ProductSnapshot, _Mapping]] = ..., changed_fields: _Optional[_Iterable[str]] = ..., previous_price_minor: _Optional[int] = ..., actor_id: _Optional[str] = ...) -> None: ...

class ProductArchived(_message.Message):
    __slots__ = ("product_id", "category_id", "actor_id")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    category_id: str
    actor_id: str
    def __init__(self, product_id: _Optional[str] = ..., category_id: _Optional[str] = ..., actor_id: _Optional[str] = ...) -> None: ...
