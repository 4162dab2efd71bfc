"""Starts the real platform in-process on a free port with a temporary data dir (shared by test suites).

`HPH_TEST_STORAGE=postgres` in the environment runs every hub started here on PostgreSQL instead
of SQLite, on the server at HPH_TEST_POSTGRES_DSN: a schema per data dir (a hub restarted on the same
data dir finds its state) in a database of the test process's own (`postgres.schema_for`). A test
that sets `storage` itself is left as it is."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import grpc

from hph.host.app import SERVICE_NAMES, RunningPlatform, select_services, start_platform
from hph.runtime.auth.dev_issuer import DevIssuer
from hph.runtime.clock import Clock, system_clock
from hph.runtime.settings import Settings
from tests.support import postgres
from tests.support.tokens import Metadata, signed_bearer


@dataclass
class Hub:
    """A running platform plus a client channel and a way to mint tokens for it."""

    settings: Settings
    platform: RunningPlatform
    channel: grpc.aio.Channel
    issuer: DevIssuer

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.platform.grpc.port}"

    def auth(self, role: str, sub: str, *, email: str = "", name: str = "", ttl: int = 600) -> Metadata:
        return (("authorization", signed_bearer(self.issuer, role, sub, email=email, name=name, ttl=ttl)),)


async def start_hub(
    data_dir: Path,
    *,
    services: Sequence[str] = SERVICE_NAMES,
    seed: bool,
    settings_overrides: Mapping[str, Any] | None = None,
    clock: Clock = system_clock,
) -> Hub:
    """`settings_overrides` replaces fields of the test settings (e.g. {"inprocess_calls": False});
    `clock` is the services' clock (a test's ManualClock moves the platform's time)."""
    settings = Settings(data_dir=data_dir, grpc_port=0, log_format="text", shutdown_grace_seconds=1.0)
    overrides = dict(settings_overrides or {})
    if os.environ.get("HPH_TEST_STORAGE") == "postgres" and "storage" not in overrides:
        dsn, schema = postgres.schema_for(data_dir)
        overrides.update(storage="postgres", postgres_dsn=dsn, postgres_schema=schema, postgres_pool_size=4)
    settings = replace(settings, **overrides)
    platform = await start_platform(settings, select_services(services), seed=seed, clock=clock)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{platform.grpc.port}")
    return Hub(settings, platform, channel, DevIssuer.from_settings(settings))


async def stop_hub(hub: Hub) -> None:
    await hub.channel.close()
    await hub.platform.stop()


@asynccontextmanager
async def running_hub(
    data_dir: Path,
    *,
    services: Sequence[str] = SERVICE_NAMES,
    seed: bool,
    settings_overrides: Mapping[str, Any] | None = None,
) -> AsyncIterator[Hub]:
    """A hub for the length of a `with` block (what each suite's `hub` fixture yields)."""
    hub = await start_hub(data_dir, services=services, seed=seed, settings_overrides=settings_overrides)
    try:
        yield hub
    finally:
        await stop_hub(hub)
