from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
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

class FindingCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FINDING_CODE_UNSPECIFIED: _ClassVar[FindingCode]
    FINDING_CODE_MISSING_FIELD: _ClassVar[FindingCode]
    FINDING_CODE_SHORT_FIELD: _ClassVar[FindingCode]
    FINDING_CODE_NON_POSITIVE_PRICE: _ClassVar[FindingCode]
    FINDING_CODE_PRICE_OUTLIER: _ClassVar[FindingCode]
    FINDING_CODE_DUPLICATE_SKU: _ClassVar[FindingCode]
    FINDING_CODE_NEAR_DUPLICATE_TITLE: _ClassVar[FindingCode]
    FINDING_CODE_CATEGORY_MISMATCH: _ClassVar[FindingCode]
    FINDING_CODE_INVALID_IMAGE_URL: _ClassVar[FindingCode]
FINDING_CODE_UNSPECIFIED: FindingCode
FINDING_CODE_MISSING_FIELD: FindingCode
FINDING_CODE_SHORT_FIELD: FindingCode
FINDING_CODE_NON_POSITIVE_PRICE: FindingCode
FINDING_CODE_PRICE_OUTLIER: FindingCode
FINDING_CODE_DUPLICATE_SKU: FindingCode
FINDING_CODE_NEAR_DUPLICATE_TITLE: FindingCode
FINDING_CODE_CATEGORY_MISMATCH: FindingCode
FINDING_CODE_INVALID_IMAGE_URL: FindingCode

class ConsistencyFinding(_message.Message):
    __slots__ = ("code", "field", "severity", "message", "related_product_ids", "evidence")
    CODE_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    RELATED_PRODUCT_IDS_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    code: FindingCode
    field: str
    severity: _agent_types_pb2.Severity
    message: str
    related_product_ids: _containers.RepeatedScalarFieldContainer[str]
    evidence: _containers.RepeatedCompositeFieldContainer[_explanation_pb2.Driver]
    def __init__(self, code: _Optional[_Union[FindingCode, str]] = ..., field: _Optional[str] = ..., severity: _Optional[_Union[_agent_types_pb2.Severity, str]] = ..., message: _Optional[str] = ..., related_product_ids: _Optional[_Iterable[str]] = ..., evidence: _Optional[_Iterable[_Union[_explanation_pb2.Driver, _Mapping]]] = ...) -> None: ...

class ProductAudit(_message.Message):
    __slots__ = ("product", "findings", "completeness")
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    FINDINGS_FIELD_NUMBER: _ClassVar[int]
    COMPLETENESS_FIELD_NUMBER: _ClassVar[int]
    product: _agent_types_pb2.ProductRef
    findings: _containers.RepeatedCompositeFieldContainer[ConsistencyFinding]
    completeness: _agent_types_pb2.CompletenessScore
    def __init__(self, product: _Optional[_Union[_agent_types_pb2.ProductRef, _Mapping]] = ..., findings: _Optional[_Iterable[_Union[ConsistencyFinding, _Mapping]]] = ..., completeness: _Optional[_Union[_agent_types_pb2.CompletenessScore, _Mapping]] = ...) -> None: ...

class FindingCount(_message.Message):
    __slots__ = ("code", "count")
    CODE_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    code: FindingCode
    count: int
    def __init__(self, code: _Optional[_Union[FindingCode, str]] = ..., count: _Optional[int] = ...) -> None: ...

class ValidateProductRequest(_message.Message):
    __slots__ = ("product_id",)
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    def __init__(self, product_id: _Optional[str] = ...) -> None: ...

class ValidateProductResponse(_message.Message):
    __slots__ = ("audit", "explanation")
    AUDIT_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    audit: ProductAudit
    explanation: _explanation_pb2.Explanation
    def __init__(self, audit: _Optional[_Union[ProductAudit, _Mapping]] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...

class AuditCatalogRequest(_message.Message):
    __slots__ = ("category_id", "min_severity", "codes", "page_size", "page_token")
    CATEGORY_ID_FIELD_NUMBER: _ClassVar[int]
    MIN_SEVERITY_FIELD_NUMBER: _ClassVar[int]
    CODES_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    category_id: str
    min_severity: _agent_types_pb2.Severity
    codes: _containers.RepeatedScalarFieldContainer[FindingCode]
    page_size: int
    page_token: str
    def __init__(self, category_id: _Optional[str] = ..., min_severity: _Optional[_Union[_agent_types_pb2.Severity, str]] = ..., codes: _Optional[_Iterable[_Union[FindingCode, str]]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class AuditCatalogResponse(_message.Message):
    __slots__ = ("products", "next_page_token", "products_checked", "products_with_findings", "findings_by_code", "mean_completeness", "explanation")
    PRODUCTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PRODUCTS_CHECKED_FIELD_NUMBER: _ClassVar[int]
    PRODUCTS_WITH_FINDINGS_FIELD_NUMBER: _ClassVar[int]
    FINDINGS_BY_CODE_FIELD_NUMBER: _ClassVar[int]
    MEAN_COMPLETENESS_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    products: _containers.RepeatedCompositeFieldContainer[ProductAudit]
    next_page_token: str
    products_checked: int
    products_with_findings: int
    findings_by_code: _containers.RepeatedCompositeFieldContainer[FindingCount]
    mean_completeness: float
    explanation: _explanation_pb2.Explanation
    def __init__(self, products: _Optional[_Iterable[_Union[ProductAudit, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., products_checked: _Optional[int] = ..., products_with_findings: _Optional[int] = ..., findings_by_code: _Optional[_Iterable[_Union[FindingCount, _Mapping]]] = ..., mean_completeness: _Optional[float] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...
