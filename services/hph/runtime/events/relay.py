"""The outbox relay: appends unsent outbox records to the durable event log, marks them sent, purges
old ones.

Delivery is at least once. For each registered container the relay reads unsent records in
`created_at` order (across partitions), appends them to their topics on the event log
(hph.runtime.eventlog; the envelope's partition key picks the partition) and only once the append
returned, i.e. the events are durable in the log, marks them sent (`replace` with `if_match`). A
crash between the two appends the events again after restart; consumer groups deduplicate by
event_id. Records are appended in batches, one append per topic for up to `batch_size` records (an
append costs about as much for a hundred events as for one). An append that fails or times out
stops the pass there, so later events of the same key are not appended ahead of it, and it is
retried on the next pass. After each append `on_appended` gets the logged events (the host wakes
the consumers of those partitions with it).

Two ways records are found:

- Attached to the store (`attach(store)`, what the host does), the relay is told about every outbox
  record this process commits, as it commits (a storage commit listener). It queues them in commit
  order and publishes them from memory; marking them sent is then its only storage work. This is the
  hot path: a query per container per commit cost more than the rest of the request once containers
  grew.
- A scan of every container (one query each) finds what it was not told about: records written
  before a crash, or by another process. It runs on start (which is how a restart resumes what was
  not sent) and then every `poll_interval` seconds. A relay that is not attached scans on every
  `notify()` as well.

Services call `notify()` after committing, which wakes the loop at once.

Several relays on one store (several processes, or hosts sharing PostgreSQL) are safe: each scan
finds every unsent record, so two relays may both append one. On the Redis Streams log, which hosts
share, the append is idempotent by event id and the log keeps one copy; on the others consumers
absorb the copy by event id (hph.runtime.consumers.ledger). Marking sent and purging are
compare-and-swap on the record's etag, so the relay that loses either race just moves on.

Cost: a scan is one query per container; with the SQLite adapter that query reads the container's
documents, which is why it only runs on the poll schedule when the relay is attached. Sent records
are purged once they are older than `retention`, at most every `purge_interval` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import timedelta

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime.clock import Clock, system_clock, to_iso
from hph.runtime.eventlog import EventLog, LoggedEvent
from hph.runtime.events.outbox import (
    CREATED_AT_FIELD,
    IS_OUTBOX,
    PENDING,
    SENT_AT_FIELD,
    SENT_FIELD,
    decode_envelope,
    is_outbox,
)
from hph.runtime.storage import (
    MAX_BATCH_OPERATIONS,
    And,
    BatchError,
    BatchOperation,
    Container,
    DeleteOp,
    Document,
    DocumentStore,
    Eq,
    Lt,
    NotFoundError,
    OrderBy,
    PreconditionFailedError,
    Query,
    ReplaceOp,
)
from hph.runtime.storage.port import partition_key_of, validate_partition_key_path

log = logging.getLogger("hph.events.relay")

_PENDING_QUERY = Query(PENDING, order_by=(OrderBy("created_at"),))
# Written in the record when its envelope cannot be decoded: it is set aside (marked sent) so it
# cannot block the records behind it forever; the error log line is what an operator follows up.
UNDELIVERABLE_FIELD = "undeliverable"


Appended = Callable[[Sequence[LoggedEvent]], None]


class OutboxRelay:
    """Relays the outbox records of `containers` to the event log `log`; see the module docstring."""

    def __init__(
        self,
        log: EventLog,
        containers: Sequence[Container] = (),
        *,
        poll_interval: float = 0.5,
        batch_size: int = 100,
        publish_timeout: float = 30.0,
        retention: float = 24 * 3600.0,
        purge_interval: float = 60.0,
        retry_interval: float = 0.5,
        clock: Clock = system_clock,
        on_appended: Appended | None = None,
    ) -> None:
        if min(poll_interval, publish_timeout, purge_interval, retry_interval) <= 0 or retention < 0:
            raise ValueError(
                "poll_interval, publish_timeout, purge_interval and retry_interval must be > 0, retention >= 0"
            )
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        self._log = log
        self._on_appended = on_appended
        # By name: registering one again is a no-op, and a commit's container is found at once.
        self._containers: dict[str, Container] = {}
        self._poll_interval = poll_interval
        # How soon a record whose publish failed is tried again when nothing else wakes the relay.
        self._retry_interval = retry_interval
        self._batch_size = batch_size
        self._publish_timeout = publish_timeout
        self._retention = timedelta(seconds=retention)
        self._purge_interval = purge_interval
        self._clock = clock
        self._wake = asyncio.Event()
        self._drain_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._last_purge: float | None = None
        self._last_scan: float | None = None
        self._attached = False
        # Records this process committed and has not published yet, in commit order.
        self._committed: OrderedDict[tuple[str, str], tuple[Container, Document]] = OrderedDict()
        for container in containers:
            self.register(container)

    def attach(self, store: DocumentStore) -> None:
        """Has `store` report every commit, so the relay publishes what this process writes
        without scanning (see the module docstring)."""
        if not self._attached:
            store.add_commit_listener(self._on_commit)
            self._attached = True

    def _on_commit(self, container: Container, partition_key: str, docs: Sequence[Document]) -> None:
        if container.name not in self._containers:
            return
        queued = False
        for doc in docs:
            if is_outbox(doc) and doc.get(SENT_FIELD) is False:
                self._committed[(container.name, str(doc["id"]))] = (container, doc)
                queued = True
        if queued:
            self._wake.set()

    def register(self, container: Container) -> None:
        """Adds a container whose outbox this relay serves (idempotent by container name)."""
        validate_partition_key_path(container.partition_key_path)
        self._containers.setdefault(container.name, container)

    @property
    def container_names(self) -> frozenset[str]:
        """The containers whose outbox this relay serves."""
        return frozenset(self._containers)

    def notify(self) -> None:
        """Wakes the relay now (call it on the event loop after committing an outbox record)."""
        self._wake.set()

    async def start(self) -> None:
        """Starts the loop; its first pass publishes whatever a previous run left unsent."""
        if self._task is not None:
            return
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="hph-outbox-relay")

    async def stop(self, *, drain: bool = True) -> None:
        """Stops the loop (letting a pass in progress finish); with `drain`, appends what is
        pending one last time. Stop the relay before closing the log."""
        task, self._task = self._task, None
        if task is not None:
            self._stopping = True
            self._wake.set()
            await task
        if drain:
            try:
                await self.drain_once()
            except Exception:
                log.exception("outbox relay: final drain failed")

    async def drain_once(self, *, settled_for: float = 0.0) -> int:
        """Publishes every record pending now, in order, and marks them sent; returns how many
        were published. A container whose pass fails is logged and left for the next pass.

        With `settled_for`, the scan skips records younger than that many seconds: the periodic
        scans of an attached relay leave them to the process that committed them, which publishes
        them from memory, instead of racing it into a duplicate."""
        async with self._drain_lock:
            published = await self._drain_committed()
            pending = _PENDING_QUERY
            if settled_for > 0:
                cutoff = to_iso(self._clock() - timedelta(seconds=settled_for))
                pending = Query(And(PENDING, Lt(CREATED_AT_FIELD, cutoff)), order_by=_PENDING_QUERY.order_by)
            for container in list(self._containers.values()):
                try:
                    published += await self._drain(container, pending)
                except Exception:
                    log.exception("outbox relay: pass failed", extra={"container": container.name})
            return published

    async def drain_committed(self) -> int:
        """Publishes the records this process committed since the last pass (no scan)."""
        async with self._drain_lock:
            return await self._drain_committed()

    async def purge_once(self) -> int:
        """Deletes sent records whose sent_at is older than the retention; returns how many."""
        cutoff = to_iso(self._clock() - self._retention)
        query = Query(And(IS_OUTBOX, Eq(SENT_FIELD, True), Lt(SENT_AT_FIELD, cutoff)))
        purged = 0
        for container in list(self._containers.values()):
            try:
                purged += await self._purge(container, query)
            except Exception:
                log.exception("outbox relay: purge failed", extra={"container": container.name})
        return purged

    # --- the loop ---------------------------------------------------------------------------

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopping:
            self._wake.clear()  # Before the pass, so a notify() during it triggers another.
            first_scan = self._last_scan is None
            scan_due = first_scan or loop.time() - (self._last_scan or 0.0) >= self._poll_interval
            if scan_due or not self._attached:
                self._last_scan = loop.time()
                # The first scan takes everything: what is pending then was left by a stopped process.
                settled_for = self._poll_interval if self._attached and not first_scan else 0.0
                await self.drain_once(settled_for=settled_for)
            else:
                await self.drain_committed()
            if self._last_purge is None or loop.time() - self._last_purge >= self._purge_interval:
                self._last_purge = loop.time()
                await self.purge_once()
            if self._stopping:
                return
            assert self._last_scan is not None
            pause = max(0.0, self._last_scan + self._poll_interval - loop.time())
            if self._committed:  # a publish failed: retry soon, not only on the next commit or scan
                pause = min(pause, self._retry_interval)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), pause)

    # --- what this process committed --------------------------------------------------------

    async def _drain_committed(self) -> int:
        """Appends the queued records in commit order, a batch at a time, and marks them sent. A
        record whose append fails stays queued, with everything behind it, for the next pass."""
        published = 0
        to_mark: dict[str, tuple[Container, list[Document]]] = {}
        try:
            while self._committed:
                head = list(itertools.islice(self._committed.items(), self._batch_size))
                done, count, complete = await self._publish([queued for _, (_, queued) in head])
                published += count
                # Outbox ids are unique across containers (they carry the event's random id).
                finished = {str(record["id"]): record for record in done}
                for key, (container, _) in head:
                    if key[1] in finished:
                        self._committed.pop(key, None)
                        to_mark.setdefault(container.name, (container, []))[1].append(finished[key[1]])
                if not complete:
                    break
        finally:
            for container, records in to_mark.values():
                try:
                    await self._mark_sent(container, records)
                except Exception:
                    # Appended but not marked: a later scan appends them again (at least once).
                    log.exception("outbox relay: marking sent failed", extra={"container": container.name})
        return published

    # --- one container ----------------------------------------------------------------------

    async def _drain(self, container: Container, pending: Query) -> int:
        published = 0
        while True:
            page = await container.query(pending, max_items=self._batch_size)
            if not page.items:
                return published
            done, count, complete = await self._publish(page.items)
            published += count
            for record in done:  # published by the scan: not again from the queue
                self._committed.pop((container.name, str(record["id"])), None)
            settled = await self._mark_sent(container, done)
            # A short page was the last; an interrupted or unsettled one is retried next pass.
            if not complete or settled < len(page.items) or len(page.items) < self._batch_size:
                return published

    async def _publish(self, records: list[Document]) -> tuple[list[Document], int, bool]:
        """Appends the records' events, one append per topic (in the records' order within it),
        until an append fails. Returns the records to mark sent (marked with an error when
        undeliverable), how many events were appended, and whether all records were handled."""
        done: list[Document] = []
        by_topic: dict[str, list[tuple[Document, EventEnvelope]]] = {}
        for record in records:
            try:
                envelope = decode_envelope(record)
            except ValueError as exc:
                log.error("outbox record set aside", extra={"record_id": record.get("id"), "error": str(exc)})
                done.append({**record, UNDELIVERABLE_FIELD: str(exc)})
                continue
            by_topic.setdefault(str(record.get("topic", "")), []).append((record, envelope))
        published = 0
        for topic, entries in by_topic.items():
            try:
                logged = await asyncio.wait_for(
                    self._log.append(topic, [envelope for _, envelope in entries]), self._publish_timeout
                )
            except Exception as exc:
                log.warning(
                    "outbox relay: append failed, will retry",
                    extra={"topic": topic, "events": len(entries), "error": repr(exc)},
                )
                return done, published, False
            done.extend(record for record, _ in entries)
            published += len(entries)
            if self._on_appended is not None:
                self._on_appended(logged)
        return done, published, True

    async def _mark_sent(self, container: Container, records: list[Document]) -> int:
        sent_at = to_iso(self._clock())
        return await _per_partition(
            container,
            records,
            lambda record: ReplaceOp({**record, SENT_FIELD: True, SENT_AT_FIELD: sent_at}, if_match=record["_etag"]),
        )

    async def _purge(self, container: Container, query: Query) -> int:
        purged = 0
        while True:
            page = await container.query(query, max_items=self._batch_size)
            if not page.items:
                return purged
            settled = await _per_partition(
                container, page.items, lambda record: DeleteOp(record["id"], if_match=record["_etag"])
            )
            purged += settled
            if settled < len(page.items) or len(page.items) < self._batch_size:
                return purged


async def _per_partition(
    container: Container, records: list[Document], operation: Callable[[Document], BatchOperation]
) -> int:
    """Applies `operation` to each record, batched per partition (one transaction instead of one
    per record). Returns how many records are settled: written, or already changed or removed by
    someone else (another relay), which needs nothing more from us either."""
    segments = validate_partition_key_path(container.partition_key_path)
    by_partition: dict[str, list[Document]] = {}
    for record in records:
        by_partition.setdefault(partition_key_of(record, segments), []).append(record)
    settled = 0
    for partition_key, group in by_partition.items():
        for start in range(0, len(group), MAX_BATCH_OPERATIONS):
            chunk = group[start : start + MAX_BATCH_OPERATIONS]
            try:
                await container.batch(partition_key, [operation(record) for record in chunk])
                settled += len(chunk)
            except BatchError:
                settled += await _one_by_one(container, partition_key, chunk, operation)
    return settled


async def _one_by_one(
    container: Container, partition_key: str, records: list[Document], operation: Callable[[Document], BatchOperation]
) -> int:
    """The fallback when a batch failed: each record alone, so one stale record spoils no other."""
    settled = 0
    for record in records:
        try:
            await container.batch(partition_key, [operation(record)])
            settled += 1
        except BatchError as exc:
            if isinstance(exc.cause, NotFoundError | PreconditionFailedError):
                settled += 1
            else:
                log.warning(
                    "outbox relay: record update failed", extra={"record_id": record.get("id"), "error": str(exc)}
                )
    return settled
