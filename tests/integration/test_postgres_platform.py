"""The platform on PostgreSQL (HPH_STORAGE=postgres), each test on a database of its own: the peak
races that only the store's compare-and-swap can win, in one process and in two worker processes
sharing the server, and the operator commands that read the store (`hph events`).

The rest of the integration suite runs on PostgreSQL too with HPH_TEST_STORAGE=postgres (see
tests/support/platform_harness.py); these run on it always."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import test_checkout_race as checkout_race  # its races, called here on PostgreSQL (not re-collected)

from hph.runtime.storage.postgres import PostgresDocumentStore
from tests.support.hph_process import run_hph
from tests.support.platform_harness import Hub, running_hub

pytestmark = pytest.mark.integration


def postgres_settings(dsn: str) -> dict[str, str]:
    return {"storage": "postgres", "postgres_dsn": dsn}


@pytest.fixture
async def hub(tmp_path: Path, postgres_database: str) -> AsyncIterator[Hub]:
    async with running_hub(
        tmp_path / "data", seed=True, settings_overrides=postgres_settings(postgres_database)
    ) as hub:
        yield hub


async def test_200_shoppers_race_for_25_units_on_postgres(hub: Hub) -> None:
    assert hub.settings.storage == "postgres"
    await checkout_race.test_200_shoppers_race_for_25_units_through_create_order(hub)


async def test_two_worker_processes_on_postgres_never_oversell(tmp_path: Path, postgres_database: str) -> None:
    await checkout_race.buyers_spread_over_two_worker_processes_never_oversell(
        tmp_path, env={"HPH_STORAGE": "postgres", "HPH_POSTGRES_DSN": postgres_database}
    )


async def test_events_cli_reads_the_consumer_state_from_postgres(tmp_path: Path, postgres_database: str) -> None:
    env = {"HPH_STORAGE": "postgres", "HPH_POSTGRES_DSN": postgres_database}
    async with running_hub(tmp_path, seed=True, settings_overrides=postgres_settings(postgres_database)):
        pass  # the platform ran once: its event log is in the data dir, its consumer groups in PostgreSQL

    lag = run_hph("events", "lag", data_dir=tmp_path, env=env)

    assert lag.returncode == 0, lag.stderr
    assert not (tmp_path / "hph.sqlite3").exists()
    assert "order-events" in lag.stdout, lag.stdout


async def test_a_wrong_password_is_refused_without_printing_it(tmp_path: Path, postgres_dsn: str) -> None:
    secret = "s3cret-Pa55word"
    server = urlsplit(postgres_dsn)
    dsn = urlunsplit(server._replace(netloc=f"hph_nobody:{secret}@{server.hostname}:{server.port or 5432}"))
    env = {"HPH_STORAGE": "postgres", "HPH_POSTGRES_DSN": dsn, "HPH_LOG_LEVEL": "DEBUG"}

    seeded = run_hph("seed", data_dir=tmp_path, env=env)

    assert seeded.returncode == 1
    assert secret not in seeded.stdout + seeded.stderr
    assert "hph: cannot connect to PostgreSQL at postgresql://127.0.0.1:" in seeded.stderr, seeded.stderr


async def test_a_schema_with_an_older_container_layout_is_refused_in_one_line(
    tmp_path: Path, postgres_database: str
) -> None:
    store = await PostgresDocumentStore.open(postgres_database)
    try:
        await store.container("products", "/id")  # products were partitioned by id before events
    finally:
        await store.close()
    env = {"HPH_STORAGE": "postgres", "HPH_POSTGRES_DSN": postgres_database}

    result = run_hph("serve", "--services", "catalog", "--grpc-port", "0", data_dir=tmp_path, env=env)

    assert result.returncode == 1
    assert result.stderr.startswith("hph: the PostgreSQL schema 'hph' was written by a version"), result.stderr
    assert "'products' has partition key path '/id', not '/product_id'" in result.stderr
