"""The whole platform plus the REST gateway, in-process on free ports (shared by the e2e tests)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx

from hph.gateway.server import GatewayHost, start_gateway
from hph.host.app import SERVICE_NAMES
from hph.runtime.clock import Clock, system_clock
from hph.runtime.rpc.local import LocalChannel
from tests.support.platform_harness import Hub, start_hub, stop_hub
from tests.support.tokens import signed_bearer


@dataclass
class RestHub:
    """A seeded platform behind the gateway, an HTTP client for it, and a token minter."""

    hub: Hub
    gateway: GatewayHost
    http: httpx.AsyncClient

    def bearer(self, role: str, sub: str, *, email: str = "", name: str = "") -> dict[str, str]:
        return {"authorization": signed_bearer(self.hub.issuer, role, sub, email=email, name=name)}


async def start_rest_hub(
    data_dir: Path,
    *,
    cohosted: bool = True,
    services: Sequence[str] = SERVICE_NAMES,
    settings_overrides: Mapping[str, Any] | None = None,
    clock: Clock = system_clock,
) -> RestHub:
    """`cohosted`: the gateway calls the services in-process, as `hph up` runs it by default; else
    over gRPC only, as a gateway process of its own (HPH_GATEWAY_COHOSTED=false) does. `services`:
    the services and agents hosted (every service, no agent, by default); `settings_overrides` as
    in start_hub; `clock` the services' clock."""
    hub = await start_hub(data_dir, seed=True, services=services, settings_overrides=settings_overrides, clock=clock)
    settings = replace(
        hub.settings, http_port=0, rate_limit_per_user_per_minute=10_000, rate_limit_per_ip_per_minute=10_000
    )
    local = LocalChannel(hub.platform.grpc.local) if cohosted else None
    gateway = await start_gateway(settings, grpc_target=hub.address, local=local)
    client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.port}", timeout=10)
    return RestHub(hub, gateway, client)


async def stop_rest_hub(rest: RestHub) -> None:
    await rest.http.aclose()
    await rest.gateway.stop()
    await stop_hub(rest.hub)
