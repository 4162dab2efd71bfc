"""A consumer group for tests of real `hph` processes, declared through the platform's extension
point: `HPH_CONSUMER_EXTENSIONS=tests.support.probe_consumer:declare` (see `probe_env`).

The group (`PROBE_GROUP`) handles every event of the topics in `HPH_TEST_PROBE_TOPICS` and is steered
through files in the directory `HPH_TEST_PROBE_DIR`, so a test can break it, fix it, or make one
process hang mid-batch without talking to the process:

- `broken` exists: the handler raises `ProbeFailure` with the file's text (a handler that always
  fails, until the test "fixes" it by removing the file);
- `stall-<pid>` exists: the handler of process `pid` waits until the file is gone (a consumer stuck
  in the middle of a batch, with the batch's events delivered to it and not acknowledged);
- every event it starts on and every one it handles is appended as one line, `pid topic partition
  sequence event_id`, to `started.log` and `handled.log` (O_APPEND writes of one short line, so the
  lines of several processes never interleave).
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path

from hph.runtime.consumers import ConsumerGroup, Delivery, Subscription
from hph.runtime.deps import Dependencies

PROBE_GROUP = "test-probe"
PROBE_DIR_ENV = "HPH_TEST_PROBE_DIR"
PROBE_TOPICS_ENV = "HPH_TEST_PROBE_TOPICS"
EXTENSION = "tests.support.probe_consumer:declare"
BROKEN = "broken"
STARTED_LOG = "started.log"
HANDLED_LOG = "handled.log"
_STALL_POLL_SECONDS = 0.05


class ProbeFailure(RuntimeError):
    """What the probe's handler raises while it is broken."""


def probe_env(directory: Path, topics: str = "ticket-events") -> dict[str, str]:
    """The environment that makes a `hph` process run the probe group on `topics` (comma-separated)."""
    directory.mkdir(parents=True, exist_ok=True)
    return {"HPH_CONSUMER_EXTENSIONS": EXTENSION, PROBE_DIR_ENV: str(directory), PROBE_TOPICS_ENV: topics}


def declare(deps: Dependencies) -> None:
    """The extension function: declares the probe group on the platform's consumer framework."""
    assert deps.bus is not None
    directory = Path(os.environ[PROBE_DIR_ENV])
    topics = [topic.strip() for topic in os.environ.get(PROBE_TOPICS_ENV, "ticket-events").split(",") if topic.strip()]
    handler = _Probe(directory).handle
    deps.bus.declare(ConsumerGroup(PROBE_GROUP, tuple(Subscription.to(topic, handler) for topic in topics)))


class _Probe:
    def __init__(self, directory: Path) -> None:
        self._directory = directory

    async def handle(self, delivery: Delivery) -> None:
        _append(self._directory / STARTED_LOG, delivery)
        await _until_gone(self._directory / f"stall-{os.getpid()}")
        broken = self._directory / BROKEN
        if broken.exists():
            raise ProbeFailure(broken.read_text().strip() or "the probe is broken")
        _append(self._directory / HANDLED_LOG, delivery)


async def _until_gone(path: Path) -> None:
    # A file another process removes: polled, there is nothing to wait on (a stat of a local file
    # does not hold the loop up).
    while True:
        if not _exists(path):
            return
        await asyncio.sleep(_STALL_POLL_SECONDS)


def _exists(path: Path) -> bool:
    return path.exists()


def _append(path: Path, delivery: Delivery) -> None:
    event = delivery.event
    line = f"{os.getpid()} {event.topic} {event.partition} {event.sequence} {event.envelope.event_id}\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(descriptor, line.encode())
    finally:
        os.close(descriptor)


@dataclass(frozen=True)
class ProbeLine:
    """One line of `started.log` or `handled.log`."""

    pid: int
    topic: str
    partition: int
    sequence: int
    event_id: str


def probe_lines(directory: Path, name: str = HANDLED_LOG) -> list[ProbeLine]:
    """The lines written so far (none before the first)."""
    path = directory / name
    if not path.exists():
        return []
    lines = []
    for text in path.read_text().splitlines():
        pid, topic, partition, sequence, event_id = text.split()
        lines.append(ProbeLine(int(pid), topic, int(partition), int(sequence), event_id))
    return lines
