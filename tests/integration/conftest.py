"""Fixtures that start the real platform in-process on a free port with a temporary data dir."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.platform_harness import Hub, running_hub


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[Hub]:
    """Every service, demo data seeded."""
    async with running_hub(tmp_path / "data", seed=True) as running:
        yield running


@pytest.fixture
async def empty_hub(tmp_path: Path) -> AsyncIterator[Hub]:
    """Every service, nothing seeded."""
    async with running_hub(tmp_path / "data", seed=False) as running:
        yield running
