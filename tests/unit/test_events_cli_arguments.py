"""`hph events` input: TIME (ISO-8601 with a zone, or relative to now), the flags of each command and
the one-line usage errors (exit 2) for what is malformed."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta, timezone

import pytest

from hph.host.cli import build_parser
from hph.host.events_cli.arguments import EARLIEST, LATEST, check
from hph.host.events_cli.times import parse_time
from tests.support.clocks import ManualClock

NOW = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock[datetime]:
    return ManualClock(NOW)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01T09:30:00Z", datetime(2026, 12, 1, 9, 30, tzinfo=UTC)),
        ("2026-12-01T09:30:00.250+01:00", datetime(2026, 12, 1, 8, 30, 0, 250_000, tzinfo=UTC)),
        ("2026-12-01 09:30-05:00", datetime(2026, 12, 1, 14, 30, tzinfo=UTC)),
        ("-15m", NOW - timedelta(minutes=15)),
        ("-2h", NOW - timedelta(hours=2)),
        ("-1d", NOW - timedelta(days=1)),
        ("-1w", NOW - timedelta(weeks=1)),
        ("-90s", NOW - timedelta(seconds=90)),
        ("-1h30m", NOW - timedelta(hours=1, minutes=30)),
        (" -0s ", NOW),
    ],
)
def test_a_time_is_iso_8601_with_a_zone_or_relative_to_now(
    text: str, expected: datetime, clock: ManualClock[datetime]
) -> None:
    moment = parse_time(text, clock=clock)
    assert moment == expected
    assert moment.tzinfo is not None and moment.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2026-12-01T09:30:00", "no timezone"),
        ("2026-12-01", "no timezone"),
        ("yesterday", "ISO-8601"),
        ("2026-13-01T00:00Z", "ISO-8601"),
        ("-", "bad relative time"),
        ("-15", "bad relative time"),
        ("-15x", "bad relative time"),
        ("-1m1h", "bad relative time"),
        ("15m", "ISO-8601"),
        ("2026-12-04T00:00:00Z", "in the future"),
    ],
)
def test_a_time_that_is_not_one_says_what_is_accepted(text: str, says: str, clock: ManualClock[datetime]) -> None:
    with pytest.raises(ValueError, match=says):
        parse_time(text, clock=clock)


def test_a_time_in_another_zone_is_the_same_instant(clock: ManualClock[datetime]) -> None:
    tokyo = timezone(timedelta(hours=9))
    assert parse_time("2026-12-03T18:00:00+09:00", clock=clock) == datetime(2026, 12, 3, 18, tzinfo=tokyo)


def _parsed(clock: ManualClock[datetime], *argv: str) -> argparse.Namespace:
    args = build_parser().parse_args(["events", *argv])
    check(args, clock=clock)
    return args


def test_tail_starts_at_the_earliest_event_or_with_follow_at_new_ones(clock: ManualClock[datetime]) -> None:
    assert _parsed(clock, "tail", "order-events").start_at == EARLIEST
    following = _parsed(clock, "tail", "order-events", "-f")
    assert following.follow and following.start_at == LATEST
    assert _parsed(clock, "tail", "order-events", "--follow", "--from", "Earliest").start_at == EARLIEST
    since = _parsed(clock, "tail", "order-events", "--from", "-15m", "--partition", "3", "--type", "OrderPaid")
    assert (since.start_at, since.partition, since.types) == (NOW - timedelta(minutes=15), 3, ["OrderPaid"])
    both = _parsed(clock, "tail", "order-events", "--type", "OrderPaid", "--type", "OrderCancelled", "--json")
    assert both.types == ["OrderPaid", "OrderCancelled"] and both.json


def test_replay_takes_earliest_or_a_time_but_not_latest(clock: ManualClock[datetime]) -> None:
    replay = _parsed(clock, "replay", "--group", "analytics", "--from", "earliest")
    assert (replay.group, replay.start_at, replay.topic, replay.no_wait) == ("analytics", EARLIEST, None, False)
    timed = _parsed(clock, "replay", "--group", "g", "--from", "2026-12-01T00:00:00Z", "--topic", "order-events")
    assert timed.start_at == datetime(2026, 12, 1, tzinfo=UTC) and timed.topic == "order-events"
    with pytest.raises(ValueError, match="latest would skip every event"):
        _parsed(clock, "replay", "--group", "g", "--from", "latest")
    with pytest.raises(ValueError, match="--timeout"):
        _parsed(clock, "replay", "--group", "g", "--from", "earliest", "--timeout", "0")


def test_dlq_replay_takes_one_id_or_all(clock: ManualClock[datetime]) -> None:
    assert _parsed(clock, "dlq", "replay", "dl-1").id == "dl-1"
    every = _parsed(clock, "dlq", "replay", "--all", "--group", "analytics")
    assert every.all and every.group == "analytics"
    with pytest.raises(ValueError, match="one ID or --all"):
        _parsed(clock, "dlq", "replay")
    with pytest.raises(ValueError, match="one ID or --all"):
        _parsed(clock, "dlq", "replay", "dl-1", "--all")
    assert _parsed(clock, "dlq", "replay", "dl-1", "--group", "analytics", "--wait", "5").wait == 5
    with pytest.raises(ValueError, match="--wait"):
        _parsed(clock, "dlq", "replay", "dl-1", "--wait", "-1")


def test_lag_filters_and_exit_code(clock: ManualClock[datetime]) -> None:
    lag = _parsed(clock, "lag", "--group", "analytics", "--topic", "order-events", "--exit-code")
    assert (lag.group, lag.topic, lag.exit_code) == ("analytics", "order-events", True)
    assert _parsed(clock, "lag").group is None


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["events"], "required: EVENTS_COMMAND"),
        (["events", "nope"], "invalid choice: 'nope'"),
        (["events", "tail"], "required: TOPIC"),
        (["events", "tail", "order-events", "--partition", "-1"], "numbered from 0"),
        (["events", "tail", "order-events", "--partition", "one"], "not a partition number"),
        (["events", "tail", "order-events", "--limit", "0"], "at least 1"),
        (["events", "replay", "--from", "earliest"], "required: --group"),
        (["events", "dlq"], "required: DLQ_COMMAND"),
        (["events", "dlq", "show"], "required: ID"),
    ],
)
def test_malformed_input_is_a_one_line_usage_error(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("hph events") and says in err


@pytest.mark.parametrize(
    "argv",
    [["tail", "order-events"], ["topics"], ["lag"], ["dlq", "list"], ["dlq", "show", "x"], ["dlq", "replay", "x"]],
)
def test_every_events_command_takes_the_data_dir_like_the_rest_of_hph(argv: list[str]) -> None:
    args = build_parser().parse_args(["events", *argv, "--data-dir", "/tmp/elsewhere"])
    assert str(args.data_dir) == "/tmp/elsewhere"


def test_help_lists_every_command_with_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["events", "--help"])
    text = capsys.readouterr().out
    for command in ("topics", "tail", "lag", "dlq", "replay", "HPH_EVENT_LOG", "examples:"):
        assert command in text
