"""In-process calls between services hosted by the same server: the same stubs, handlers,
interceptor and policies as a gRPC call, without the loopback socket.

`hph up` hosts every service in one process, and a checkout fans out into about twenty internal
calls (cart, catalog, users, inventory, orders). Over the loopback each one cost the caller and the
callee a full gRPC round trip, most of a request's CPU time. `LocalChannel` takes the place of a
`grpc.aio.Channel` for the generated stubs: a call serialises the request, hands the bytes to the
method's registered handler wrapped by the server's own `PlatformInterceptor` (so authentication,
roles, ownership, the call context and error mapping are exactly those of a remote call), and
serialises the answer back. Failures come back as `grpc.aio.AioRpcError` with the status, details and
rich-status trailers the callee set, and a call's `timeout` is its deadline (DEADLINE_EXCEEDED), so
callers cannot tell the difference and need no second code path.

What it does not model: transport failures (there is no transport) and metadata the gRPC core adds
(`user-agent`, `:authority`), which no handler reads. `HPH_INPROCESS_CALLS=false` sends co-hosted
calls over the loopback like any other, which the test suite uses to keep both paths honest.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

import grpc

from hph.runtime.rpc.interceptors import PlatformInterceptor

log = logging.getLogger("hph.rpc.local")


class _Metadatum(NamedTuple):
    key: str
    value: str | bytes


class _CallDetails(NamedTuple):
    """What `ServerInterceptor.intercept_service` reads of a call (grpc.HandlerCallDetails)."""

    method: str
    invocation_metadata: tuple[_Metadatum, ...]


class _LocalAbort(grpc.aio.AbortError):  # type: ignore[misc]
    """Raised by `LocalContext.abort`; an AbortError, so the interceptor lets it through as gRPC's."""

    def __init__(self, code: grpc.StatusCode, details: str, trailing_metadata: Sequence[tuple[str, Any]]) -> None:
        super().__init__(details)
        self.code = code
        self.details = details
        self.trailing_metadata = tuple(trailing_metadata)


class LocalContext:
    """The part of `grpc.aio.ServicerContext` handlers and the interceptor use."""

    def __init__(self, metadata: tuple[_Metadatum, ...]) -> None:
        self._metadata = metadata

    def invocation_metadata(self) -> tuple[_Metadatum, ...]:
        return self._metadata

    async def abort(
        self, code: grpc.StatusCode, details: str = "", trailing_metadata: Sequence[tuple[str, Any]] = ()
    ) -> None:
        raise _LocalAbort(code, details, trailing_metadata)


class LocalDispatcher:
    """The handlers of the services one server hosts, wrapped by that server's interceptor.

    It is passed to each binding's `add_to_server` alongside the real server, so it learns the
    handlers the same way the server does.
    """

    def __init__(self, interceptor: PlatformInterceptor) -> None:
        self._interceptor = interceptor
        self._generic: list[grpc.GenericRpcHandler] = []
        self._wrapped: dict[str, grpc.RpcMethodHandler] = {}

    # The registration API of grpc.aio.Server that generated `add_*_to_server` functions call.
    def add_generic_rpc_handlers(self, handlers: Iterable[grpc.GenericRpcHandler]) -> None:
        self._generic.extend(handlers)

    def add_registered_method_handlers(self, service: str, handlers: dict[str, grpc.RpcMethodHandler]) -> None:
        """Covered by the generic handlers registered beside these; nothing more to learn."""

    def hosts(self, method: str) -> bool:
        """Whether a handler for `method` ("/package.Service/Method") is registered here."""
        details = _CallDetails(method, ())
        return any(generic.service(details) is not None for generic in self._generic)

    async def handler(self, method: str) -> grpc.RpcMethodHandler | None:
        wrapped = self._wrapped.get(method)
        if wrapped is None:
            details = _CallDetails(method, ())
            found = next((h for h in (g.service(details) for g in self._generic) if h is not None), None)
            if found is None:
                return None

            async def continuation(_: Any) -> grpc.RpcMethodHandler:
                return found

            wrapped = await self._interceptor.intercept_service(continuation, details)
            if wrapped is None:
                return None
            self._wrapped[method] = wrapped
        return wrapped


