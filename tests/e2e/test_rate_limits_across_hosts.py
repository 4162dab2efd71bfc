"""Issue #13's proof that one user's rate limit holds across hosts: two `hph serve` processes with
HPH_RATE_LIMITS=redis share one Redis, and a user's requests spread over both get one budget, not two.

What the hosts share, and why no more: only Redis (the buckets, under a key prefix of the test's
own). The limit is checked at the edge before any storage is read, so each host keeps its own data
dir (SQLite store, embedded event log); a shared store would prove nothing more here. Each host has
its own development issuer, so each gets its own token for the same subject: the limit keys on the
JWT `sub`, as the gateway reads it.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.hph_process import hph_token, rest_url, start_hph, stop_hph

pytestmark = pytest.mark.integration

BUDGET = 6  # per minute: after the burst a token comes back every 10 s, far beyond the test's span
SUBJECT = "shopper-across-hosts"


@dataclass
class Host:
    process: subprocess.Popen[str]
    url: str
    headers: dict[str, str]


@pytest.fixture
def hosts(tmp_path: Path, redis_url: str) -> Iterator[list[Host]]:
    env = {
        "HPH_RATE_LIMITS": "redis",
        "HPH_REDIS_URL": redis_url,
        "HPH_RATE_LIMIT_REDIS_PREFIX": f"test-{uuid.uuid4().hex[:12]}:limits:",
        "HPH_RATE_LIMIT_PER_USER_PER_MINUTE": str(BUDGET),
        "HPH_RATE_LIMIT_PER_IP_PER_MINUTE": "0",  # both hosts see the test's one address
        # Generous: on a busy machine a slow answer would fail open, and the test counts an exact budget.
        "HPH_REDIS_CALL_TIMEOUT_SECONDS": "5",
    }
    started: list[Host] = []
    try:
        for name in ("a", "b"):
            data_dir = tmp_path / name
            process, banner = start_hph(data_dir, "--services", "catalog", "--rest", command="serve", env=env)
            assert "REST" in banner, f"{name}: {banner}"
            token = hph_token(data_dir, SUBJECT)
            started.append(Host(process, rest_url(banner), {"authorization": f"Bearer {token}"}))
        yield started
        for host in started:
            assert stop_hph(host.process) == 0
    finally:
        for host in started:
            if host.process.poll() is None:
                host.process.kill()
                host.process.wait()


async def test_one_users_budget_holds_across_two_hosts(hosts: list[Host]) -> None:
    requests = 4 * BUDGET  # twice the budget per host, spread over both at once
    began = time.monotonic()
    async with httpx.AsyncClient(timeout=10) as client:
        answers = await asyncio.gather(
            *(
                client.get(f"{hosts[i % 2].url}/api/products", params={"limit": 1}, headers=hosts[i % 2].headers)
                for i in range(requests)
            )
        )
    assert time.monotonic() - began < 60 / BUDGET, "too slow to rule out a refill"
    statuses = [answer.status_code for answer in answers]
    assert statuses.count(200) == BUDGET, statuses
    assert statuses.count(429) == requests - BUDGET, statuses
    served_by = {i % 2 for i, status in enumerate(statuses) if status == 200}
    refused_by = {i % 2 for i, status in enumerate(statuses) if status == 429}
    assert refused_by == {0, 1}, "each host refuses once the shared budget is spent"
    assert served_by  # (which host spent the budget is the race's to decide)

    refused = next(answer for answer in answers if answer.status_code == 429)
    retry_after = int(refused.headers["retry-after"])
    assert 1 <= retry_after <= 60 / BUDGET
    body = refused.json()
    assert body["code"] == 8  # RESOURCE_EXHAUSTED
    details = {detail["@type"].rsplit("/", 1)[1]: detail for detail in body["details"]}
    assert details["google.rpc.RetryInfo"]["retry_delay"] == f"{retry_after}s"

    # A caller without a token (no user bucket; the IP limit is off here) is not held back by that user.
    async with httpx.AsyncClient(timeout=10) as client:
        other = await client.get(f"{hosts[1].url}/api/products", params={"limit": 1})
        ready = [(await client.get(f"{host.url}/ready")).json() for host in hosts]
    assert other.status_code == 200
    assert [answer["rate_limits"] for answer in ready] == [{"store": "redis", "fail_open_checks": 0}] * 2
