import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from holidaypeak.commerce.v1 import checkout_pb2 as _checkout_pb2
from holidaypeak.common.v1 import access_pb2 as _access_pb2
from holidaypeak.common.v1 import postal_address_pb2 as _postal_address_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ValidateCheckoutRequest(_message.Message):
    __slots__ = ("shipping_address_id", "payment_method_id", "shipping_option", "user_id")
    SHIPPING_ADDRESS_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_METHOD_ID_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_OPTION_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    shipping_address_id: str
    payment_method_id: str
    shipping_option: str
    user_id: str
    def __init__(self, shipping_address_id: _Optional[str] = ..., payment_method_id: _Optional[str] = ..., shipping_option: _Optional[str] = ..., user_id: _Optional[str] = ...) -> None: ...

class ValidateCheckoutResponse(_message.Message):
    __slots__ = ("valid", "errors", "warnings", "subtotal", "estimated_shipping", "estimated_tax", "estimated_total", "currency_code", "shipping_options", "shipping_option", "subtotal_minor", "estimated_shipping_minor", "estimated_tax_minor", "estimated_total_minor", "risk_assessment", "skipped_checks")
    VALID_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    SUBTOTAL_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_SHIPPING_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_TAX_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_TOTAL_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_OPTION_FIELD_NUMBER: _ClassVar[int]
    SUBTOTAL_MINOR_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_SHIPPING_MINOR_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_TAX_MINOR_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_TOTAL_MINOR_FIELD_NUMBER: _ClassVar[int]
    RISK_ASSESSMENT_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_CHECKS_FIELD_NUMBER: _ClassVar[int]
    valid: bool
    errors: _containers.RepeatedCompositeFieldContainer[_checkout_pb2.CheckoutIssue]
    warnings: _containers.RepeatedCompositeFieldContainer[_checkout_pb2.CheckoutIssue]
    subtotal: float
    estimated_shipping: float
    estimated_tax: float
    estimated_total: float
    currency_code: str
    shipping_options: _containers.RepeatedCompositeFieldContainer[_checkout_pb2.ShippingOption]
    shipping_option: str
    subtotal_minor: int
    estimated_shipping_minor: int
    estimated_tax_minor: int
    estimated_total_minor: int
    risk_assessment: CheckoutRiskAssessment
    skipped_checks: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, valid: _Optional[bool] = ..., errors: _Optional[_Iterable[_Union[_checkout_pb2.CheckoutIssue, _Mapping]]] = ..., warnings: _Optional[_Iterable[_Union[_checkout_pb2.CheckoutIssue, _Mapping]]] = ..., subtotal: _Optional[float] = ..., estimated_shipping: _Optional[float] = ..., estimated_tax: _Optional[float] = ..., estimated_total: _Optional[float] = ..., currency_code: _Optional[str] = ..., shipping_options: _Optional[_Iterable[_Union[_checkout_pb2.ShippingOption, _Mapping]]] = ..., shipping_option: _Optional[str] = ..., subtotal_minor: _Optional[int] = ..., estimated_shipping_minor: _Optional[int] = ..., estimated_tax_minor: _Optional[int] = ..., estimated_total_minor: _Optional[int] = ..., risk_assessment: _Optional[_Union[CheckoutRiskAssessment, _Mapping]] = ..., skipped_checks: _Optional[_Iterable[str]] = ...) -> None: ...

class QuoteCheckoutRequest(_message.Message):
    __slots__ = ("shipping_address_id", "shipping_option", "user_id")
    SHIPPING_ADDRESS_ID_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_OPTION_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    shipping_address_id: str
    shipping_option: str
    user_id: str
    def __init__(self, shipping_address_id: _Optional[str] = ..., shipping_option: _Optional[str] = ..., user_id: _Optional[str] = ...) -> None: ...

class QuoteCheckoutResponse(_message.Message):
    __slots__ = ("lines", "subtotal", "shipping", "tax", "total", "currency_code", "selected_shipping_option", "shipping_options", "shipping_address", "warnings", "quoted_at", "subtotal_minor", "shipping_minor", "tax_minor", "total_minor", "skipped_checks")
    LINES_FIELD_NUMBER: _ClassVar[int]
    SUBTOTAL_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_FIELD_NUMBER: _ClassVar[int]
    TAX_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    SELECTED_SHIPPING_OPTION_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    QUOTED_AT_FIELD_NUMBER: _ClassVar[int]
    SUBTOTAL_MINOR_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_MINOR_FIELD_NUMBER: _ClassVar[int]
    TAX_MINOR_FIELD_NUMBER: _ClassVar[int]
    TOTAL_MINOR_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_CHECKS_FIELD_NUMBER: _ClassVar[int]
    lines: _containers.RepeatedCompositeFieldContainer[_checkout_pb2.CheckoutLine]
    subtotal: float
    shipping: float
    tax: float
    total: float
    currency_code: str
    selected_shipping_option: _checkout_pb2.ShippingOption
    shipping_options: _containers.RepeatedCompositeFieldContainer[_checkout_pb2.ShippingOption]
    shipping_address: _postal_address_pb2.PostalAddress
    warnings: _containers.RepeatedCompositeFieldContainer[_checkout_pb2.CheckoutIssue]
    quoted_at: _timestamp_pb2.Timestamp
    subtotal_minor: int
    shipping_minor: int
    tax_minor: int
    total_minor: int
    skipped_checks: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, lines: _Optional[_Iterable[_Union[_checkout_pb2.CheckoutLine, _Mapping]]] = ..., subtotal: _Optional[float] = ..., shipping: _Optional[float] = ..., tax: _Optional[float] = ..., total: _Optional[float] = ..., currency_code: _Optional[str] = ..., selected_shipping_option: _Optional[_Union[_checkout_pb2.ShippingOption, _Mapping]] = ..., shipping_options: _Optional[_Iterable[_Union[_checkout_pb2.ShippingOption, _Mapping]]] = ..., shipping_address: _Optional[_Union[_postal_address_pb2.PostalAddress, _Mapping]] = ..., warnings: _Optional[_Iterable[_Union[_checkout_pb2.CheckoutIssue, _Mapping]]] = ..., quoted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., subtotal_minor: _Optional[int] = ..., shipping_minor: _Optional[int] = ..., tax_minor: _Optional[int] = ..., total_minor: _Optional[int] = ..., skipped_checks: _Optional[_Iterable[str]] = ...) -> None: ...

class CheckoutRiskAssessment(_message.Message):
    __slots__ = ("decision", "risk_score", "summary", "drivers")
    DECISION_FIELD_NUMBER: _ClassVar[int]
    RISK_SCORE_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    DRIVERS_FIELD_NUMBER: _ClassVar[int]
    decision: str
    risk_score: float
    summary: str
    drivers: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, decision: _Optional[str] = ..., risk_score: _Optional[float] = ..., summary: _Optional[str] = ..., drivers: _Optional[_Iterable[str]] = ...) -> None: ...
