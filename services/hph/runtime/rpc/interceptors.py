"""The two server interceptors every gRPC server installs, outermost first:

1. `ErrorInterceptor` turns exceptions into statuses (domain errors with `google.rpc` details,
   anything unexpected into INTERNAL without leaking internals) and logs failures.
2. `AuthInterceptor` authenticates the bearer token, enforces the RPC's minimum role and installs
   the call context that handlers read.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import grpc
from grpc_status import rpc_status

from hph.runtime.auth.principal import ANONYMOUS, Principal, role_name
from hph.runtime.errors import (
    INTERNAL_MESSAGE,
    Aborted,
    DomainError,
    FieldViolation,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)
from hph.runtime.rpc.call_context import CallContext, reset_call, set_call
from hph.runtime.rpc.handlers import Context, wrap_handler
from hph.runtime.rpc.policy import MethodPolicy, PolicyTable
from hph.runtime.storage import InvalidContinuationError, NotFoundError, PreconditionFailedError

log = logging.getLogger("hph.rpc")

Continuation = Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler | None]]
Authenticate = Callable[[str], Awaitable[Principal]]


def _metadata_value(context: Context, key: str) -> str:
    for item in context.invocation_metadata() or ():
        if item.key == key:
            value = item.value
            return value.decode() if isinstance(value, bytes) else value
    return ""


def as_domain_error(exc: BaseException) -> DomainError | None:
    """Maps errors that escaped a handler but still mean a client-visible condition."""
    if isinstance(exc, DomainError):
        return exc
    if isinstance(exc, PreconditionFailedError):
        return Aborted("the resource changed meanwhile; read it again and retry")
    if isinstance(exc, InvalidContinuationError):
        violation = FieldViolation("page_token", "invalid or does not match this request")
        return InvalidArgument("page_token is invalid", violations=(violation,))
    if isinstance(exc, NotFoundError):
        return NotFound("resource not found")
    return None


class ErrorInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler | None:
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        method = handler_call_details.method

        @asynccontextmanager
        async def around(context: Context) -> AsyncIterator[None]:
            started = time.perf_counter()
            try:
                yield
            except (grpc.aio.AbortError, asyncio.CancelledError):
                raise
            except Exception as exc:
                elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
                error = as_domain_error(exc)
                if error is None:
                    log.exception("rpc failed", extra={"method": method, "elapsed_ms": elapsed_ms, "code": "INTERNAL"})
                    await context.abort(grpc.StatusCode.INTERNAL, INTERNAL_MESSAGE)
                    raise  # unreachable: abort raises
                log.info(
                    "rpc refused",
                    extra={
                        "method": method,
                        "elapsed_ms": elapsed_ms,
                        "code": error.code.name,
                        "reason": error.reason,
                    },
                )
                status = rpc_status.to_status(error.to_status())
                await context.abort(status.code, status.details, status.trailing_metadata)

        return wrap_handler(handler, around)


class AuthInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Authenticates `authorization: Bearer <JWT>` and enforces the contract's minimum role."""

    def __init__(self, policies: PolicyTable, authenticate: Authenticate | None) -> None:
        self._policies = policies
        self._authenticate = authenticate

    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler | None:
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        policy = self._policies.lookup(handler_call_details.method)

        @asynccontextmanager
        async def around(context: Context) -> AsyncIterator[None]:
            authorization = _metadata_value(context, "authorization")
            principal = await self.principal_for(authorization, policy)
            call = CallContext(
                principal=principal,
                policy=policy,
                request_id=_metadata_value(context, "x-request-id") or uuid.uuid4().hex,
                idempotency_key=_metadata_value(context, "idempotency-key"),
                authorization=authorization,
            )
            token = set_call(call)
            try:
                yield
            finally:
                reset_call(token)

        return wrap_handler(handler, around)

    async def principal_for(self, authorization: str, policy: MethodPolicy) -> Principal:
        """The caller, or an error: a bad token is refused even on anonymous RPCs (never
        silently downgraded), a missing one only where the policy allows anonymous callers."""
        if not authorization:
            if policy.allows_anonymous:
                return ANONYMOUS
            raise Unauthenticated("this operation needs `authorization: Bearer <token>`")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("authorization must be `Bearer <token>`")
        if self._authenticate is None:
            raise Unauthenticated("no token issuer is trusted by this server")
        principal = await self._authenticate(token.strip())
        if not principal.has_role(policy.min_role):
            raise PermissionDenied(
                f"this operation needs the {role_name(policy.min_role)} role",
                metadata={"required_role": role_name(policy.min_role)},
            )
        return principal


def describe_policy(policy: MethodPolicy) -> dict[str, Any]:
    """A printable view of a policy (docs and debugging)."""
    return {
        "method": policy.full_method,
        "min_role": role_name(policy.min_role),
        "owner_only": policy.owner_only,
        "owner_override_role": role_name(policy.owner_override_role) if policy.owner_override_role else "",
    }
