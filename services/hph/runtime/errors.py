"""Domain errors and their one mapping to gRPC status with `google.rpc` details.

Handlers and domain code raise these; the error interceptor turns them into a rich status
(`google.rpc.Status` with ErrorInfo / BadRequest / PreconditionFailure details). Nothing else
builds gRPC statuses by hand.

Every reason is a value of the contract's `ErrorReason` enum (`error_reason.proto`, the catalogue
integrators read); `reason_text` is the one place a reason becomes the ErrorInfo string, and it
refuses anything that is not a value a client may be sent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import cast

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason

log = logging.getLogger("hph.errors")

ERROR_DOMAIN = "holidaypeak.hub"
_REASON_PREFIX = "ERROR_REASON_"
# The ErrorInfo string of every value a client may be sent (all but UNSPECIFIED), and back.
_REASON_TEXT: dict[int, str] = {
    value.number: value.name.removeprefix(_REASON_PREFIX) for value in ErrorReason.DESCRIPTOR.values if value.number
}
_REASON_OF_TEXT: dict[str, ErrorReason] = {text: cast(ErrorReason, number) for number, text in _REASON_TEXT.items()}


def reason_text(reason: ErrorReason) -> str:
    """The ErrorInfo.reason string of `reason`: its enum name without the `ERROR_REASON_` prefix.

    Raises ValueError for UNSPECIFIED, a number the enum lacks or a string, so a reason missing from
    the catalogue fails where it is raised instead of reaching a client.
    """
    text = _REASON_TEXT.get(reason) if isinstance(reason, int) else None
    if text is None:
        raise ValueError(f"{reason!r} is not an ErrorReason a client may be sent (see error_reason.proto)")
    return text


def reason_from_text(text: str, fallback: ErrorReason) -> ErrorReason:
    """The reason another service sent (its ErrorInfo.reason), to pass on to our caller.

    `fallback` when it sent none, or one this build's enum lacks (a callee built from a newer
    contract): the refusal still reaches the caller, with the generic reason of its status code.
    """
    reason = _REASON_OF_TEXT.get(text)
    if reason is None:
        if text:
            log.warning("a downstream service sent the unknown reason %r; passing on %s", text, reason_text(fallback))
        return fallback
    return reason


@dataclass(frozen=True)
class FieldViolation:
    """One invalid request field: its path (snake_case, dotted) and what is wrong with it."""

    field: str
    description: str


@dataclass
class DomainError(Exception):
    """Base of every error a client may cause; carries a stable reason for ErrorInfo."""

    message: str
    reason: ErrorReason
    metadata: Mapping[str, str] = field(default_factory=dict)

    code: grpc.StatusCode = field(default=grpc.StatusCode.UNKNOWN, init=False)

    def __post_init__(self) -> None:
        super().__init__(self.message)
        reason_text(self.reason)  # a reason no client may be sent fails here, where it is raised

    def extra_details(self) -> list[any_pb2.Any]:
        """Details beyond ErrorInfo that a subclass contributes."""
        return []

    def to_status(self) -> status_pb2.Status:
        info = error_details_pb2.ErrorInfo(
            reason=reason_text(self.reason), domain=ERROR_DOMAIN, metadata=dict(self.metadata)
        )
        details = [_pack(info), *self.extra_details()]
        return status_pb2.Status(code=self.code.value[0], message=self.message, details=details)


@dataclass
class InvalidArgument(DomainError):
    """The request is malformed; `violations` names each bad field."""

    violations: tuple[FieldViolation, ...] = ()
    reason: ErrorReason = ErrorReason.ERROR_REASON_VALIDATION_FAILED

    def __post_init__(self) -> None:
        super().__post_init__()
        self.code = grpc.StatusCode.INVALID_ARGUMENT

    @classmethod
    def for_field(cls, field_path: str, description: str) -> InvalidArgument:
        """The common case: one field is wrong."""
        return cls(f"{field_path}: {description}", violations=(FieldViolation(field_path, description),))

    def extra_details(self) -> list[any_pb2.Any]:
        return [_pack(_bad_request(self.violations))]


@dataclass
class NotFound(DomainError):
    """The resource does not exist or is not visible to the caller."""

    reason: ErrorReason = ErrorReason.ERROR_REASON_NOT_FOUND

    def __post_init__(self) -> None:
        super().__post_init__()
        self.code = grpc.StatusCode.NOT_FOUND


@dataclass
class AlreadyExists(DomainError):
    """A resource with the same identity exists."""

    reason: ErrorReason = ErrorReason.ERROR_REASON_ALREADY_EXISTS

    def __post_init__(self) -> None:
        super().__post_init__()
        self.code = grpc.StatusCode.ALREADY_EXISTS


@dataclass
class FailedPrecondition(DomainError):
    """A business rule refuses the request in the current state (out of stock, illegal transition).

    `violations` optionally names the parts of the request the rule refused (e.g. the order lines
    over a purchase limit, with what is still allowed); they travel as a BadRequest detail beside the
    PreconditionFailure."""

    subject: str = ""
    reason: ErrorReason = ErrorReason.ERROR_REASON_FAILED_PRECONDITION
    violations: tuple[FieldViolation, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        self.code = grpc.StatusCode.FAILED_PRECONDITION

    def extra_details(self) -> list[any_pb2.Any]:
        violation = error_details_pb2.PreconditionFailure.Violation(
            type=reason_text(self.reason), subject=self.subject, description=self.message
        )
        details = [_pack(error_details_pb2.PreconditionFailure(violations=[violation]))]
        if self.violations:
            details.append(_pack(_bad_request(self.violations)))
        return details


@dataclass
class Aborted(DomainError):
    """A concurrency conflict (ETag mismatch, request in flight); the client may retry."""

    reason: ErrorReason = ErrorReason.ERROR_REASON_CONCURRENT_MODIFICATION

    def __post_init__(self) -> None:
        super().__post_init__()
        self.code = grpc.StatusCode.ABORTED


@dataclass
class Unauthenticated(DomainError):
    """Missing, invalid, expired or revoked credentials."""

    reason: ErrorReason = ErrorReason.ERROR_REASON_UNAUTHENTICATED

    def __post_init__(self) -> None:
        super().__post_init__()
        self.code = grpc.StatusCode.UNAUTHENTICATED


@dataclass
class PermissionDenied(DomainError):
    """Authenticated, but not allowed (role too low, not the owner)."""

    reason: ErrorReason = ErrorReason.ERROR_REASON_ROLE_REQUIRED

    def __post_init__(self) -> None:
        super().__post_init__()
        self.code = grpc.StatusCode.PERMISSION_DENIED


@dataclass
class ResourceExhausted(DomainError):
    """A quota or rate limit was hit; retry_after_seconds goes into RetryInfo."""

    retry_after_seconds: float = 1.0
    reason: ErrorReason = ErrorReason.ERROR_REASON_RATE_LIMITED

    def __post_init__(self) -> None:
        super().__post_init__()
        self.code = grpc.StatusCode.RESOURCE_EXHAUSTED

    def extra_details(self) -> list[any_pb2.Any]:
        retry = error_details_pb2.RetryInfo()
        retry.retry_delay.FromNanoseconds(int(self.retry_after_seconds * 1e9))
        return [_pack(retry)]


@dataclass
class Unavailable(DomainError):
    """A dependency (another service, an identity provider) cannot be reached; retry later."""

    reason: ErrorReason = ErrorReason.ERROR_REASON_DEPENDENCY_UNAVAILABLE

    def __post_init__(self) -> None:
        super().__post_init__()
        self.code = grpc.StatusCode.UNAVAILABLE


def _bad_request(violations: Iterable[FieldViolation]) -> error_details_pb2.BadRequest:
    return error_details_pb2.BadRequest(
        field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description) for v in violations
        ]
    )


def _pack(message: object) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)  # type: ignore[arg-type]
    return packed


class Violations:
    """Collects field violations so a request reports all of its problems at once."""

    def __init__(self) -> None:
        self._items: list[FieldViolation] = []

    def add(self, field_path: str, description: str) -> None:
        self._items.append(FieldViolation(field_path, description))

    def check(self, ok: bool, field_path: str, description: str) -> bool:
        """Records a violation unless ok; returns ok so callers can skip dependent checks."""
        if not ok:
            self.add(field_path, description)
        return ok

    def extend(self, violations: Iterable[FieldViolation]) -> None:
        self._items.extend(violations)

    def __bool__(self) -> bool:
        return bool(self._items)

    @property
    def items(self) -> tuple[FieldViolation, ...]:
        return tuple(self._items)

    def raise_if_any(self, message: str = "") -> None:
        if self._items:
            summary = message or "; ".join(f"{v.field}: {v.description}" for v in self._items)
            raise InvalidArgument(summary, violations=tuple(self._items))


INTERNAL_MESSAGE = "internal error; the request id is in the server log"
INTERNAL_CODE = code_pb2.INTERNAL
