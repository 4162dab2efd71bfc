"""`hph up --profile local-cluster` as a user runs it (issue #13): the platform on PostgreSQL (its
database created on first start), Redis Streams, Redis and azurite, serving a whole checkout journey
over REST with a token from `hph token --profile local-cluster`; clear one-line errors when
PostgreSQL or Redis cannot be reached; azurite started when nothing listens on its port.

The profile's addresses are this machine's usual ones; the test points the profile at engines of its
own (a database name, Redis key prefixes, an issuer key dir, the test azurite) through the variables
that override a profile's defaults, exactly as docs/profiles.md tells a user to."""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hph.host import local_cluster
from hph.runtime.profiles import azurite_connection_string
from hph.runtime.storage.postgres import PostgresDocumentStore
from tests.support import postgres
from tests.support.azurite import Azurite, azurite_installed
from tests.support.cluster import cluster_env
from tests.support.hph_process import hph_running, rest_url, run_hph
from tests.support.ports import free_port
from tests.support.rest_json import ADDRESS, ok

pytestmark = pytest.mark.integration


@pytest.fixture
def profile_env(tmp_path: Path, postgres_dsn: str, redis_url: str, azurite: Azurite) -> Iterator[dict[str, str]]:
    database = f"hph_test_{uuid.uuid4().hex[:16]}"  # not created: the profile creates it
    env = cluster_env(postgres.dsn_for(database), redis_url, f"test-{uuid.uuid4().hex[:12]}:", tmp_path / "keys")
    del env["HPH_MEMORY_COLD"]  # the profile's own choice: the cold tier on blob storage (here the test azurite)
    env["HPH_AZURE_STORAGE_CONNECTION_STRING"] = azurite.connection_string
    env["HPH_MEMORY_COLD_CONTAINER"] = f"cold-{uuid.uuid4().hex[:12]}"
    try:
        yield env
    finally:
        postgres.run_sync(lambda: postgres.drop_database(database))


async def test_hph_up_on_the_local_cluster_profile_serves_a_checkout(
    tmp_path: Path, profile_env: dict[str, str]
) -> None:
    data_dir = tmp_path / "data"
    with hph_running(data_dir, "--profile", "local-cluster", env=profile_env) as (process, banner):
        assert "created  PostgreSQL database hph_test_" in banner, banner
        assert process.stdout is not None
        rest_of_banner = "".join(process.stdout.readline() for _ in range(4))  # shop, try, grpcurl, token
        assert "hph token --role customer" in rest_of_banner and "--profile local-cluster" in rest_of_banner
        token = run_hph(
            "token",
            "--profile",
            "local-cluster",
            "--role",
            "customer",
            "--sub",
            "ava",
            data_dir=tmp_path / "other",
            env=profile_env,
        )
        assert token.returncode == 0, token.stderr
        ava = {"authorization": f"Bearer {token.stdout.strip()}"}
        async with httpx.AsyncClient(base_url=rest_url(banner), timeout=30) as http:
            ready = ok(await http.get("/ready"))
            assert ready["rate_limits"]["store"] == "redis", ready
            ok(await http.post("/api/auth/register", json={}, headers=ava))
            address = ok(await http.post("/api/users/me/addresses", json=ADDRESS, headers=ava))
            card = ok(await http.post("/api/users/me/payment-methods", json={"token": "pm_card_visa"}, headers=ava))
            products = ok(await http.get("/api/products", params={"limit": 50}))["products"]
            product = next(product for product in products if product.get("in_stock"))
            ok(await http.post("/api/cart/items", json={"product_id": product["id"], "quantity": 1}, headers=ava))
            checkout = {"shipping_address_id": address["id"], "payment_method_id": card["id"]}
            order = ok(await http.post("/api/orders", json={**checkout, "request_id": "o-1"}, headers=ava))
            payment = {
                "order_id": order["id"],
                "payment_method_id": card["id"],
                "amount": order["total"],
                "request_id": "p-1",
            }
            assert (
                ok(await http.post("/api/payments", json=payment, headers=ava))["status"] == "PAYMENT_STATUS_SUCCEEDED"
            )
            assert ok(await http.get(f"/api/orders/{order['id']}", headers=ava))["status"] == "ORDER_STATUS_PAID"

    # The state is in PostgreSQL and the events in Redis, not in the data dir.
    assert not (data_dir / "hph.sqlite3").exists() and not (data_dir / "events.sqlite3").exists()
    store = await PostgresDocumentStore.open(profile_env["HPH_POSTGRES_DSN"])
    try:
        stored = await (await store.container("orders", "/user_id")).read(order["id"], "ava")
    finally:
        await store.close()
    assert stored["status"] == "paid"
    assert (tmp_path / "keys" / "dev-issuer-key.pem").exists()


def test_unreachable_engines_are_named_in_one_line(tmp_path: Path, profile_env: dict[str, str]) -> None:
    closed = free_port()
    no_postgres = {**profile_env, "HPH_POSTGRES_DSN": f"postgresql://postgres:hunter2@127.0.0.1:{closed}/hph"}
    failed = run_hph("up", "--profile", "local-cluster", data_dir=tmp_path / "a", env=no_postgres)
    assert failed.returncode == 1
    assert f"hph: cannot reach PostgreSQL at postgresql://127.0.0.1:{closed}/hph" in failed.stderr, failed.stderr
    assert "hunter2" not in failed.stderr + failed.stdout

    no_redis = {**profile_env, "HPH_REDIS_URL": f"redis://127.0.0.1:{closed}/0"}
    failed = run_hph("up", "--profile", "local-cluster", data_dir=tmp_path / "b", env=no_redis)
    assert failed.returncode == 1
    assert f"hph: cannot reach Redis at 127.0.0.1:{closed}" in failed.stderr, failed.stderr

    unknown = run_hph("up", "--profile", "everywhere", data_dir=tmp_path / "c")
    assert unknown.returncode == 2
    assert "choose one of embedded, local-cluster" in unknown.stderr


def test_azurite_is_started_when_nothing_listens_on_its_port(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not azurite_installed():
        pytest.skip("azurite is not installed (bash .ci/setup installs it with npm)")
    monkeypatch.chdir(tmp_path)  # where .hph-cluster/azurite goes
    connection = azurite_connection_string(free_port())
    lines = local_cluster.ensure_azurite(connection)
    try:
        assert len(lines) == 1 and "started  azurite (pid" in lines[0], lines
        assert (tmp_path / ".hph-cluster" / "azurite").is_dir()
        assert local_cluster.ensure_azurite(connection) == []  # running now: left alone
    finally:
        pid = int(lines[0].split("(pid ", 1)[1].split(")", 1)[0]) if lines else 0
        if pid:
            os.kill(pid, signal.SIGTERM)
