from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.api import httpbody_pb2 as _httpbody_pb2
from holidaypeak.agents.v1 import agent_types_pb2 as _agent_types_pb2
from holidaypeak.agents.v1 import explanation_pb2 as _explanation_pb2
from holidaypeak.common.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AcpAvailability(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACP_AVAILABILITY_UNSPECIFIED: _ClassVar[AcpAvailability]
    ACP_AVAILABILITY_IN_STOCK: _ClassVar[AcpAvailability]
    ACP_AVAILABILITY_OUT_OF_STOCK: _ClassVar[AcpAvailability]
    ACP_AVAILABILITY_PREORDER: _ClassVar[AcpAvailability]
ACP_AVAILABILITY_UNSPECIFIED: AcpAvailability
ACP_AVAILABILITY_IN_STOCK: AcpAvailability
ACP_AVAILABILITY_OUT_OF_STOCK: AcpAvailability
ACP_AVAILABILITY_PREORDER: AcpAvailability

class AcpFeedItem(_message.Message):
    __slots__ = ("item_id", "title", "description", "url", "brand", "product_category", "image_url", "price", "availability", "inventory_quantity", "is_eligible_search", "is_eligible_checkout", "seller_name", "seller_url", "return_policy", "return_window_days", "store_country", "target_countries")
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    BRAND_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_FIELD_NUMBER: _ClassVar[int]
    INVENTORY_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    IS_ELIGIBLE_SEARCH_FIELD_NUMBER: _ClassVar[int]
    IS_ELIGIBLE_CHECKOUT_FIELD_NUMBER: _ClassVar[int]
    SELLER_NAME_FIELD_NUMBER: _ClassVar[int]
    SELLER_URL_FIELD_NUMBER: _ClassVar[int]
    RETURN_POLICY_FIELD_NUMBER: _ClassVar[int]
    RETURN_WINDOW_DAYS_FIELD_NUMBER: _ClassVar[int]
    STORE_COUNTRY_FIELD_NUMBER: _ClassVar[int]
    TARGET_COUNTRIES_FIELD_NUMBER: _ClassVar[int]
    item_id: str
    title: str
    description: str
    url: str
    brand: str
    product_category: str
    image_url: str
    price: _agent_types_pb2.Money
    availability: AcpAvailability
    inventory_quantity: int
    is_eligible_search: bool
    is_eligible_checkout: bool
    seller_name: str
    seller_url: str
    return_policy: str
    return_window_days: int
    store_country: str
    target_countries: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, item_id: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., url: _Optional[str] = ..., brand: _Optional[str] = ..., product_category: _Optional[str] = ..., image_url: _Optional[str] = ..., price: _Optional[_Union[_agent_types_pb2.Money, _Mapping]] = ..., availability: _Optional[_Union[AcpAvailability, str]] = ..., inventory_quantity: _Optional[int] = ..., is_eligible_search: _Optional[bool] = ..., is_eligible_checkout: _Optional[bool] = ..., seller_name: _Optional[str] = ..., seller_url: _Optional[str] = ..., return_policy: _Optional[str] = ..., return_window_days: _Optional[int] = ..., store_country: _Optional[str] = ..., target_countries: _Optional[_Iterable[str]] = ...) -> None: ...

class AcpFieldIssue(_message.Message):
    __slots__ = ("field", "reason", "severity")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    field: str
    reason: str
    severity: _agent_types_pb2.Severity
    def __init__(self, field: _Optional[str] = ..., reason: _Optional[str] = ..., severity: _Optional[_Union[_agent_types_pb2.Severity, str]] = ...) -> None: ...

class AcpFeedEntry(_message.Message):
    __slots__ = ("item", "valid", "issues")
    ITEM_FIELD_NUMBER: _ClassVar[int]
    VALID_FIELD_NUMBER: _ClassVar[int]
    ISSUES_FIELD_NUMBER: _ClassVar[int]
    item: AcpFeedItem
    valid: bool
    issues: _containers.RepeatedCompositeFieldContainer[AcpFieldIssue]
    def __init__(self, item: _Optional[_Union[AcpFeedItem, _Mapping]] = ..., valid: _Optional[bool] = ..., issues: _Optional[_Iterable[_Union[AcpFieldIssue, _Mapping]]] = ...) -> None: ...

class ToAcpItemRequest(_message.Message):
    __slots__ = ("product_id",)
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    def __init__(self, product_id: _Optional[str] = ...) -> None: ...

class ToAcpItemResponse(_message.Message):
    __slots__ = ("entry", "spec_version", "explanation")
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    SPEC_VERSION_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    entry: AcpFeedEntry
    spec_version: str
    explanation: _explanation_pb2.Explanation
    def __init__(self, entry: _Optional[_Union[AcpFeedEntry, _Mapping]] = ..., spec_version: _Optional[str] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...

class ExportFeedRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "include_invalid")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_INVALID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    include_invalid: bool
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., include_invalid: _Optional[bool] = ...) -> None: ...

class ExportFeedResponse(_message.Message):
    __slots__ = ("entries", "next_page_token", "valid_items", "invalid_items", "spec_version", "explanation")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    VALID_ITEMS_FIELD_NUMBER: _ClassVar[int]
    INVALID_ITEMS_FIELD_NUMBER: _ClassVar[int]
    SPEC_VERSION_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[AcpFeedEntry]
    next_page_token: str
    valid_items: int
    invalid_items: int
    spec_version: str
    explanation: _explanation_pb2.Explanation
    def __init__(self, entries: _Optional[_Iterable[_Union[AcpFeedEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., valid_items: _Optional[int] = ..., invalid_items: _Optional[int] = ..., spec_version: _Optional[str] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...

class ExportFeedLinesRequest(_message.Message):
    __slots__ = ("page_size", "start_after", "include_invalid")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    START_AFTER_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_INVALID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    start_after: str
    include_invalid: bool
    def __init__(self, page_size: _Optional[int] = ..., start_after: _Optional[str] = ..., include_invalid: _Optional[bool] = ...) -> None: ...
