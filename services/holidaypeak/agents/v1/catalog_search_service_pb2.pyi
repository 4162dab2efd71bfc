from google.api import annotations_pb2 as _annotations_pb2
from holidaypeak.agents.v1 import explanation_pb2 as _explanation_pb2
from holidaypeak.common.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RewriteKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REWRITE_KIND_UNSPECIFIED: _ClassVar[RewriteKind]
    REWRITE_KIND_TYPO: _ClassVar[RewriteKind]
    REWRITE_KIND_SYNONYM: _ClassVar[RewriteKind]
    REWRITE_KIND_PRICE_INTENT: _ClassVar[RewriteKind]
    REWRITE_KIND_DROPPED: _ClassVar[RewriteKind]

class SuggestionKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SUGGESTION_KIND_UNSPECIFIED: _ClassVar[SuggestionKind]
    SUGGESTION_KIND_PRODUCT: _ClassVar[SuggestionKind]
    SUGGESTION_KIND_CATEGORY: _ClassVar[SuggestionKind]
    SUGGESTION_KIND_BRAND: _ClassVar[SuggestionKind]
REWRITE_KIND_UNSPECIFIED: RewriteKind
REWRITE_KIND_TYPO: RewriteKind
REWRITE_KIND_SYNONYM: RewriteKind
REWRITE_KIND_PRICE_INTENT: RewriteKind
REWRITE_KIND_DROPPED: RewriteKind
SUGGESTION_KIND_UNSPECIFIED: SuggestionKind
SUGGESTION_KIND_PRODUCT: SuggestionKind
SUGGESTION_KIND_CATEGORY: SuggestionKind
SUGGESTION_KIND_BRAND: SuggestionKind

