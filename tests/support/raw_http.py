"""A lean keep-alive HTTP/1.1 client, for tests and benchmarks that need raw connections (shared
by tests/integration and tests/perf)."""

from __future__ import annotations

import asyncio
import re


class RawHttpClient:
    """A lean keep-alive HTTP/1.1 client on one connection, so the load generator costs little CPU
    next to the gateway it measures (an httpx call costs several times the gateway's own work)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str) -> None:
        self._reader = reader
        self._writer = writer
        self._host = host

    @classmethod
    async def connect(cls, host: str, port: int) -> RawHttpClient:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer, f"{host}:{port}")

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: tuple[tuple[str, str], ...] = ()
    ) -> tuple[int, bytes]:
        """Sends one request and reads its whole response: (status, body). Needs Content-Length."""
        head = f"{method} {path} HTTP/1.1\r\nHost: {self._host}\r\nAccept: application/json\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers)
        if body or method in ("POST", "PUT", "PATCH"):
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self._writer.write(head.encode() + b"\r\n" + body)
        response_head = await self._reader.readuntil(b"\r\n\r\n")
        match = re.search(rb"(?i)content-length:\s*(\d+)", response_head)
        if match is None:
            raise RuntimeError(f"response without Content-Length: {response_head[:200]!r}")
        return int(response_head[9:12]), await self._reader.readexactly(int(match.group(1)))

    async def close(self) -> None:
        self._writer.close()
        await self._writer.wait_closed()
