"""What each `hph events` command does, against an opened `EventsSource`; output goes to `out`
(stdout: the result a script reads) and `err` (stderr: progress and notes)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TextIO

from hph.host.events_cli.arguments import EARLIEST, LATEST
from hph.host.events_cli.errors import UsageError
from hph.host.events_cli.reading import topic_events
from hph.host.events_cli.render import event_json, event_line, json_line, short_type, table, timestamp
from hph.host.events_cli.source import EventsSource
from hph.runtime.eventlog import LoggedEvent, Position


async def topics(source: EventsSource, args: argparse.Namespace, out: TextIO) -> int:
    """Every topic with its partitions' retained range (first and last sequence number)."""
    known = await source.log.topics()
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
    events = topic_events(
        source.log, args.topic, chosen, _position(args.start_at), follow=args.follow, keep=_type_filter(args.types)
    )
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


def group_topics_text(groups: Mapping[str, list[str]]) -> str:
    return ", ".join(sorted(groups)) or "none"
