"""How `hph events` prints: one line per event, aligned tables, and JSON lines for scripts.

Times are UTC with milliseconds (the log's resolution) and a `Z`; JSON is one object per line with
the envelope as proto3 JSON under its proto field names, as the REST surface writes messages.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from google.protobuf import json_format

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime.eventlog import LoggedEvent


def timestamp(moment: datetime | None) -> str:
    """2026-12-01T09:30:00.250Z, or "-" for no time."""
    if moment is None:
        return "-"
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def short_type(event_type: str) -> str:
    """holidaypeak.events.v1.OrderPaid -> OrderPaid."""
    return event_type.rsplit(".", 1)[-1]


def event_line(event: LoggedEvent) -> str:
    """position, enqueued time, type, key, id: the `tail` line."""
    envelope = event.envelope
    position = f"{event.partition}:{event.sequence}"
    return (
        f"{position:<12} {timestamp(event.enqueued_at)}  {short_type(envelope.event_type):<24} "
        f"key={envelope.partition_key}  id={envelope.event_id}"
    )


def envelope_json(envelope: EventEnvelope) -> dict[str, Any]:
    """The envelope as proto3 JSON (proto field names, payload under its oneof field's name)."""
    document: dict[str, Any] = json_format.MessageToDict(envelope, preserving_proto_field_name=True)
    return document


def event_json(event: LoggedEvent) -> str:
    """The `tail --json` line: the event's position and its whole envelope."""
    return json_line(
        {
            "topic": event.topic,
            "partition": event.partition,
            "sequence": event.sequence,
            "enqueued_at": timestamp(event.enqueued_at),
            "envelope": envelope_json(event.envelope),
        }
    )


def json_line(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Columns padded to their widest cell, numbers (and "-" for none) right-aligned; no trailing spaces."""
    cells = [[str(cell) for cell in header], *[[str(cell) for cell in row] for row in rows]]
    widths = [max(len(row[column]) for row in cells) for column in range(len(header))]
    numeric = [bool(rows) and all(_numeric(row[column]) for row in rows) for column in range(len(header))]
    lines = []
    for row in cells:
        padded = [
            cell.rjust(width) if is_number else cell.ljust(width)
            for cell, width, is_number in zip(row, widths, numeric, strict=True)
        ]
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines)


def _numeric(cell: object) -> bool:
    return (isinstance(cell, int) and not isinstance(cell, bool)) or cell == "-"
