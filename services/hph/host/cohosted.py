"""The REST gateway inside a server worker (`HPH_GATEWAY_COHOSTED`, the default of `hph up`).

A separate gateway process costs every REST call a second gRPC round trip: the gateway serialises,
sends over the loopback and waits, and the server parses and answers, about as much CPU as the
call's own work. Co-hosted, the gateway calls the services of its own process through the same
`LocalChannel` they use between themselves (same handlers, interceptor and policies), and every
worker of `hph up --workers N` serves REST on the shared HTTP port as it serves gRPC on the shared
gRPC port. It routes only the services its process hosts (`hph serve --services catalog --rest`
answers for the catalog alone, and /ready means those services). The rate limits stay those of one
gateway: with several workers their buckets live in a table the workers share
(`hph.gateway.shared_limits`), not in each process's memory.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from hph.commerce.demo_data import demo_users
from hph.gateway.edge import Limiter
from hph.gateway.server import GatewayHost, start_gateway
from hph.gateway.storefront import DemoIdentity
from hph.host.app import RunningPlatform
from hph.runtime.rpc.local import LocalChannel
from hph.runtime.settings import Settings

# Shared memory where the system has it: the table is rewritten on every REST request, and on a disk
# the kernel would keep writing those pages back for nothing.
_TMPFS = Path("/dev/shm")


def demo_identities() -> tuple[DemoIdentity, ...]:
    """The demo data's fixed users, whom the storefront's dev sign-in offers."""
    return tuple(DemoIdentity(u.subject, u.name, u.email, u.role_name) for u in demo_users())


def shared_limits_path(settings: Settings) -> Path:
    """The rate-limit table the workers of one `hph up` share: one per data dir (one platform runs
    on a data dir at a time), on tmpfs when there is one, else beside the data."""
    if _TMPFS.is_dir() and os.access(_TMPFS, os.W_OK):
        key = hashlib.sha256(str(settings.data_dir.resolve()).encode()).hexdigest()[:16]
        return _TMPFS / f"hph-rate-limits-{key}"
    return settings.data_dir / "run" / "rate-limits"


async def start_cohosted_gateway(settings: Settings, platform: RunningPlatform, *, first: bool) -> GatewayHost:
    """Serves REST on `settings.http_port` from this worker; `first` is the worker that starts the
    others (it starts the shared rate-limit table afresh, so no bucket outlives a restart)."""
    limiter: Limiter | None = None
    # In Redis (HPH_RATE_LIMITS=redis) the buckets are already shared, by every host: the gateway opens them.
    if settings.workers > 1 and settings.rate_limits != "redis":
        from hph.gateway.shared_limits import SharedRateLimiter

        path = shared_limits_path(settings)
        if first:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.unlink(missing_ok=True)
        limiter = SharedRateLimiter.open(
            path,
            per_ip_per_minute=settings.rate_limit_per_ip_per_minute,
            per_user_per_minute=settings.rate_limit_per_user_per_minute,
            clock=time.monotonic,
        )
    # HPH_INPROCESS_CALLS=false keeps the loopback for every call, the gateway's included.
    local = LocalChannel(platform.grpc.local) if settings.inprocess_calls else None
    try:
        return await start_gateway(
            settings,
            grpc_target=f"{settings.grpc_host}:{platform.grpc.port}",
            local=local,
            limiter=limiter,
            reuse_port=settings.workers > 1,
            services=platform.grpc.service_names,
            planned=platform.planned,
            demo_users=demo_identities(),
        )
    except BaseException:
        if limiter is not None:
            limiter.close()
        raise