class SearchRequest(_message.Message):
    __slots__ = ("q", "category", "min_price", "max_price", "in_stock", "brand", "page_size", "page_token")
    Q_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    MIN_PRICE_FIELD_NUMBER: _ClassVar[int]
    MAX_PRICE_FIELD_NUMBER: _ClassVar[int]
    IN_STOCK_FIELD_NUMBER: _ClassVar[int]
    BRAND_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    q: str
    category: str
    min_price: float
    max_price: float
    in_stock: bool
    brand: _containers.RepeatedScalarFieldContainer[str]
    page_size: int
    page_token: str
    def __init__(self, q: _Optional[str] = ..., category: _Optional[str] = ..., min_price: _Optional[float] = ..., max_price: _Optional[float] = ..., in_stock: _Optional[bool] = ..., brand: _Optional[_Iterable[str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class SearchResponse(_message.Message):
    __slots__ = ("hits", "next_page_token", "total_size", "facets", "interpretation", "explanation")
    HITS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    FACETS_FIELD_NUMBER: _ClassVar[int]
    INTERPRETATION_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    hits: _containers.RepeatedCompositeFieldContainer[SearchHit]
    next_page_token: str
    total_size: int
    facets: _containers.RepeatedCompositeFieldContainer[Facet]
    interpretation: QueryInterpretation
    explanation: _explanation_pb2.Explanation
    def __init__(self, hits: _Optional[_Iterable[_Union[SearchHit, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ..., facets: _Optional[_Iterable[_Union[Facet, _Mapping]]] = ..., interpretation: _Optional[_Union[QueryInterpretation, _Mapping]] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...

class SearchHit(_message.Message):
    __slots__ = ("product_id", "name", "brand", "price", "currency_code", "image_url", "category_id", "category_name", "in_stock", "rating", "review_count", "score", "matched_fields", "drivers", "snippet")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    BRAND_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_ID_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_NAME_FIELD_NUMBER: _ClassVar[int]
    IN_STOCK_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    REVIEW_COUNT_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    MATCHED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    DRIVERS_FIELD_NUMBER: _ClassVar[int]
    SNIPPET_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    name: str
    brand: str
    price: float
    currency_code: str
    image_url: str
    category_id: str
    category_name: str
    in_stock: bool
    rating: float
    review_count: int
    score: float
    matched_fields: _containers.RepeatedScalarFieldContainer[str]
    drivers: _containers.RepeatedCompositeFieldContainer[_explanation_pb2.Driver]
    snippet: str
    def __init__(self, product_id: _Optional[str] = ..., name: _Optional[str] = ..., brand: _Optional[str] = ..., price: _Optional[float] = ..., currency_code: _Optional[str] = ..., image_url: _Optional[str] = ..., category_id: _Optional[str] = ..., category_name: _Optional[str] = ..., in_stock: _Optional[bool] = ..., rating: _Optional[float] = ..., review_count: _Optional[int] = ..., score: _Optional[float] = ..., matched_fields: _Optional[_Iterable[str]] = ..., drivers: _Optional[_Iterable[_Union[_explanation_pb2.Driver, _Mapping]]] = ..., snippet: _Optional[str] = ...) -> None: ...

class Facet(_message.Message):
    __slots__ = ("name", "values")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    name: str
    values: _containers.RepeatedCompositeFieldContainer[FacetValue]
    def __init__(self, name: _Optional[str] = ..., values: _Optional[_Iterable[_Union[FacetValue, _Mapping]]] = ...) -> None: ...

class FacetValue(_message.Message):
    __slots__ = ("value", "label", "count", "selected", "min_price", "max_price")
    VALUE_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    SELECTED_FIELD_NUMBER: _ClassVar[int]
    MIN_PRICE_FIELD_NUMBER: _ClassVar[int]
    MAX_PRICE_FIELD_NUMBER: _ClassVar[int]
    value: str
    label: str
    count: int
    selected: bool
    min_price: float
    max_price: float
    def __init__(self, value: _Optional[str] = ..., label: _Optional[str] = ..., count: _Optional[int] = ..., selected: _Optional[bool] = ..., min_price: _Optional[float] = ..., max_price: _Optional[float] = ...) -> None: ...

class QueryInterpretation(_message.Message):
    __slots__ = ("original", "effective", "rewrites", "relaxed", "min_price", "max_price")
    ORIGINAL_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_FIELD_NUMBER: _ClassVar[int]
    REWRITES_FIELD_NUMBER: _ClassVar[int]
    RELAXED_FIELD_NUMBER: _ClassVar[int]
    MIN_PRICE_FIELD_NUMBER: _ClassVar[int]
    MAX_PRICE_FIELD_NUMBER: _ClassVar[int]
    original: str
    effective: str
    rewrites: _containers.RepeatedCompositeFieldContainer[QueryRewrite]
    relaxed: bool
    min_price: float
    max_price: float
    def __init__(self, original: _Optional[str] = ..., effective: _Optional[str] = ..., rewrites: _Optional[_Iterable[_Union[QueryRewrite, _Mapping]]] = ..., relaxed: _Optional[bool] = ..., min_price: _Optional[float] = ..., max_price: _Optional[float] = ...) -> None: ...

class QueryRewrite(_message.Message):
    __slots__ = ("kind", "original", "rewritten", "reason")
    KIND_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_FIELD_NUMBER: _ClassVar[int]
    REWRITTEN_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    kind: RewriteKind
    original: str
    rewritten: str
    reason: str
    def __init__(self, kind: _Optional[_Union[RewriteKind, str]] = ..., original: _Optional[str] = ..., rewritten: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class SuggestRequest(_message.Message):
    __slots__ = ("prefix", "limit")
    PREFIX_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    prefix: str
    limit: int
    def __init__(self, prefix: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class SuggestResponse(_message.Message):
    __slots__ = ("suggestions", "explanation")
    SUGGESTIONS_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    suggestions: _containers.RepeatedCompositeFieldContainer[Suggestion]
    explanation: _explanation_pb2.Explanation
    def __init__(self, suggestions: _Optional[_Iterable[_Union[Suggestion, _Mapping]]] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...

class Suggestion(_message.Message):
    __slots__ = ("text", "kind", "id", "product_count")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_COUNT_FIELD_NUMBER: _ClassVar[int]
    text: str
    kind: SuggestionKind
    id: str
    product_count: int
    def __init__(self, text: _Optional[str] = ..., kind: _Optional[_Union[SuggestionKind, str]] = ..., id: _Optional[str] = ..., product_count: _Optional[int] = ...) -> None: ...
