"""The server interceptor every gRPC server installs (`PlatformInterceptor`): it authenticates the
bearer token, enforces the RPC's minimum role, installs the call context that handlers read, and
turns exceptions into statuses (domain errors with `google.rpc` details, anything unexpected into
INTERNAL without leaking internals), logging failures.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
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
    reason_text,
)
from hph.runtime.rpc.call_context import CallContext, reset_call, set_call
from hph.runtime.rpc.handlers import Context, wrap_handler
from hph.runtime.rpc.policy import MethodPolicy, PolicyTable
from hph.runtime.storage import InvalidContinuationError, NotFoundError, PreconditionFailedError

log = logging.getLogger("hph.rpc")

Continuation = Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler | None]]
Authenticate = Callable[[str], Awaitable[Principal]]


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


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


async def _abort_with(exc: Exception, context: Context, method: str, started: float) -> None:
    """Ends the call with the status `exc` means (INTERNAL, without details, when unexpected)."""
    elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    error = as_domain_error(exc)
    if error is None:
        log.error(
            "rpc failed",
            exc_info=exc,
            extra={"method": method, "elapsed_ms": elapsed_ms, "code": "INTERNAL"},
        )
        await context.abort(grpc.StatusCode.INTERNAL, INTERNAL_MESSAGE)
        return
    log.info(
        "rpc refused",
        extra={
            "method": method,
            "elapsed_ms": elapsed_ms,
            "code": error.code.name,
            "reason": reason_text(error.reason),
        },
    )
    status = rpc_status.to_status(error.to_status())
    await context.abort(status.code, status.details, status.trailing_metadata)


class PlatformInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Authenticates `authorization: Bearer <JWT>`, enforces the contract's minimum role, installs
    the call context, and turns every exception into the right status.

    One interceptor rather than two, and wrapped handlers are cached per method: the interceptor
    chain runs on every call, and on the catalog's cached reads it was a tenth of the server's work.
    """

    def __init__(self, policies: PolicyTable, authenticate: Authenticate | None) -> None:
        self._policies = policies
        self._authenticate = authenticate
        self._wrapped: dict[str, tuple[grpc.RpcMethodHandler, grpc.RpcMethodHandler]] = {}

    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler | None:
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        method = handler_call_details.method
        cached = self._wrapped.get(method)
        if cached is not None and cached[0] is handler:
            return cached[1]
        wrapped = self._wrap(handler, method, self._policies.lookup(method))
        self._wrapped[method] = (handler, wrapped)
        return wrapped

    def _wrap(self, handler: grpc.RpcMethodHandler, method: str, policy: MethodPolicy) -> grpc.RpcMethodHandler:
        if handler.unary_unary is not None:
            # The hot path (every unary RPC): one plain coroutine, no context-manager machinery.
            inner = handler.unary_unary

            async def unary_unary(request: Any, context: Context) -> Any:
                started = time.perf_counter()
                token = None
                try:
                    token = set_call(await self.call_context(context, policy))
                    return await inner(request, context)
                except (grpc.aio.AbortError, asyncio.CancelledError):
                    raise
                except Exception as exc:
                    await _abort_with(exc, context, method, started)
                finally:
                    if token is not None:
                        reset_call(token)

            return handler._replace(unary_unary=unary_unary)

        @asynccontextmanager
        async def around(context: Context) -> AsyncIterator[None]:
            started = time.perf_counter()
            token = None
            try:
                token = set_call(await self.call_context(context, policy))
                yield
            except (grpc.aio.AbortError, asyncio.CancelledError):
                raise
            except Exception as exc:
                await _abort_with(exc, context, method, started)
            finally:
                if token is not None:
                    reset_call(token)

        return wrap_handler(handler, around)

    async def call_context(self, context: Context, policy: MethodPolicy) -> CallContext:
        """Reads the metadata once and authenticates the caller under the RPC's policy."""
        authorization = request_id = idempotency_key = ""
        for item in context.invocation_metadata() or ():
            key = item.key
            if key == "authorization":
                authorization = _text(item.value)
            elif key == "x-request-id":
                request_id = _text(item.value)
            elif key == "idempotency-key":
                idempotency_key = _text(item.value)
        principal = await self.principal_for(authorization, policy)
        return CallContext(
            principal=principal,
            policy=policy,
            request_id=request_id or os.urandom(16).hex(),
            idempotency_key=idempotency_key,
            authorization=authorization,
        )

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
