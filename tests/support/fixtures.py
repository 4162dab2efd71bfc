"""Fixtures any test may ask for by name (a pytest plugin, loaded by tests/conftest.py); a module's
own fixture of the same name wins."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hph.runtime.storage import SqliteDocumentStore


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where `store` keeps its database, for tests that open it a second time (another process)."""
    return tmp_path / "hub.sqlite"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[SqliteDocumentStore]:
    """An empty SQLite document store of the test's own."""
    opened = await SqliteDocumentStore.open(db_path)
    try:
        yield opened
    finally:
        await opened.close()
