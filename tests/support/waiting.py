"""Waiting for state another task changes (the relay, a sweeper, a projection) without fixed sleeps."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    condition: Callable[[], bool] | Callable[[], Awaitable[bool]], within: float = 5.0, pause: float = 0.02
) -> None:
    """Polls `condition` (plain or async) until it holds; fails the test if it still does not after
    `within` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        held = condition()
        if inspect.isawaitable(held):
            held = await held
        if held:
            return
        if loop.time() >= deadline:
            raise AssertionError(f"condition not met within {within} s")
        await asyncio.sleep(pause)


async def read_until(
    read: Callable[[], Awaitable[T]], done: Callable[[T], bool], within: float = 10.0, pause: float = 0.05
) -> T:
    """Re-reads until `done` holds and returns the last answer even when time ran out, so the caller's
    own assertions say what differs (a projection that follows the events a moment later)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        answer = await read()
        if done(answer) or loop.time() > deadline:
            return answer
        await asyncio.sleep(pause)
