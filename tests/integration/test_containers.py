"""Every storage container the code uses is declared (`CONTAINERS` beside the code that uses it), with
the partition key it is used with: the host creates exactly those, and `infra/` provisions them."""

from __future__ import annotations

from pathlib import Path

import pytest

from hph.host.app import SERVICES, declared_containers
from hph.runtime.storage import Container, SqliteDocumentStore
from tests.support.platform_harness import running_hub

pytestmark = pytest.mark.integration


async def test_every_container_the_platform_opens_is_declared_with_its_partition_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: set[tuple[str, str]] = set()
    open_container = SqliteDocumentStore.container

    async def recording(self: SqliteDocumentStore, name: str, partition_key_path: str) -> Container:
        opened.add((name, partition_key_path))
        return await open_container(self, name, partition_key_path)

    monkeypatch.setattr(SqliteDocumentStore, "container", recording)
    # Building every service and seeding opens what each uses; a revocation check opens the one
    # container the platform opens on first use.
    # On SQLite whatever HPH_TEST_STORAGE says: the recording wraps that adapter.
    async with running_hub(tmp_path / "data", seed=True, settings_overrides={"storage": "sqlite"}) as hub:
        assert hub.platform.deps.revocations is not None
        assert not await hub.platform.deps.revocations.is_revoked("some-token-id")
        created = {name for name, _ in opened}

    declared = {(spec.name, spec.partition_key_path) for spec in declared_containers(SERVICES)}
    assert opened - declared == set(), "containers used but not declared (or with another partition key)"
    assert {name for name, _ in declared} == created  # the host created every declared one


async def test_the_host_registers_exactly_the_declared_outbox_containers_with_the_relay(tmp_path: Path) -> None:
    async with running_hub(tmp_path / "data", seed=False) as hub:
        assert hub.platform.deps.relay is not None
        registered = hub.platform.deps.relay.container_names
    assert registered == {spec.name for spec in declared_containers(SERVICES) if spec.outbox}
    assert {"orders", "payments", "products", "users", "inventory", "returns", "shipments", "tickets"} <= registered
