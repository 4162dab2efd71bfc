"""A real grpc.aio server for the bookstore test contract: it echoes what it received.

Every RPC answers with what arrived (fields, metadata, body sizes), so the conformance tests can
assert what the gateway sent upstream; `Fail` and `StreamBooks` fail on request with google.rpc
details attached, the way the platform's services do.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import grpc
from google.api import httpbody_pb2
from google.protobuf import any_pb2, empty_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_status import rpc_status

SERVICE = "bookstore.v1.Bookstore"
PNG = b"\x89PNG\r\n\x1a\n"


def failure_status(code: int, message: str) -> status_pb2.Status:
    """The status `Fail` and `StreamBooks` abort with: BadRequest and ErrorInfo details."""
    bad_request = error_details_pb2.BadRequest(
        field_violations=[error_details_pb2.BadRequest.FieldViolation(field="code", description=f"asked for {code}")]
    )
    info = error_details_pb2.ErrorInfo(
        reason="REQUESTED_FAILURE", domain="bookstore.test", metadata={"code": str(code)}
    )
    details = []
    for detail in (bad_request, info):
        packed = any_pb2.Any()
        packed.Pack(detail)
        details.append(packed)
    return status_pb2.Status(code=code, message=message, details=details)


def make_servicer(pb2: ModuleType, pb2_grpc: ModuleType) -> Any:
    """The servicer class is built from the compiled stubs (compiled at test time)."""

    class Bookstore(pb2_grpc.BookstoreServicer):  # type: ignore[misc, name-defined]
        async def ListShelves(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
            return pb2.ListShelvesResponse(shelves=[pb2.Shelf(id=1, theme="fiction")], received=request)

        async def CreateShelf(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
            shelf = pb2.Shelf()
            shelf.CopyFrom(request.shelf)
            if request.requester:
                shelf.theme = f"{shelf.theme} by {request.requester}"
            return shelf

        async def GetShelf(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
            theme = f"store {request.store}" if request.store else "plain"
            return pb2.Shelf(id=request.shelf, theme=theme)

        async def DeleteShelf(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
            return empty_pb2.Empty()

        async def GetFeaturedShelf(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
            return pb2.Shelf(id=7, theme="featured")

        async def CreateBook(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
            return request.book

        async def GetBook(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
            return pb2.Book(name=request.name, title="a book")

        async def UpdateBook(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
            book = pb2.Book()
            book.CopyFrom(request.book)
            book.author = "mask=" + ",".join(request.update_mask.paths)
            return book

        async def CheckoutBook(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
            return pb2.Book(name=request.name, author=request.reader)

        async def GetFile(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
            return pb2.File(path=request.path)

        async def Options(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
            return pb2.OptionsResponse(allow=["GET", "POST", "OPTIONS"])

        async def Echo(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
            if request.HasField("wait"):  # lets tests hold a call in flight (drain, deadlines)
                await asyncio.sleep(request.wait.ToTimedelta().total_seconds())
            reply = pb2.EchoMessage()
            reply.CopyFrom(request)
            for key, value in context.invocation_metadata() or ():
                shown = value.hex() if isinstance(value, bytes) else value
                reply.received_metadata.append(f"{key}={shown}")
            return reply

        async def Fail(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
            if request.code == code_pb2.OK:
                return empty_pb2.Empty()
            await context.abort_with_status(rpc_status.to_status(failure_status(request.code, request.message)))

        async def StreamBooks(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
            for index in range(request.count):
                yield pb2.Book(name=f"shelves/{request.shelf}/books/{index}", shelf=request.shelf, title=f"#{index}")
            if request.fail_code:
                status = failure_status(request.fail_code, f"stream failed after {request.count}")
                await context.abort_with_status(rpc_status.to_status(status))

        async def GetCover(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
            return httpbody_pb2.HttpBody(content_type="image/png", data=PNG + request.book_id.encode())

        async def UploadCover(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
            return pb2.UploadCoverResponse(
                size=len(request.http_body.data), content_type=request.http_body.content_type
            )

        async def Internal(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
            return empty_pb2.Empty()

    return Bookstore()


@dataclass
class BookstoreServer:
    server: grpc.aio.Server
    port: int
    health: health.aio.HealthServicer

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def stop(self) -> None:
        await self.server.stop(0)


async def start_bookstore_server(pb2: ModuleType, pb2_grpc: ModuleType) -> BookstoreServer:
    """Starts the servicer plus grpc.health.v1 on a free port."""
    server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
    pb2_grpc.add_BookstoreServicer_to_server(make_servicer(pb2, pb2_grpc), server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    await health_servicer.set(SERVICE, health_pb2.HealthCheckResponse.SERVING)
    return BookstoreServer(server, port, health_servicer)
