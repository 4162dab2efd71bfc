"""What each `hph events` command does, against an opened `EventsSource`; output goes to `out`
(stdout: the result a script reads) and `err` (stderr: progress and notes)."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any, TextIO

from hph.host.events_cli.arguments import BEHIND_EXIT_CODE, EARLIEST, LATEST
from hph.host.events_cli.errors import CommandFailed, UsageError
from hph.host.events_cli.progress import ProgressBar
from hph.host.events_cli.reading import resolved_starts, topic_events
from hph.host.events_cli.render import (
    envelope_json,
    event_json,
    event_line,
    json_line,
    short_type,
    table,
    timestamp,
)
from hph.host.events_cli.source import EventsSource
from hph.runtime.consumers import DeadLetter, DeadLetterStatus, GroupLag, GroupRecord, UnknownDeadLetter, group_lag
from hph.runtime.eventlog import LoggedEvent, OwnershipStore, Position

REASON_WIDTH = 60
WAIT_POLL_SECONDS = 0.25
# A replay whose lag has not moved for this long has no running consumer to watch.
IDLE_SECONDS = 10.0


async def topics(source: EventsSource, args: argparse.Namespace, out: TextIO) -> int:
    """Every topic with its partitions' retained range (first and last sequence number)."""
    known = await source.admin.topics()
    if not known:
        print(f"no topics yet in {source.description}", file=out)
        return 0
    rows: list[list[object]] = []
    for topic in sorted(known):
        infos = [await source.log.partition_info(topic, partition) for partition in range(known[topic])]
        if args.json:
            partitions = [
                {
                    "partition": info.partition,
                    "first_sequence": info.first_sequence,
                    "last_sequence": info.last_sequence,
                    "last_enqueued_at": None if info.last_enqueued_at is None else timestamp(info.last_enqueued_at),
                }
                for info in infos
            ]
            print(json_line({"topic": topic, "partitions": partitions}), file=out)
        for info in infos:
            first, last = _or_dash(info.first_sequence), _or_dash(info.last_sequence)
            rows.append([topic, info.partition, first, last, timestamp(info.last_enqueued_at)])
    if not args.json:
        print(table(["TOPIC", "PARTITION", "FIRST", "LAST", "LAST ENQUEUED"], rows), file=out)
    return 0


async def tail(source: EventsSource, args: argparse.Namespace, out: TextIO) -> int:
    partitions = await source.topic_partitions(args.topic)
    if args.partition is not None:
        if args.partition >= partitions:
            raise UsageError(f"topic {args.topic!r} has partitions 0..{partitions - 1}, not {args.partition}")
        chosen = [args.partition]
    else:
        chosen = list(range(partitions))
    write = event_json if args.json else event_line
    printed = 0
    starts = await resolved_starts(source.log, args.topic, chosen, _position(args.start_at))
    if args.follow:
        # On stderr, so stdout stays the events; said once the start is fixed (scripts wait for it).
        since = args.start_at if isinstance(args.start_at, str) else timestamp(args.start_at)
        print(f"following {args.topic} from {since} (Ctrl-C stops)", file=sys.stderr, flush=True)
    events = topic_events(source.log, args.topic, starts, follow=args.follow, keep=_type_filter(args.types))
    async for event in events:
        print(write(event), file=out, flush=args.follow)
        printed += 1
        if args.limit is not None and printed >= args.limit:
            break
    return 0


def _position(start: str | datetime) -> Position:
    if start == EARLIEST:
        return Position.earliest()
    if start == LATEST:
        return Position.latest()
    assert isinstance(start, datetime)
    return Position.since(start)


def _type_filter(types: list[str] | None) -> Callable[[LoggedEvent], bool]:
    if not types:
        return lambda _event: True
    wanted = set(types)
    return lambda event: event.envelope.event_type in wanted or short_type(event.envelope.event_type) in wanted


def _or_dash(value: object) -> object:
    return "-" if value is None else value


