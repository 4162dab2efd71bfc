"""Failed calls: expecting one, and reading the google.rpc details it carries, for assertions that say
what came back."""

from __future__ import annotations

from collections.abc import Awaitable

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status


async def expect_error(call: Awaitable[object], code: grpc.StatusCode) -> grpc.aio.AioRpcError:
    """Awaits a call that must fail with `code`; the error, for its details."""
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    assert caught.value.code() == code, f"expected {code}, got {caught.value.code()}: {caught.value.details()}"
    return caught.value


def details(error: grpc.aio.AioRpcError) -> list[object]:
    status = rpc_status.from_call(error)
    if status is None:
        return []
    decoded: list[object] = []
    for packed in status.details:
        for kind in (
            error_details_pb2.BadRequest,
            error_details_pb2.ErrorInfo,
            error_details_pb2.PreconditionFailure,
            error_details_pb2.RetryInfo,
        ):
            if packed.Is(kind.DESCRIPTOR):
                message = kind()
                packed.Unpack(message)
                decoded.append(message)
    return decoded


def violated_fields(error: grpc.aio.AioRpcError) -> dict[str, str]:
    """field -> description of every BadRequest field violation."""
    fields: dict[str, str] = {}
    for detail in details(error):
        if isinstance(detail, error_details_pb2.BadRequest):
            fields.update({v.field: v.description for v in detail.field_violations})
    return fields


def precondition_violations(error: grpc.aio.AioRpcError) -> dict[str, str]:
    """subject -> description of every PreconditionFailure violation (a SKU that is short, say)."""
    found: dict[str, str] = {}
    for detail in details(error):
        if isinstance(detail, error_details_pb2.PreconditionFailure):
            found.update({v.subject: v.description for v in detail.violations})
    return found


def reason(error: grpc.aio.AioRpcError) -> str:
    for detail in details(error):
        if isinstance(detail, error_details_pb2.ErrorInfo):
            return str(detail.reason)
    return ""
