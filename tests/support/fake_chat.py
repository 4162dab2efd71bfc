"""A local fake of an OpenAI-compatible chat-completions endpoint: a real HTTP/1.1 server on a free
127.0.0.1 port that records each request and answers with what the test scripted (prose, a delay, a
status, a body that is not a chat completion)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Reply:
    """What the fake answers: `content` in the chat-completions shape, or `raw` bytes as they are."""

    content: str = ""
    status: int = 200
    delay: float = 0.0
    raw: bytes | None = None

    def body(self) -> bytes:
        if self.raw is not None:
            return self.raw
        return json.dumps(
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": self.content}}],
            }
        ).encode()


@dataclass(frozen=True)
class SeenRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: Any


@dataclass
class FakeChat:
    port: int = 0
    reply: Reply = field(default_factory=lambda: Reply("A summary."))
    requests: list[SeenRequest] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _version = lines[0].split(" ", 2)
            headers = {
                name.strip().lower(): value.strip() for name, _, value in (h.partition(":") for h in lines[1:] if h)
            }
            raw = await reader.readexactly(int(headers.get("content-length", "0")))
            parts = urlsplit(target)
            self.requests.append(
                SeenRequest(method, parts.path, parse_qs(parts.query), headers, json.loads(raw or b"null"))
            )
            reply = self.reply
            if reply.delay:
                await asyncio.sleep(reply.delay)
            body = reply.body()
            writer.write(
                f"HTTP/1.1 {reply.status} X\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                "Connection: close\r\n\r\n".encode()
                + body
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@asynccontextmanager
async def fake_chat_server() -> AsyncIterator[FakeChat]:
    """Serves a FakeChat on a free port until the block ends (handlers still sleeping are cancelled)."""
    fake = FakeChat()
    handlers: set[asyncio.Task[None]] = set()

    async def tracked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        handlers.add(task)
        try:
            await fake.handle(reader, writer)
        finally:
            handlers.discard(task)

    server = await asyncio.start_server(tracked, "127.0.0.1", 0)
    fake.port = server.sockets[0].getsockname()[1]
    try:
        yield fake
    finally:
        server.close()
        for task in list(handlers):
            task.cancel()
        for task in list(handlers):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await server.wait_closed()
