"""Fixtures that start the real platform in-process on a free port with a temporary data dir."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from platform_harness import Hub, start_hub, stop_hub


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[Hub]:
    """Every service, demo data seeded."""
    running = await start_hub(tmp_path / "data", seed=True)
    try:
        yield running
    finally:
        await stop_hub(running)


@pytest.fixture
async def empty_hub(tmp_path: Path) -> AsyncIterator[Hub]:
    """Every service, nothing seeded."""
    running = await start_hub(tmp_path / "data", seed=False)
    try:
        yield running
    finally:
        await stop_hub(running)
