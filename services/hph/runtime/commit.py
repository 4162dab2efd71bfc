"""Optimistic commits: read, decide, write one partition's batch guarded by etags, re-plan on a lost race.

Every state change of the platform has the same shape. A *plan* reads what it needs from one
partition (or is handed what the caller just read), decides, and answers with one of

- `Write(operations, result, events=..., completion=...)`: commit these operations in ONE
  transactional batch of the partition, each guarded by the state the plan read (`ReplaceOp` /
  `DeleteOp` with `if_match` = the etag read, `CreateOp` for what did not exist), then answer
  `result(written)`;
- `Done(result)`: nothing to write; answer `result`;
- `STALE`: what the plan read is known to have moved on (e.g. it just drove another writer to its
  end): plan again.

`commit` owns everything around the decision, so no service writes it again:

- **The retry policy.** When a guarded operation loses (another writer changed or created the
  document since the plan read it), nothing was applied; the plan runs again on fresh state, at most
  `DEFAULT_ATTEMPTS` times in all, then ABORTED (reason CONCURRENT_MODIFICATION, or the caller's
  error). Before re-planning after an etag mismatch it pauses a random time up to a bound that doubles
  per attempt (`BACKOFF_FIRST` .. `BACKOFF_MAX`): writers that read the same version collide again
  if they retry in step. A lost create (the document exists now) or a vanished document does not
  repeat that way, so the next plan runs at once; so does a `STALE` one. The first attempt costs
  nothing beyond the write itself: no extra read, no pause.
- **Pinned etags.** A caller that sent an etag (If-Match) asked for its change on exactly that
  version: with `pinned`, a lost etag race is ABORTED with that message instead of re-planned (the
  plan itself refuses a version whose etag differs from the pinned one before deciding).
- **The transactional outbox.** `events` are written as outbox records in the same batch as the
  state (hph.runtime.events.outbox), so a write that fails or is retried emits nothing; rebuild
  them in the plan, as every attempt decides afresh. After a commit with events, `notify` wakes
  the relay (the relay also learns of the records through the store's commit listener when it is
  attached; the call makes delivery immediate either way).
- **Idempotent responses.** `completion` (`IdempotencyRecords.completion`) stores the response on
  the request's idempotency claim as the batch's last operation. It failing means a retry took the
  claim over: that is not a race to re-plan but `completion.lost()`, raised as is.

A single guarded operation without events or completion is written with the container's own method
(`replace`, `create`, ...) rather than a one-operation batch: same guarantee, less work for the store.

    async def plan(attempt: int) -> Write[Document] | Done[Document]:
        order = known if attempt == 0 else await orders.read(order_id, user_id)
        if order["status"] == "cancelled":
            return Done(order)
        cancelled = {**order, "status": "cancelled"}
        return Write([ReplaceOp(cancelled, if_match=order["_etag"])], stored(0), events=[cancelled_event(cancelled)])

    order = await commit(orders, user_id, plan, busy=f"order {order_id!r} is being changed by others; retry",
                         notify=relay.notify)
"""

from __future__ import annotations

import asyncio
import functools
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Final, Generic, TypeAlias, TypeVar

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime.errors import Aborted
from hph.runtime.events.outbox import outbox_ops
from hph.runtime.storage import BatchOperation, Container, CreateOp, DeleteOp, Document, ReplaceOp, UpsertOp
from hph.runtime.storage.port import (
    BatchError,
    ConflictError,
    NotFoundError,
    PreconditionFailedError,
    StorageError,
)

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

# One policy for every optimistic write. A plan that loses this many times in a row is up against
# sustained contention on one partition; the caller (or its client) retries later. 16 attempts with
# the pauses below give up after about 0.3 s on average.
DEFAULT_ATTEMPTS: Final = 16
BACKOFF_FIRST: Final = 0.002
BACKOFF_MAX: Final = 0.05

Written: TypeAlias = Sequence[Document | None]
"""Per operation of a `Write` (in its order), the document as stored; None for a delete."""


@dataclass(frozen=True, slots=True)
class Completion:
    """The batch operation that completes an idempotency claim, and the error to raise when it fails
    (the claim was taken over by a retry of the request)."""

    operation: BatchOperation
    lost: Callable[[], Exception]


@dataclass(slots=True)  # not frozen: a frozen dataclass costs a microsecond more to build, every commit
class Write(Generic[T_co]):
    """A plan's decision to write: `operations` in one batch (each guarded by what the plan read),
    the `events` they emit, and how to answer once they are stored."""

    operations: Sequence[BatchOperation]
    result: Callable[[Written], T_co]
    events: Sequence[EventEnvelope] = ()
    completion: Completion | None = None


