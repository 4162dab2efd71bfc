"""Fixtures: the whole platform plus the REST gateway, in-process on free ports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.rest_harness import RestHub, start_rest_hub, stop_rest_hub


@pytest.fixture
async def rest(tmp_path: Path) -> AsyncIterator[RestHub]:
    """The gateway co-hosted with the services, as `hph up` runs it."""
    running = await start_rest_hub(tmp_path / "data")
    try:
        yield running
    finally:
        await stop_rest_hub(running)


@pytest.fixture(params=["cohosted", "gateway process"])
async def rest_either(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[RestHub]:
    """Each gateway topology in turn: in-process calls (`hph up`'s default) and gRPC only
    (HPH_GATEWAY_COHOSTED=false), for journeys that must read the same through both."""
    running = await start_rest_hub(tmp_path / "data", cohosted=request.param == "cohosted")
    try:
        yield running
    finally:
        await stop_rest_hub(running)
