import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from holidaypeak.agents.v1 import agent_types_pb2 as _agent_types_pb2
from holidaypeak.agents.v1 import explanation_pb2 as _explanation_pb2
from holidaypeak.commerce.v1 import return_pb2 as _return_pb2
from holidaypeak.common.v1 import access_pb2 as _access_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ItemCondition(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ITEM_CONDITION_UNSPECIFIED: _ClassVar[ItemCondition]
    ITEM_CONDITION_UNOPENED: _ClassVar[ItemCondition]
    ITEM_CONDITION_OPENED: _ClassVar[ItemCondition]
    ITEM_CONDITION_USED: _ClassVar[ItemCondition]
    ITEM_CONDITION_DAMAGED: _ClassVar[ItemCondition]

class IneligibilityReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INELIGIBILITY_REASON_UNSPECIFIED: _ClassVar[IneligibilityReason]
    INELIGIBILITY_REASON_NOT_DELIVERED: _ClassVar[IneligibilityReason]
    INELIGIBILITY_REASON_WINDOW_CLOSED: _ClassVar[IneligibilityReason]
    INELIGIBILITY_REASON_FINAL_SALE: _ClassVar[IneligibilityReason]
    INELIGIBILITY_REASON_CATEGORY_EXCLUDED: _ClassVar[IneligibilityReason]
    INELIGIBILITY_REASON_CONDITION: _ClassVar[IneligibilityReason]
    INELIGIBILITY_REASON_ALREADY_RETURNED: _ClassVar[IneligibilityReason]
ITEM_CONDITION_UNSPECIFIED: ItemCondition
ITEM_CONDITION_UNOPENED: ItemCondition
ITEM_CONDITION_OPENED: ItemCondition
ITEM_CONDITION_USED: ItemCondition
ITEM_CONDITION_DAMAGED: ItemCondition
INELIGIBILITY_REASON_UNSPECIFIED: IneligibilityReason
INELIGIBILITY_REASON_NOT_DELIVERED: IneligibilityReason
INELIGIBILITY_REASON_WINDOW_CLOSED: IneligibilityReason
INELIGIBILITY_REASON_FINAL_SALE: IneligibilityReason
INELIGIBILITY_REASON_CATEGORY_EXCLUDED: IneligibilityReason
INELIGIBILITY_REASON_CONDITION: IneligibilityReason
INELIGIBILITY_REASON_ALREADY_RETURNED: IneligibilityReason

class ReturnLineRequest(_message.Message):
    __slots__ = ("product_id", "quantity")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    quantity: int
    def __init__(self, product_id: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class CheckReturnEligibilityRequest(_message.Message):
    __slots__ = ("order_id", "items", "reason", "condition")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CONDITION_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    items: _containers.RepeatedCompositeFieldContainer[ReturnLineRequest]
    reason: _return_pb2.ReturnReason
    condition: ItemCondition
    def __init__(self, order_id: _Optional[str] = ..., items: _Optional[_Iterable[_Union[ReturnLineRequest, _Mapping]]] = ..., reason: _Optional[_Union[_return_pb2.ReturnReason, str]] = ..., condition: _Optional[_Union[ItemCondition, str]] = ...) -> None: ...

class CheckReturnEligibilityResponse(_message.Message):
    __slots__ = ("order_id", "eligible", "lines", "delivered_at", "window_closes_at", "refund", "next_steps", "explanation")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ELIGIBLE_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_AT_FIELD_NUMBER: _ClassVar[int]
    WINDOW_CLOSES_AT_FIELD_NUMBER: _ClassVar[int]
    REFUND_FIELD_NUMBER: _ClassVar[int]
    NEXT_STEPS_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    eligible: bool
    lines: _containers.RepeatedCompositeFieldContainer[ReturnLineEligibility]
    delivered_at: _timestamp_pb2.Timestamp
    window_closes_at: _timestamp_pb2.Timestamp
    refund: RefundEstimate
    next_steps: _containers.RepeatedCompositeFieldContainer[_agent_types_pb2.SuggestedAction]
    explanation: _explanation_pb2.Explanation
    def __init__(self, order_id: _Optional[str] = ..., eligible: _Optional[bool] = ..., lines: _Optional[_Iterable[_Union[ReturnLineEligibility, _Mapping]]] = ..., delivered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_closes_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., refund: _Optional[_Union[RefundEstimate, _Mapping]] = ..., next_steps: _Optional[_Iterable[_Union[_agent_types_pb2.SuggestedAction, _Mapping]]] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...

class ReturnLineEligibility(_message.Message):
    __slots__ = ("product_id", "quantity", "returnable_quantity", "eligible", "ineligibility_reason", "message", "item_refund", "restocking_fee")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    RETURNABLE_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    ELIGIBLE_FIELD_NUMBER: _ClassVar[int]
    INELIGIBILITY_REASON_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    ITEM_REFUND_FIELD_NUMBER: _ClassVar[int]
    RESTOCKING_FEE_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    quantity: int
    returnable_quantity: int
    eligible: bool
    ineligibility_reason: IneligibilityReason
    message: str
    item_refund: _agent_types_pb2.Money
    restocking_fee: _agent_types_pb2.Money
    def __init__(self, product_id: _Optional[str] = ..., quantity: _Optional[int] = ..., returnable_quantity: _Optional[int] = ..., eligible: _Optional[bool] = ..., ineligibility_reason: _Optional[_Union[IneligibilityReason, str]] = ..., message: _Optional[str] = ..., item_refund: _Optional[_Union[_agent_types_pb2.Money, _Mapping]] = ..., restocking_fee: _Optional[_Union[_agent_types_pb2.Money, _Mapping]] = ...) -> None: ...

class RefundEstimate(_message.Message):
    __slots__ = ("items", "tax", "shipping", "restocking_fees", "return_shipping_fee", "total")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    TAX_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_FIELD_NUMBER: _ClassVar[int]
    RESTOCKING_FEES_FIELD_NUMBER: _ClassVar[int]
    RETURN_SHIPPING_FEE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    items: _agent_types_pb2.Money
    tax: _agent_types_pb2.Money
    shipping: _agent_types_pb2.Money
    restocking_fees: _agent_types_pb2.Money
    return_shipping_fee: _agent_types_pb2.Money
    total: _agent_types_pb2.Money
    def __init__(self, items: _Optional[_Union[_agent_types_pb2.Money, _Mapping]] = ..., tax: _Optional[_Union[_agent_types_pb2.Money, _Mapping]] = ..., shipping: _Optional[_Union[_agent_types_pb2.Money, _Mapping]] = ..., restocking_fees: _Optional[_Union[_agent_types_pb2.Money, _Mapping]] = ..., return_shipping_fee: _Optional[_Union[_agent_types_pb2.Money, _Mapping]] = ..., total: _Optional[_Union[_agent_types_pb2.Money, _Mapping]] = ...) -> None: ...
