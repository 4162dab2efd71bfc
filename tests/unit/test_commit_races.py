"""Races that only the etag compare-and-swap of `hph.runtime.commit` wins.

Within one process the embedded store runs a point read and the write after it without yielding to
the event loop, and the stock ledger queues the changes of a SKU on a lock, so in-process tests never
see a plan decide on a version that another writer replaces before the write lands. Between worker
processes that is the normal case. Here each "process" is its own ledger (its own locks) or its own
caller, and the container yields to the loop after every read, so the writes of the others land
between a plan's read and its write, as they do across processes. Only the if-match keeps the
outcome right.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.runtime.clock import to_iso
from hph.runtime.errors import Aborted
from hph.runtime.idempotency import Claim, IdempotencyRecords
from hph.runtime.storage import Container, Document, SqliteDocumentStore
from hph.services.inventory import rules
from hph.services.inventory.ledger import LineRef, StockLedger

SKU = "SKU-RACE"
UNITS, BUYERS, PROCESSES = 10, 40, 4
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class InterleavedContainer:
    """The real container, yielding to the event loop after every read, as if other processes ran
    between this one's read and its write."""

    def __init__(self, inner: Container) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def read(self, id: str, partition_key: str) -> Document:
        doc = await self._inner.read(id, partition_key)
        await asyncio.sleep(0)
        return doc


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteDocumentStore]:
    raced = await SqliteDocumentStore.open(tmp_path / "races.sqlite3")
    yield raced
    await raced.close()


def clock() -> datetime:
    return NOW


async def test_processes_racing_for_the_last_units_never_oversell(store: SqliteDocumentStore) -> None:
    inventory = await store.container("inventory", "/sku")
    await inventory.create(rules.new_stock_document(SKU, on_hand=UNITS, reorder_point=0, safety_stock=0, now="t0"))
    shared = InterleavedContainer(inventory)
    ledgers = [StockLedger(shared, clock=clock, notify=lambda: None) for _ in range(PROCESSES)]  # type: ignore[arg-type]
    expires_at = to_iso(NOW + timedelta(minutes=15))

    async def buy(n: int) -> bool:
        line = LineRef(f"res-{n}", f"ORD-{n}", f"buyer-{n}", SKU, 1)
        try:
            await ledgers[n % PROCESSES].acquire(line, expires_at, correlation_id=f"race-{n}")
        except (rules.Shortage, Aborted):
            return False
        return True

    outcomes = await asyncio.gather(*(buy(n) for n in range(BUYERS)))
    stock = await inventory.read(SKU, SKU)
    assert outcomes.count(True) == UNITS, f"{outcomes.count(True)} buyers got one of {UNITS} units"
    assert (stock["quantity_on_hand"], stock["quantity_reserved"]) == (UNITS, UNITS)


async def test_retries_racing_to_take_over_a_stale_claim_take_it_once(store: SqliteDocumentStore) -> None:
    container = await store.container("orders", "/user_id")
    now = [NOW]
    records = IdempotencyRecords(InterleavedContainer(container), scope="race", clock=lambda: now[0])  # type: ignore[arg-type]
    first = await records.claim("u1", "key-1", "hash-a")
    assert isinstance(first, Claim)
    now[0] = NOW + timedelta(minutes=5)  # its holder died: the claim is stale

    async def retry() -> Claim | Aborted:
        try:
            outcome = await records.claim("u1", "key-1", "hash-a")
        except Aborted as refused:
            return refused
        assert isinstance(outcome, Claim)
        return outcome

    outcomes = await asyncio.gather(*(retry() for _ in range(PROCESSES)))
    assert len([o for o in outcomes if isinstance(o, Claim)]) == 1
    assert {o.reason for o in outcomes if isinstance(o, Aborted)} == {ErrorReason.ERROR_REASON_REQUEST_IN_FLIGHT}