async def lag(source: EventsSource, args: argparse.Namespace, out: TextIO) -> int:
    """Each group's lag per topic and partition (and, on a log shared by several processes, which
    consumer owns each partition); with --exit-code, BEHIND_EXIT_CODE when any group is behind."""
    if args.group is not None:
        records = [await source.group(args.group)]
    else:
        records = await source.admin.groups()
    if args.topic is not None:
        await source.topic_partitions(args.topic)
    lags: list[GroupLag] = []
    owners: dict[tuple[str, str], dict[int, str]] = {}
    ownership = source.log if isinstance(source.log, OwnershipStore) else None
    shared = ownership is not None
    for record in records:
        topics = sorted(record.topics) if args.topic is None else [t for t in record.topics if t == args.topic]
        lags += await source.admin.record_lag(record, topics)
        if ownership is not None and not record.per_replica:
            for topic in topics:
                owners[record.group, topic] = await ownership.owners(record.group, topic)
    if args.json:
        for entry in lags:
            document = dataclasses.asdict(entry)
            if shared:
                document["owner"] = owners.get((entry.group, entry.topic), {}).get(entry.partition)
            print(json_line(document), file=out)
    elif lags:
        header = ["GROUP", "TOPIC", "PARTITION", "CHECKPOINT", "LAST", "LAG"] + (["OWNER"] if shared else [])
        rows = []
        for entry in lags:
            row = [entry.group, entry.topic, entry.partition, _or_dash(entry.checkpoint), _or_dash(entry.last_sequence)]
            row.append(entry.events)
            if shared:
                row.append(owners.get((entry.group, entry.topic), {}).get(entry.partition, "-"))
            rows.append(row)
        print(table(header, rows), file=out)
    behind = _behind_by_group(lags)
    if not args.json:
        print(_lag_summary(records, lags, behind), file=out)
    return BEHIND_EXIT_CODE if args.exit_code and behind else 0


def _behind_by_group(lags: list[GroupLag]) -> dict[str, int]:
    behind: dict[str, int] = {}
    for entry in lags:
        if entry.events:
            behind[entry.group] = behind.get(entry.group, 0) + entry.events
    return behind


def _lag_summary(records: list[GroupRecord], lags: list[GroupLag], behind: dict[str, int]) -> str:
    if not records:
        return "no consumer group has been declared yet (the platform declares them when it starts)"
    if not behind:
        return f"every group is caught up ({len(records)} groups, {len(lags)} partitions)"
    groups = ", ".join(f"{group} ({events} events)" for group, events in sorted(behind.items()))
    return f"{len(behind)} of {len(records)} groups behind: {groups}"


async def dlq_list(source: EventsSource, args: argparse.Namespace, out: TextIO) -> int:
    if args.group is not None:
        await source.group(args.group)
    status = None if args.status is None else DeadLetterStatus(args.status)
    letters = await source.admin.dead_letters(args.group, status=status, limit=args.limit)
    if args.json:
        for letter in letters:
            print(json_line(dead_letter_json(letter)), file=out)
        return 0
    if not letters:
        print("no dead letters" + (f" of group {args.group}" if args.group else ""), file=out)
        return 0
    rows = [
        [
            full_id(letter),
            letter.status.value,
            short_type(letter.event_type),
            letter.attempts,
            timestamp(letter.last_failed_at),
            one_line(letter.reason, REASON_WIDTH),
        ]
        for letter in letters
    ]
    print(table(["ID", "STATUS", "TYPE", "ATTEMPTS", "LAST FAILED", "REASON"], rows), file=out)
    if len(letters) == args.limit:
        print(f"(the {args.limit} most recent; --limit shows more)", file=out)
    return 0


