from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class ErrorReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_REASON_UNSPECIFIED: _ClassVar[ErrorReason]
    ERROR_REASON_VALIDATION_FAILED: _ClassVar[ErrorReason]
    ERROR_REASON_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_ALREADY_EXISTS: _ClassVar[ErrorReason]
    ERROR_REASON_CONCURRENT_MODIFICATION: _ClassVar[ErrorReason]
    ERROR_REASON_UNAUTHENTICATED: _ClassVar[ErrorReason]
    ERROR_REASON_ROLE_REQUIRED: _ClassVar[ErrorReason]
    ERROR_REASON_NOT_OWNER: _ClassVar[ErrorReason]
    ERROR_REASON_OUT_OF_STOCK: _ClassVar[ErrorReason]
    ERROR_REASON_PRODUCT_INACTIVE: _ClassVar[ErrorReason]
    ERROR_REASON_PAYMENT_DECLINED: _ClassVar[ErrorReason]
    ERROR_REASON_PAYMENT_ACTION_REQUIRED: _ClassVar[ErrorReason]
    ERROR_REASON_ILLEGAL_TRANSITION: _ClassVar[ErrorReason]
    ERROR_REASON_IDEMPOTENCY_KEY_REUSED: _ClassVar[ErrorReason]
    ERROR_REASON_REQUEST_IN_FLIGHT: _ClassVar[ErrorReason]
    ERROR_REASON_RATE_LIMITED: _ClassVar[ErrorReason]
    ERROR_REASON_DUPLICATE: _ClassVar[ErrorReason]
    ERROR_REASON_CART_EMPTY: _ClassVar[ErrorReason]
    ERROR_REASON_AMOUNT_MISMATCH: _ClassVar[ErrorReason]
    ERROR_REASON_WINDOW_CLOSED: _ClassVar[ErrorReason]
ERROR_REASON_UNSPECIFIED: ErrorReason
ERROR_REASON_VALIDATION_FAILED: ErrorReason
ERROR_REASON_NOT_FOUND: ErrorReason
ERROR_REASON_ALREADY_EXISTS: ErrorReason
ERROR_REASON_CONCURRENT_MODIFICATION: ErrorReason
ERROR_REASON_UNAUTHENTICATED: ErrorReason
ERROR_REASON_ROLE_REQUIRED: ErrorReason
ERROR_REASON_NOT_OWNER: ErrorReason
ERROR_REASON_OUT_OF_STOCK: ErrorReason
ERROR_REASON_PRODUCT_INACTIVE: ErrorReason
ERROR_REASON_PAYMENT_DECLINED: ErrorReason
ERROR_REASON_PAYMENT_ACTION_REQUIRED: ErrorReason
ERROR_REASON_ILLEGAL_TRANSITION: ErrorReason
ERROR_REASON_IDEMPOTENCY_KEY_REUSED: ErrorReason
ERROR_REASON_REQUEST_IN_FLIGHT: ErrorReason
ERROR_REASON_RATE_LIMITED: ErrorReason
ERROR_REASON_DUPLICATE: ErrorReason
ERROR_REASON_CART_EMPTY: ErrorReason
ERROR_REASON_AMOUNT_MISMATCH: ErrorReason
ERROR_REASON_WINDOW_CLOSED: ErrorReason
