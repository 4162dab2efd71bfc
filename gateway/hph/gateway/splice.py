"""gRPC clients on the REST port: a connection that opens with the HTTP/2 preface is spliced
byte-for-byte to the upstream gRPC target.

gRPC over HTTP/1.1 is impossible (trailers, framing), so HTTP/2 with prior knowledge is the only way
a gRPC client reaches this port; the server answers an HTTP/1.1 `application/grpc` request with 415.
Back-pressure is passed through: a client that stops reading pauses the upstream, and the other way
round.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hph.gateway.http1 import HttpConnection

log = logging.getLogger("hph.gateway")

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


class Splice:
    """Copies bytes both ways between a client connection and the upstream gRPC server."""

    def __init__(self, client: HttpConnection, target: str, first: bytes) -> None:
        self.client = client
        self.upstream: asyncio.Transport | None = None
        self.pending: list[bytes] = [first]
        self.closed = False
        self.upstream_paused = False
        client.loop.create_task(self._connect(target))

    async def _connect(self, target: str) -> None:
        loop = self.client.loop
        try:
            if target.startswith("unix:"):
                transport, _ = await loop.create_unix_connection(
                    lambda: _UpstreamPipe(self), target.removeprefix("unix:").removeprefix("//")
                )
            else:
                host, port = split_target(target)
                transport, _ = await loop.create_connection(lambda: _UpstreamPipe(self), host, port)
        except OSError as exc:
            log.warning("grpc pass-through: cannot reach upstream", extra={"target": target, "error": str(exc)})
            self.close()
            return
        if self.closed:
            transport.close()
            return
        self.upstream = transport
        for data in self.pending:
            transport.write(data)
        self.pending = []

    def to_upstream(self, data: bytes) -> None:
        if self.upstream is None:
            self.pending.append(data)
        else:
            self.upstream.write(data)

    def to_client(self, data: bytes) -> None:
        self.client.write(data)

    def pause_upstream_reading(self) -> None:
        if self.upstream is not None and not self.upstream_paused:
            self.upstream_paused = True
            self.upstream.pause_reading()

    def resume_upstream_reading(self) -> None:
        if self.upstream is not None and self.upstream_paused:
            self.upstream_paused = False
            self.upstream.resume_reading()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.upstream is not None:
            self.upstream.close()
        self.client.close()


class _UpstreamPipe(asyncio.Protocol):
    def __init__(self, splice: Splice) -> None:
        self.splice = splice

    def data_received(self, data: bytes) -> None:
        self.splice.to_client(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.splice.close()

    def pause_writing(self) -> None:
        transport = self.splice.client.transport
        if transport is not None:
            transport.pause_reading()

    def resume_writing(self) -> None:
        transport = self.splice.client.transport
        if transport is not None and not transport.is_closing():
            transport.resume_reading()


def split_target(target: str) -> tuple[str, int]:
    """host and port of a gRPC target such as "127.0.0.1:50051", "dns:///svc:50051", "[::1]:50051"."""
    rest = target
    for prefix in ("dns:///", "dns:", "ipv4:", "ipv6:"):
        if rest.startswith(prefix):
            rest = rest[len(prefix) :]
            break
    host, sep, port = rest.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"gRPC target {target!r} is not host:port")
    return host.strip("[]") or "127.0.0.1", int(port)