async def dlq_show(source: EventsSource, args: argparse.Namespace, out: TextIO) -> int:
    letter = await _dead_letter(source, args.id)
    if args.json:
        print(json_line(dead_letter_json(letter)), file=out)
        return 0
    fields = [
        ("id", full_id(letter)),
        ("group", letter.group),
        ("status", letter.status.value),
        ("position", f"{letter.topic} partition {letter.partition} sequence {letter.sequence}"),
        ("enqueued at", timestamp(letter.enqueued_at)),
        ("event", f"{letter.event_type} {letter.event_id}"),
        ("attempts", str(letter.attempts)),
        ("first failed", timestamp(letter.first_failed_at)),
        ("last failed", timestamp(letter.last_failed_at)),
        ("error type", letter.error_type or "-"),
        ("reason", letter.reason),
        ("replays", str(letter.replays)),
        ("replay asked", timestamp(letter.replay_requested_at)),
        ("replayed at", timestamp(letter.replayed_at)),
    ]
    width = max(len(name) for name, _ in fields)
    for name, value in fields:
        print(f"{name + ':':<{width + 1}} {value}", file=out)
    print("envelope:", file=out)
    print(json.dumps(envelope_json(letter.envelope), indent=2, ensure_ascii=False), file=out)
    return 0


async def dlq_replay(source: EventsSource, args: argparse.Namespace, out: TextIO) -> int:
    if args.all:
        groups = [args.group] if args.group is not None else [record.group for record in await source.admin.groups()]
        if args.group is not None:
            await source.group(args.group)
        asked: list[DeadLetter] = []
        for group in groups:
            asked += await source.admin.replay_dead_letters(group)
        if not asked:
            print("no parked dead letters" + (f" of group {args.group}" if args.group else ""), file=out)
            return 0
    else:
        letter = await _dead_letter(source, args.id, group=args.group)
        asked = [await source.admin.replay_dead_letter(letter.group, letter.id)]
    for letter in asked:
        print(f"replay requested: {full_id(letter)}", file=out)
    if args.wait <= 0:
        print(
            f"{len(asked)} dead letter(s) marked for redelivery: the consumer owning each partition "
            "re-delivers them on its next poll (`hph events dlq list` shows the outcome)",
            file=out,
        )
        return 0
    return await _await_replays(source, asked, args.wait, out)


async def _await_replays(source: EventsSource, asked: list[DeadLetter], within: float, out: TextIO) -> int:
    """Polls until every asked dead letter was replayed or failed again, or `within` seconds passed."""
    waiting = {full_id(letter): letter for letter in asked}
    failed: list[DeadLetter] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    progress = ProgressBar("replaying dead letters", len(asked))
    while waiting:
        for key, before in list(waiting.items()):
            now = await source.admin.dead_letter(before.group, before.id)
            if now.replays > before.replays:
                del waiting[key]
                if now.status is not DeadLetterStatus.REPLAYED:
                    failed.append(now)
        progress.update(len(asked) - len(waiting))
        if not waiting or loop.time() >= deadline:
            break
        await asyncio.sleep(WAIT_POLL_SECONDS)
    if waiting:
        progress.finish(f"{len(waiting)} of {len(asked)} not re-delivered within {within:g} s (is a platform running?)")
        raise CommandFailed(f"{len(waiting)} dead letter(s) still waiting for redelivery: {', '.join(waiting)}")
    if failed:
        progress.finish()
        reasons = "; ".join(f"{full_id(letter)}: {one_line(letter.reason, REASON_WIDTH)}" for letter in failed)
        raise CommandFailed(f"{len(failed)} of {len(asked)} failed again and are parked: {reasons}")
    progress.finish(f"{len(asked)} dead letter(s) handled")
    print(f"replayed: {len(asked)} handled", file=out)
    return 0


async def _dead_letter(source: EventsSource, text: str, *, group: str | None = None) -> DeadLetter:
    """The dead letter an ID names: GROUP/ID, or a bare ID found in exactly one group (of `group`)."""
    named_group, _, dead_letter = text.rpartition("/")
    if named_group and group is not None and named_group != group:
        raise UsageError(f"dead letter {text!r} belongs to group {named_group!r}, not --group {group!r}")
    named_group = named_group or group or ""
    if named_group:
        await source.group(named_group)
        try:
            return await source.admin.dead_letter(named_group, dead_letter)
        except UnknownDeadLetter as exc:
            raise UsageError(f"{exc} (`hph events dlq list --group {named_group}` lists them)") from exc
    found = []
    for record in await source.admin.groups():
        try:
            found.append(await source.admin.dead_letter(record.group, dead_letter))
        except UnknownDeadLetter:
            continue
    if not found:
        raise UsageError(f"no dead letter {dead_letter!r} in any group (`hph events dlq list` lists them)")
    if len(found) > 1:
        raise UsageError(
            f"{len(found)} groups have a dead letter {dead_letter!r}: name one of {', '.join(map(full_id, found))}"
        )
    return found[0]


