"""Fixtures that start the real platform in-process on a free port with a temporary data dir.

A test module narrows what `hub` starts with module-level names: `HUB_SERVICES` (a tuple of service
names; every service when absent) and `HUB_SETTINGS` (Settings fields to replace)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hph.host.app import SERVICE_NAMES
from tests.support.platform_harness import Hub, running_hub


@pytest.fixture
async def hub(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Hub]:
    """The module's services (every service by default), demo data seeded."""
    services = getattr(request.module, "HUB_SERVICES", SERVICE_NAMES)
    overrides = getattr(request.module, "HUB_SETTINGS", None)
    async with running_hub(tmp_path / "data", services=services, seed=True, settings_overrides=overrides) as running:
        yield running


@pytest.fixture
async def empty_hub(tmp_path: Path) -> AsyncIterator[Hub]:
    """Every service, nothing seeded."""
    async with running_hub(tmp_path / "data", seed=False) as running:
        yield running
