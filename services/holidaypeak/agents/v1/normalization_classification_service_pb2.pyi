from google.api import annotations_pb2 as _annotations_pb2
from holidaypeak.agents.v1 import agent_types_pb2 as _agent_types_pb2
from holidaypeak.agents.v1 import explanation_pb2 as _explanation_pb2
from holidaypeak.common.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class NormalizeRequest(_message.Message):
    __slots__ = ("product_id", "draft")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    DRAFT_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    draft: _agent_types_pb2.ProductDraft
    def __init__(self, product_id: _Optional[str] = ..., draft: _Optional[_Union[_agent_types_pb2.ProductDraft, _Mapping]] = ...) -> None: ...

class NormalizeResponse(_message.Message):
    __slots__ = ("product_id", "fields", "attributes", "explanation")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    fields: _containers.RepeatedCompositeFieldContainer[NormalizedField]
    attributes: _containers.RepeatedCompositeFieldContainer[ExtractedAttribute]
    explanation: _explanation_pb2.Explanation
    def __init__(self, product_id: _Optional[str] = ..., fields: _Optional[_Iterable[_Union[NormalizedField, _Mapping]]] = ..., attributes: _Optional[_Iterable[_Union[ExtractedAttribute, _Mapping]]] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...

class NormalizedField(_message.Message):
    __slots__ = ("field", "original", "normalized", "changed", "rules")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_FIELD_NUMBER: _ClassVar[int]
    NORMALIZED_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    field: str
    original: str
    normalized: str
    changed: bool
    rules: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, field: _Optional[str] = ..., original: _Optional[str] = ..., normalized: _Optional[str] = ..., changed: _Optional[bool] = ..., rules: _Optional[_Iterable[str]] = ...) -> None: ...

class ExtractedAttribute(_message.Message):
    __slots__ = ("name", "value", "source_text", "source_field", "confidence", "current_value")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_TEXT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_VALUE_FIELD_NUMBER: _ClassVar[int]
    name: str
    value: str
    source_text: str
    source_field: str
    confidence: float
    current_value: str
    def __init__(self, name: _Optional[str] = ..., value: _Optional[str] = ..., source_text: _Optional[str] = ..., source_field: _Optional[str] = ..., confidence: _Optional[float] = ..., current_value: _Optional[str] = ...) -> None: ...

class ClassifyRequest(_message.Message):
    __slots__ = ("product_id", "draft", "max_alternatives")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    DRAFT_FIELD_NUMBER: _ClassVar[int]
    MAX_ALTERNATIVES_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    draft: _agent_types_pb2.ProductDraft
    max_alternatives: int
    def __init__(self, product_id: _Optional[str] = ..., draft: _Optional[_Union[_agent_types_pb2.ProductDraft, _Mapping]] = ..., max_alternatives: _Optional[int] = ...) -> None: ...

class ClassifyResponse(_message.Message):
    __slots__ = ("product_id", "prediction", "alternatives", "current_category_id", "agrees_with_current", "explanation")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    PREDICTION_FIELD_NUMBER: _ClassVar[int]
    ALTERNATIVES_FIELD_NUMBER: _ClassVar[int]
    CURRENT_CATEGORY_ID_FIELD_NUMBER: _ClassVar[int]
    AGREES_WITH_CURRENT_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    prediction: _agent_types_pb2.CategoryPrediction
    alternatives: _containers.RepeatedCompositeFieldContainer[_agent_types_pb2.CategoryPrediction]
    current_category_id: str
    agrees_with_current: bool
    explanation: _explanation_pb2.Explanation
    def __init__(self, product_id: _Optional[str] = ..., prediction: _Optional[_Union[_agent_types_pb2.CategoryPrediction, _Mapping]] = ..., alternatives: _Optional[_Iterable[_Union[_agent_types_pb2.CategoryPrediction, _Mapping]]] = ..., current_category_id: _Optional[str] = ..., agrees_with_current: _Optional[bool] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...
