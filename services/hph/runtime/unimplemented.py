"""Hosts a contract whose implementation has not landed yet, answering UNIMPLEMENTED honestly.

The service is still registered (reflection lists it, clients can be generated against it), but
every RPC says plainly that it is not available yet instead of failing in an obscure way.
"""

from __future__ import annotations

from typing import Any

import grpc
from google.protobuf import descriptor_pool

from hph.runtime.server import ServiceBinding


def unimplemented_binding(full_name: str, note: str) -> ServiceBinding:
    service = descriptor_pool.Default().FindServiceByName(full_name)
    handlers: dict[str, grpc.RpcMethodHandler] = {}
    for method in service.methods:
        message = f"{service.name}.{method.name} is not implemented yet ({note})"

        async def refuse(request: Any, context: grpc.aio.ServicerContext[Any, Any], _m: str = message) -> Any:
            await context.abort(grpc.StatusCode.UNIMPLEMENTED, _m)

        async def refuse_stream(request: Any, context: grpc.aio.ServicerContext[Any, Any], _m: str = message) -> Any:
            await context.abort(grpc.StatusCode.UNIMPLEMENTED, _m)
            yield  # pragma: no cover - makes this an async generator

        if method.server_streaming and method.client_streaming:
            handlers[method.name] = grpc.stream_stream_rpc_method_handler(refuse_stream)
        elif method.server_streaming:
            handlers[method.name] = grpc.unary_stream_rpc_method_handler(refuse_stream)
        elif method.client_streaming:
            handlers[method.name] = grpc.stream_unary_rpc_method_handler(refuse)
        else:
            handlers[method.name] = grpc.unary_unary_rpc_method_handler(refuse)
    generic = grpc.method_handlers_generic_handler(full_name, handlers)
    return ServiceBinding(full_name=full_name, add_to_server=lambda server: server.add_generic_rpc_handlers((generic,)))