@dataclass(slots=True)
class Done(Generic[T_co]):
    """A plan's decision that nothing needs writing; `result` is the answer."""

    result: T_co


class Stale:
    """A plan's report that the state it read has moved on: plan again (counts as an attempt)."""

    __slots__ = ()


STALE: Final = Stale()

Plan: TypeAlias = Callable[[int], Awaitable[Write[T] | Done[T] | Stale]]
"""Reads (attempt 0 may decide on a version the caller already holds) and decides; `attempt` counts
from 0, so a plan knows whether what it was handed is still worth trusting."""


async def commit(
    container: Container,
    partition_key: str,
    plan: Plan[T],
    *,
    busy: str | Callable[[], Exception],
    pinned: str = "",
    notify: Callable[[], None] | None = None,
    attempts: int = DEFAULT_ATTEMPTS,
) -> T:
    """Runs `plan` until its decision is stored or needs nothing stored, and returns its result.

    `busy` is the ABORTED message (or a factory of the error) for when every attempt lost a race;
    `pinned` (the caller sent an etag) makes a lost etag race final, ABORTED with that message;
    `notify` wakes the outbox relay after a commit with events. Errors the plan raises propagate
    untouched, as do storage failures other than a lost race. See the module docstring.
    """
    for attempt in range(attempts):
        decision = await plan(attempt)
        if isinstance(decision, Done):
            return decision.result
        if isinstance(decision, Write):
            outcome = await _try(container, partition_key, decision, notify)
            if not isinstance(outcome, StorageError):
                return decision.result(outcome)
            if pinned and isinstance(outcome, PreconditionFailedError):
                raise Aborted(pinned) from None
            if isinstance(outcome, PreconditionFailedError) and attempt + 1 < attempts:
                await asyncio.sleep(random.uniform(0.0, min(BACKOFF_MAX, BACKOFF_FIRST * 2**attempt)))
    raise Aborted(busy) if isinstance(busy, str) else busy()


async def write_once(
    container: Container, partition_key: str, write: Write[T], *, notify: Callable[[], None] | None = None
) -> T | None:
    """One attempt of `write` (for a caller with a fallback of its own rather than a re-plan):
    its result, or None when a guarded operation lost its race (nothing was written)."""
    outcome = await _try(container, partition_key, write, notify)
    return None if isinstance(outcome, StorageError) else write.result(outcome)


@functools.cache
def stored(index: int) -> Callable[[Written], Document]:
    """The `Write.result` answering the document that operation `index` stored."""

    def pick(written: Written) -> Document:
        doc = written[index]
        assert doc is not None, f"operation {index} stores no document (a delete)"
        return doc

    return pick


# --- one attempt -----------------------------------------------------------------------------------

_LOST_RACE = (PreconditionFailedError, ConflictError, NotFoundError)


async def _try(
    container: Container, partition_key: str, write: Write[T], notify: Callable[[], None] | None
) -> Written | StorageError:
    """Stores `write` and returns what was stored, or the error of the guarded operation that lost
    its race (then nothing was applied)."""
    operations = write.operations
    written: Written
    try:
        if len(operations) == 1 and not write.events and write.completion is None:
            operation = operations[0]
            if isinstance(operation, ReplaceOp):  # the usual one, without another coroutine in between
                written = [await container.replace(operation.doc, if_match=operation.if_match)]
            else:
                written = [await _single(container, partition_key, operation)]
        else:
            batch = list(operations)
            if write.events:
                batch += outbox_ops(container, write.events, partition_key)
            if write.completion is not None:
                batch.append(write.completion.operation)
            try:
                written = await container.batch(partition_key, batch)
            except BatchError as exc:
                if write.completion is not None and exc.index == len(batch) - 1:
                    raise write.completion.lost() from None
                if exc.index < len(operations) and isinstance(exc.cause, _LOST_RACE):
                    return exc.cause
                raise
    except _LOST_RACE as exc:  # the single operation's own error
        return exc
    if write.events and notify is not None:
        notify()
    return written


async def _single(container: Container, partition_key: str, operation: BatchOperation) -> Document | None:
    if isinstance(operation, CreateOp):
        return await container.create(operation.doc)
    if isinstance(operation, DeleteOp):
        await container.delete(operation.id, partition_key, if_match=operation.if_match)
        return None
    if isinstance(operation, UpsertOp):
        return await container.upsert(operation.doc, if_match=operation.if_match)
    return (await container.batch(partition_key, [operation]))[0]  # a lone read: nothing to win or lose
