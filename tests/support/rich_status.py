"""Failed calls: expecting one, and reading the google.rpc details it carries, for assertions that say
what came back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

Detail = TypeVar("Detail")


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
    return _described(
        error, error_details_pb2.BadRequest, lambda found: ((v.field, v.description) for v in found.field_violations)
    )


def precondition_violations(error: grpc.aio.AioRpcError) -> dict[str, str]:
    """subject -> description of every PreconditionFailure violation (a SKU that is short, say)."""
    return _described(
        error,
        error_details_pb2.PreconditionFailure,
        lambda found: ((v.subject, v.description) for v in found.violations),
    )


def _described(
    error: grpc.aio.AioRpcError, kind: type[Detail], entries: Callable[[Detail], Iterable[tuple[str, str]]]
) -> dict[str, str]:
    described: dict[str, str] = {}
    for detail in details(error):
        if isinstance(detail, kind):
            described.update(entries(detail))
    return described


def reason(error: grpc.aio.AioRpcError) -> str:
    for detail in details(error):
        if isinstance(detail, error_details_pb2.ErrorInfo):
            return str(detail.reason)
    return ""
