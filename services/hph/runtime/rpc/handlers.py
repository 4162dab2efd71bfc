"""Wraps the behaviour functions of a gRPC method handler, whatever its streaming shape.

Interceptors use this to run code around every call (authentication, error mapping) without
caring whether the method is unary or streaming. The code runs in the call's own task, so context
variables it sets are visible to the behaviour.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeAlias

import grpc

# grpc.aio.ServicerContext; grpc ships no type information.
Context: TypeAlias = Any
# Builds the async context manager entered around one call.
Around = Callable[[Context], AbstractAsyncContextManager[None]]


def wrap_handler(handler: grpc.RpcMethodHandler, around: Around) -> grpc.RpcMethodHandler:
    """Returns a copy of `handler` whose behaviour runs inside `around(context)`."""
    if handler.unary_unary is not None:
        unary = handler.unary_unary

        async def unary_unary(request: Any, context: Context) -> Any:
            async with around(context):
                return await unary(request, context)

        return handler._replace(unary_unary=unary_unary)
    if handler.stream_unary is not None:
        client_stream = handler.stream_unary

        async def stream_unary(requests: Any, context: Context) -> Any:
            async with around(context):
                return await client_stream(requests, context)

        return handler._replace(stream_unary=stream_unary)
    if handler.unary_stream is not None:
        server_stream = handler.unary_stream

        async def unary_stream(request: Any, context: Context) -> AsyncIterator[Any]:
            async with around(context):
                async for item in server_stream(request, context):
                    yield item

        return handler._replace(unary_stream=unary_stream)
    bidi = handler.stream_stream

    async def stream_stream(requests: Any, context: Context) -> AsyncIterator[Any]:
        async with around(context):
            async for item in bidi(requests, context):
                yield item

    return handler._replace(stream_stream=stream_stream)