class LocalUnaryUnary:
    """One unary method of a `LocalChannel`, called like a grpc.aio multicallable."""

    def __init__(
        self,
        dispatcher: LocalDispatcher,
        method: str,
        request_serializer: Callable[[Any], bytes] | None,
        response_deserializer: Callable[[bytes], Any] | None,
    ) -> None:
        self._dispatcher = dispatcher
        self._method = method
        self._serialize = request_serializer
        self._deserialize = response_deserializer

    def __call__(
        self,
        request: Any,
        *,
        timeout: float | None = None,
        metadata: Sequence[tuple[str, str | bytes]] | None = None,
        **_: Any,
    ) -> Any:
        return self._invoke(request, tuple(_Metadatum(k, v) for k, v in metadata or ()), deadline=timeout)

    async def _invoke(self, request: Any, metadata: tuple[_Metadatum, ...], *, deadline: float | None) -> Any:
        handler = await self._dispatcher.handler(self._method)
        if handler is None or handler.unary_unary is None:
            raise _rpc_error(grpc.StatusCode.UNIMPLEMENTED, f"method {self._method} is not hosted here")
        internal = grpc.StatusCode.INTERNAL
        serialized = _convert(self._serialize, request, internal, "Exception serializing request!")
        payload = _convert(handler.request_deserializer, serialized, internal, "Exception deserializing request!")
        try:
            async with asyncio.timeout(deadline):
                response = await handler.unary_unary(payload, LocalContext(metadata))
        except _LocalAbort as abort:
            raise _rpc_error(abort.code, abort.details, abort.trailing_metadata) from None
        except TimeoutError:
            raise _rpc_error(grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded") from None
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # the caller itself is being cancelled (its client went away): let it unwind
            # The handler gave up on its own (e.g. awaited something cancelled): a status, as gRPC says.
            raise _rpc_error(grpc.StatusCode.CANCELLED, "Cancelled") from None
        # The codes gRPC gives: the server failing to serialise its answer is UNKNOWN, the client
        # failing to read it INTERNAL.
        answer = _convert(
            handler.response_serializer, response, grpc.StatusCode.UNKNOWN, "Exception serializing response!"
        )
        return _convert(self._deserialize, answer, internal, "Exception deserializing response!")


def _convert(function: Callable[[Any], Any] | None, value: Any, code: grpc.StatusCode, details: str) -> Any:
    """One (de)serialisation step as gRPC runs it: None passes bytes through, and a failure is a
    status, not an exception of the serializer's (an AioRpcError raised on purpose, such as a size
    limit, stays as it is); the exception itself goes to the log, not to the caller."""
    if function is None:
        return value
    try:
        return function(value)
    except grpc.aio.AioRpcError:
        raise
    except Exception as exc:
        log.exception(details)
        raise _rpc_error(code, details) from exc


class LocalChannel:
    """Stands in for a `grpc.aio.Channel` to the services this process hosts (unary methods)."""

    def __init__(self, dispatcher: LocalDispatcher) -> None:
        self._dispatcher = dispatcher

    def hosts(self, method: str) -> bool:
        """Whether `method` can be called on this channel (its service is hosted in this process)."""
        return self._dispatcher.hosts(method)

    def unary_unary(
        self,
        method: str,
        request_serializer: Callable[[Any], bytes] | None = None,
        response_deserializer: Callable[[bytes], Any] | None = None,
        **_: Any,
    ) -> LocalUnaryUnary:
        # Called once per method when a stub is built, and ChannelPool.stub builds each stub once.
        return LocalUnaryUnary(self._dispatcher, method, request_serializer, response_deserializer)

    async def close(self) -> None:
        """Nothing to release (there is no connection)."""


def _rpc_error(
    code: grpc.StatusCode, details: str, trailing_metadata: Sequence[tuple[str, Any]] = ()
) -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(*trailing_metadata), details)
