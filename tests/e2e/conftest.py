"""Fixtures: the whole platform plus the REST gateway, in-process on free ports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from rest_harness import RestHub, start_rest_hub, stop_rest_hub


@pytest.fixture
async def rest(tmp_path: Path) -> AsyncIterator[RestHub]:
    running = await start_rest_hub(tmp_path / "data")
    try:
        yield running
    finally:
        await stop_rest_hub(running)