def full_id(letter: DeadLetter) -> str:
    """The ID the CLI prints and takes: GROUP/TOPIC.PARTITION.SEQUENCE (dead letter ids are per group)."""
    return f"{letter.group}/{letter.id}"


def dead_letter_json(letter: DeadLetter) -> dict[str, Any]:
    return {
        "id": full_id(letter),
        "group": letter.group,
        "topic": letter.topic,
        "partition": letter.partition,
        "sequence": letter.sequence,
        "enqueued_at": timestamp(letter.enqueued_at),
        "status": letter.status.value,
        "event_id": letter.event_id,
        "event_type": letter.event_type,
        "attempts": letter.attempts,
        "reason": letter.reason,
        "error_type": letter.error_type,
        "first_failed_at": timestamp(letter.first_failed_at),
        "last_failed_at": timestamp(letter.last_failed_at),
        "replays": letter.replays,
        "replay_requested_at": None if letter.replay_requested_at is None else timestamp(letter.replay_requested_at),
        "replayed_at": None if letter.replayed_at is None else timestamp(letter.replayed_at),
        "envelope": envelope_json(letter.envelope),
    }


def one_line(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


async def replay(source: EventsSource, args: argparse.Namespace, out: TextIO) -> int:
    """Resets the group on its topics, then watches the running consumers catch up (unless --no-wait)."""
    record = await source.group(args.group)
    if args.topic is not None and args.topic not in record.topics:
        raise UsageError(
            f"consumer group {args.group!r} does not read {args.topic!r} (it reads {', '.join(sorted(record.topics))})"
        )
    topics = sorted(record.topics) if args.topic is None else [args.topic]
    to = None if args.start_at == EARLIEST else args.start_at
    await source.admin.reset(args.group, to=to, topics=topics)
    since = "the earliest retained event" if to is None else timestamp(to)
    to_read = sum(entry.events for entry in await group_lag(source.log, args.group, topics))
    print(f"reset {args.group} on {', '.join(topics)} to {since}: {to_read} events to read again", file=out)
    if args.no_wait or to_read == 0:
        if to_read:
            print("running consumers of the group re-read them within one batch", file=out)
        return 0
    return await _watch_catch_up(source, args.group, topics, to_read, args.timeout, out)


async def _watch_catch_up(
    source: EventsSource, group: str, topics: list[str], to_read: int, within: float, out: TextIO
) -> int:
    """A progress bar while the group's lag falls to 0; says so and returns 0 when no consumer moves
    it within IDLE_SECONDS (no platform running: the reset waits for the next start)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    last_move = started
    total, remaining = to_read, to_read
    progress = ProgressBar(f"replaying {group}", total)
    while True:
        await asyncio.sleep(WAIT_POLL_SECONDS)
        now_remaining = sum(entry.events for entry in await group_lag(source.log, group, topics))
        now = loop.time()
        if now_remaining != remaining:
            last_move = now
        # Events appended meanwhile are part of the catch-up too.
        total = max(total, total - remaining + now_remaining)
        remaining = now_remaining
        progress.update(total - remaining, total)
        if remaining == 0:
            progress.finish(f"{group} has caught up: {total} events read again")
            return 0
        if now - last_move >= IDLE_SECONDS and remaining == to_read:
            progress.finish()
            print(
                f"no consumer of {group} is reading (is the platform running?): the reset is done, and the "
                "group re-reads from there when it next starts",
                file=out,
            )
            return 0
        if now - started >= within:
            progress.finish()
            print(f"still {remaining} events to go after {within:g} s; the replay goes on", file=out)
            return 0
