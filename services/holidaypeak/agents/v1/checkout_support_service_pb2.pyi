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

class CheckoutBlockerCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHECKOUT_BLOCKER_CODE_UNSPECIFIED: _ClassVar[CheckoutBlockerCode]
    CHECKOUT_BLOCKER_CODE_CART_EMPTY: _ClassVar[CheckoutBlockerCode]
    CHECKOUT_BLOCKER_CODE_OUT_OF_STOCK: _ClassVar[CheckoutBlockerCode]
    CHECKOUT_BLOCKER_CODE_INSUFFICIENT_STOCK: _ClassVar[CheckoutBlockerCode]
    CHECKOUT_BLOCKER_CODE_PRICE_CHANGED: _ClassVar[CheckoutBlockerCode]
    CHECKOUT_BLOCKER_CODE_PRODUCT_INACTIVE: _ClassVar[CheckoutBlockerCode]
    CHECKOUT_BLOCKER_CODE_MISSING_PRICE: _ClassVar[CheckoutBlockerCode]
    CHECKOUT_BLOCKER_CODE_ADDRESS_MISSING: _ClassVar[CheckoutBlockerCode]
    CHECKOUT_BLOCKER_CODE_ADDRESS_INVALID: _ClassVar[CheckoutBlockerCode]
    CHECKOUT_BLOCKER_CODE_PAYMENT_METHOD_MISSING: _ClassVar[CheckoutBlockerCode]
    CHECKOUT_BLOCKER_CODE_CARD_EXPIRED: _ClassVar[CheckoutBlockerCode]
    CHECKOUT_BLOCKER_CODE_LOW_STOCK: _ClassVar[CheckoutBlockerCode]
    CHECKOUT_BLOCKER_CODE_OTHER: _ClassVar[CheckoutBlockerCode]

class RiskDecision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RISK_DECISION_UNSPECIFIED: _ClassVar[RiskDecision]
    RISK_DECISION_APPROVE: _ClassVar[RiskDecision]
    RISK_DECISION_REVIEW: _ClassVar[RiskDecision]
    RISK_DECISION_DENY: _ClassVar[RiskDecision]
CHECKOUT_BLOCKER_CODE_UNSPECIFIED: CheckoutBlockerCode
CHECKOUT_BLOCKER_CODE_CART_EMPTY: CheckoutBlockerCode
CHECKOUT_BLOCKER_CODE_OUT_OF_STOCK: CheckoutBlockerCode
CHECKOUT_BLOCKER_CODE_INSUFFICIENT_STOCK: CheckoutBlockerCode
CHECKOUT_BLOCKER_CODE_PRICE_CHANGED: CheckoutBlockerCode
CHECKOUT_BLOCKER_CODE_PRODUCT_INACTIVE: CheckoutBlockerCode
CHECKOUT_BLOCKER_CODE_MISSING_PRICE: CheckoutBlockerCode
CHECKOUT_BLOCKER_CODE_ADDRESS_MISSING: CheckoutBlockerCode
CHECKOUT_BLOCKER_CODE_ADDRESS_INVALID: CheckoutBlockerCode
CHECKOUT_BLOCKER_CODE_PAYMENT_METHOD_MISSING: CheckoutBlockerCode
CHECKOUT_BLOCKER_CODE_CARD_EXPIRED: CheckoutBlockerCode
CHECKOUT_BLOCKER_CODE_LOW_STOCK: CheckoutBlockerCode
CHECKOUT_BLOCKER_CODE_OTHER: CheckoutBlockerCode
RISK_DECISION_UNSPECIFIED: RiskDecision
RISK_DECISION_APPROVE: RiskDecision
RISK_DECISION_REVIEW: RiskDecision
RISK_DECISION_DENY: RiskDecision

class ValidateCheckoutRequest(_message.Message):
    __slots__ = ("user_id", "shipping_address_id", "payment_method_id")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_ADDRESS_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_METHOD_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    shipping_address_id: str
    payment_method_id: str
    def __init__(self, user_id: _Optional[str] = ..., shipping_address_id: _Optional[str] = ..., payment_method_id: _Optional[str] = ...) -> None: ...

class ValidateCheckoutResponse(_message.Message):
    __slots__ = ("can_proceed", "blockers", "warnings", "explanation")
    CAN_PROCEED_FIELD_NUMBER: _ClassVar[int]
    BLOCKERS_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    can_proceed: bool
    blockers: _containers.RepeatedCompositeFieldContainer[CheckoutBlocker]
    warnings: _containers.RepeatedCompositeFieldContainer[CheckoutBlocker]
    explanation: _explanation_pb2.Explanation
    def __init__(self, can_proceed: _Optional[bool] = ..., blockers: _Optional[_Iterable[_Union[CheckoutBlocker, _Mapping]]] = ..., warnings: _Optional[_Iterable[_Union[CheckoutBlocker, _Mapping]]] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...

class CheckoutBlocker(_message.Message):
    __slots__ = ("code", "message", "product_id", "field", "requested_quantity", "available_quantity", "price_when_added", "current_price")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    PRICE_WHEN_ADDED_FIELD_NUMBER: _ClassVar[int]
    CURRENT_PRICE_FIELD_NUMBER: _ClassVar[int]
    code: CheckoutBlockerCode
    message: str
    product_id: str
    field: str
    requested_quantity: int
    available_quantity: int
    price_when_added: _agent_types_pb2.Money
    current_price: _agent_types_pb2.Money
    def __init__(self, code: _Optional[_Union[CheckoutBlockerCode, str]] = ..., message: _Optional[str] = ..., product_id: _Optional[str] = ..., field: _Optional[str] = ..., requested_quantity: _Optional[int] = ..., available_quantity: _Optional[int] = ..., price_when_added: _Optional[_Union[_agent_types_pb2.Money, _Mapping]] = ..., current_price: _Optional[_Union[_agent_types_pb2.Money, _Mapping]] = ...) -> None: ...

class AssessRiskRequest(_message.Message):
    __slots__ = ("user_id", "amount", "payment_method_id", "shipping_address_id", "order_id")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_METHOD_ID_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_ADDRESS_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    amount: _agent_types_pb2.Money
    payment_method_id: str
    shipping_address_id: str
    order_id: str
    def __init__(self, user_id: _Optional[str] = ..., amount: _Optional[_Union[_agent_types_pb2.Money, _Mapping]] = ..., payment_method_id: _Optional[str] = ..., shipping_address_id: _Optional[str] = ..., order_id: _Optional[str] = ...) -> None: ...

class AssessRiskResponse(_message.Message):
    __slots__ = ("decision", "risk_score", "review_threshold", "deny_threshold", "explanation")
    DECISION_FIELD_NUMBER: _ClassVar[int]
    RISK_SCORE_FIELD_NUMBER: _ClassVar[int]
    REVIEW_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    DENY_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    decision: RiskDecision
    risk_score: float
    review_threshold: float
    deny_threshold: float
    explanation: _explanation_pb2.Explanation
    def __init__(self, decision: _Optional[_Union[RiskDecision, str]] = ..., risk_score: _Optional[float] = ..., review_threshold: _Optional[float] = ..., deny_threshold: _Optional[float] = ..., explanation: _Optional[_Union[_explanation_pb2.Explanation, _Mapping]] = ...) -> None: ...
