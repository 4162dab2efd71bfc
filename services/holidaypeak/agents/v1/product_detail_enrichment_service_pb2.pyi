from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from holidaypeak.agents.v1 import agent_types_pb2 as _agent_types_pb2
from holidaypeak.agents.v1 import explanation_pb2 as _explanation_pb2
from holidaypeak.commerce.v1 import inventory_item_pb2 as _inventory_item_pb2
from holidaypeak.common.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EnrichProductRequest(_message.Message):
    __slots__ = ("product_id", "highlight_limit", "related_limit")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    HIGHLIGHT_LIMIT_FIELD_NUMBER: _ClassVar[int]
    RELATED_LIMIT_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    highlight_limit: int
    related_limit: int
    def __init__(self, product_id: _Optional[str] = ..., highlight_limit: _Optional[int] = ..., related_limit: _Optional[int] = ...) -> None: ...

class EnrichProductResponse(_message.Message):
    __slots__ = ("product_id", "rating", "highlights", "availability", "frequently_bought_together", "similar", "completeness", "explanation")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    HIGHLIGHTS_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_FIELD_NUMBER: _ClassVar[int]
    FREQUENTLY_BOUGHT_TOGETHER_FIELD_NUMBER: _ClassVar[int]
    SIMILAR_FIELD_NUMBER: _ClassVar[int]
    COMPLETENESS_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    rating: RatingSummary
    highlights: _containers.RepeatedCompositeFieldContainer[ReviewHighlight]
    availability: _inventory_item_pb2.SkuAvailability
    frequently_bought_together: _containers.RepeatedCompositeFieldContainer[_agent_types_pb2.ProductSuggestion]
    similar: _containers.RepeatedCompositeFieldContainer[_agent_types_pb2.ProductSuggestion]
    completeness: _agent_types_pb2.CompletenessScore
    explanation: _explanation_pb2.Explanation
    def __init__(self, product_id: _Optional[str] = ..., rating: _Optional[_Union[RatingSummary, _Mapping]] = ..., highlights: _Optional[_Iterable[_Union[ReviewHighlight, _Mapping]]] = ..., availability: _Optional[_Union[_inventory_item_pb2.SkuAvailability, _Mapping]] = ..., frequently_bought_together: _Optional[_Iterable[_Union[_agent_types_pb2.ProductSuggestion, _Mapping]]] = ..., similar: _Optional[_Iterable[_Union[_agent_types_pb2.ProductSuggestion, _Mapping]]] = ..., completeness: _Optional[_Union[_agent_types_pb2.CompletenessScore, _Mapping]] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...

class RatingSummary(_message.Message):
    __slots__ = ("mean", "count", "histogram")
    MEAN_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    HISTOGRAM_FIELD_NUMBER: _ClassVar[int]
    mean: float
    count: int
    histogram: _containers.RepeatedCompositeFieldContainer[RatingBucket]
    def __init__(self, mean: _Optional[float] = ..., count: _Optional[int] = ..., histogram: _Optional[_Iterable[_Union[RatingBucket, _Mapping]]] = ...) -> None: ...

class RatingBucket(_message.Message):
    __slots__ = ("stars", "count", "share")
    STARS_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    SHARE_FIELD_NUMBER: _ClassVar[int]
    stars: int
    count: int
    share: float
    def __init__(self, stars: _Optional[int] = ..., count: _Optional[int] = ..., share: _Optional[float] = ...) -> None: ...

class ReviewHighlight(_message.Message):
    __slots__ = ("phrase", "mention_count", "mean_rating", "review_ids")
    PHRASE_FIELD_NUMBER: _ClassVar[int]
    MENTION_COUNT_FIELD_NUMBER: _ClassVar[int]
    MEAN_RATING_FIELD_NUMBER: _ClassVar[int]
    REVIEW_IDS_FIELD_NUMBER: _ClassVar[int]
    phrase: str
    mention_count: int
    mean_rating: float
    review_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, phrase: _Optional[str] = ..., mention_count: _Optional[int] = ..., mean_rating: _Optional[float] = ..., review_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class SimilarProductsRequest(_message.Message):
    __slots__ = ("product_id", "limit", "in_stock_only")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    IN_STOCK_ONLY_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    limit: int
    in_stock_only: bool
    def __init__(self, product_id: _Optional[str] = ..., limit: _Optional[int] = ..., in_stock_only: _Optional[bool] = ...) -> None: ...

class SimilarProductsResponse(_message.Message):
    __slots__ = ("product_id", "products", "explanation")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCTS_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    products: _containers.RepeatedCompositeFieldContainer[_agent_types_pb2.ProductSuggestion]
    explanation: _explanation_pb2.Explanation
    def __init__(self, product_id: _Optional[str] = ..., products: _Optional[_Iterable[_Union[_agent_types_pb2.ProductSuggestion, _Mapping]]] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...
