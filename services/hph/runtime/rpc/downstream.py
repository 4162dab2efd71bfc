"""What a service's gRPC clients of other services share: reading a refusal's rich details and
tagging outgoing calls with the current request id.

Each service still decides what a downstream refusal means to its own caller (its `refusal_from`):
that policy differs between services (e.g. whether the callee's NOT_FOUND is ours too). Reading the
`google.rpc` details the callee attached, and forwarding the request id for tracing, do not differ,
so they live here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.runtime.errors import reason_from_text
from hph.runtime.rpc.call_context import current_request_id

Metadata = tuple[tuple[str, str], ...]


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


def request_id_metadata() -> Metadata:
    """The current RPC's request id as `x-request-id` metadata; none outside an RPC (background job,
    event handler)."""
    request_id = current_request_id()
    return (("x-request-id", request_id),) if request_id else ()
