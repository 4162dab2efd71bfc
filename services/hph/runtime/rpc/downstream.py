"""What a service's gRPC clients of other services share: reading a refusal's rich details, the
common core of what a refusal means to our caller, and tagging outgoing calls with the current
request id.

`refusal_from` is the policy most clients want: the callee's FAILED_PRECONDITION and ABORTED pass
through with their reason, anything else is UNAVAILABLE naming the service. A service whose policy
differs (e.g. the callee's NOT_FOUND is ours too) handles those codes first and delegates the rest.
Reading the `google.rpc` details the callee attached, and forwarding the request id for tracing, do
not differ, so they live here once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TypeVar

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.runtime.auth.service_identity import ServiceCredentials
from hph.runtime.channels import ChannelPool
from hph.runtime.errors import (
    Aborted,
    DomainError,
    FailedPrecondition,
    FieldViolation,
    Unavailable,
    reason_from_text,
)
from hph.runtime.rpc.call_context import current_request_id

log = logging.getLogger("hph.runtime.rpc.downstream")

Metadata = tuple[tuple[str, str], ...]
T = TypeVar("T")
# The callee's answers meaning "no such id": a malformed id is, to us, an id that does not exist.
UNKNOWN_ID = frozenset({grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT})


@dataclass(frozen=True)
class RefusalDetails:
    """The `google.rpc` details of a downstream failure; empty when the callee attached none."""

    info: error_details_pb2.ErrorInfo = field(default_factory=error_details_pb2.ErrorInfo)
    # The PreconditionFailure subjects, comma-separated.
    subject: str = ""
    # The BadRequest field violations as (field, description).
    fields: list[tuple[str, str]] = field(default_factory=list)

    def reason(self, fallback: ErrorReason) -> ErrorReason:
        """The callee's ErrorInfo reason as our enum value; `fallback` when it sent none or one we do
        not know (see `reason_from_text`)."""
        return reason_from_text(self.info.reason, fallback)


def refusal_details(exc: grpc.aio.AioRpcError) -> RefusalDetails:
    """The ErrorInfo, PreconditionFailure subjects and BadRequest fields `exc` carries."""
    info = error_details_pb2.ErrorInfo()
    subject = ""
    fields: list[tuple[str, str]] = []
    status = rpc_status.from_call(exc)
    for detail in status.details if status is not None else ():
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            detail.Unpack(info)
        elif detail.Is(error_details_pb2.PreconditionFailure.DESCRIPTOR):
            failure = error_details_pb2.PreconditionFailure()
            detail.Unpack(failure)
            subject = ", ".join(v.subject for v in failure.violations if v.subject)
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            fields = [(v.field, v.description) for v in bad.field_violations]
    return RefusalDetails(info, subject, fields)


def refusal_from(exc: grpc.aio.AioRpcError, service: str) -> DomainError:
    """The domain error a downstream failure means to our caller: FAILED_PRECONDITION keeps the
    callee's reason, subject, metadata and field violations, ABORTED its reason; anything that is not an answer (or an
    answer we did not expect, logged) is UNAVAILABLE naming `service`, so clients retry."""
    code = exc.code()
    refusal = refusal_details(exc)
    message = exc.details() or f"{service} refused the request"
    if code == grpc.StatusCode.FAILED_PRECONDITION:
        return FailedPrecondition(
            message,
            reason=refusal.reason(ErrorReason.ERROR_REASON_FAILED_PRECONDITION),
            subject=refusal.subject,
            metadata=dict(refusal.info.metadata),
            violations=tuple(FieldViolation(name, description) for name, description in refusal.fields),
        )
    if code == grpc.StatusCode.ABORTED:
        return Aborted(message, reason=refusal.reason(ErrorReason.ERROR_REASON_CONCURRENT_MODIFICATION))
    if code not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
        log.warning("%s answered %s: %s %s", service, code.name, message, refusal.fields)
    return Unavailable(
        f"the {service} service could not answer ({code.name}); retry shortly", metadata={"service": service}
    )


async def found_or_none(call: Awaitable[T], *, service: str, unconfirmed: str) -> T | None:
    """The callee's answer to a lookup by id; None when it does not know the id (UNKNOWN_ID);
    UNAVAILABLE naming `service` ("<unconfirmed> (<code>); retry shortly") when it could not say."""
    try:
        return await call
    except grpc.aio.AioRpcError as exc:
        if exc.code() in UNKNOWN_ID:
            return None
        raise Unavailable(f"{unconfirmed} ({exc.code().name}); retry shortly", metadata={"service": service}) from None


class PlatformClient:
    """The base of a client of other services that makes some calls as the platform itself (its
    service token, staff role) rather than as the caller."""

    def __init__(self, channels: ChannelPool, credentials: ServiceCredentials) -> None:
        self._channels = channels
        self._credentials = credentials

    def _as_platform(self) -> Metadata:
        """The platform's token plus the current request id (none outside an RPC)."""
        return self._credentials.metadata() + request_id_metadata()


def request_id_metadata() -> Metadata:
    """The current RPC's request id as `x-request-id` metadata; none outside an RPC (background job,
    event handler)."""
    request_id = current_request_id()
    return (("x-request-id", request_id),) if request_id else ()
