"""The `hph events` command line: its subcommands, flags and help, and the checks of what a user
typed that need no event log (a bad TIME, a partition below 0, `dlq replay` without an id or --all).

Every leaf command takes `--data-dir` like the rest of `hph`; `HPH_EVENT_LOG=redis` (with
`HPH_REDIS_URL`) points them all at the Redis Streams log instead of the data dir's SQLite one.
"""

from __future__ import annotations

import argparse
import re
import types
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from hph.host.events_cli.times import TIME_HELP, parse_time
from hph.runtime.clock import Clock, system_clock
from hph.runtime.consumers import DeadLetterStatus

EARLIEST = "earliest"
LATEST = "latest"
# `hph events lag --exit-code` exits with this when a group has events left to read (1 and 2 are a
# failure and a usage error, as for every `hph` command).
BEHIND_EXIT_CODE = 3

DESCRIPTION = """Inspect and operate the durable event log: its topics and partitions, the events in
them, each consumer group's lag, the dead-letter store, and replays.

Works on the embedded data dir while `hph up` runs on it (reading commands take no lock; `dlq replay`
and `replay` only record what the running consumers pick up), and on Redis Streams when
HPH_EVENT_LOG=redis (HPH_REDIS_URL)."""

EPILOG = """examples:
  hph events topics
  hph events tail order-events --from -15m --type OrderPaid
  hph events tail inventory-events --follow --json
  hph events lag --exit-code               # exit 3 while a group is behind
  hph events dlq list --group analytics
  hph events dlq replay --all --group analytics
  hph events replay --group analytics --from earliest
"""

TIME_ARGUMENT = "earliest|latest|TIME"
DLQ_STATUSES = tuple(status.value for status in DeadLetterStatus)
# A negative number, or anything starting "-<digit>" (a relative TIME, or a mistyped one that deserves
# the TIME message rather than "expected one argument"): no option of `hph events` starts so.
NEGATIVE_NUMBER_OR_RELATIVE_TIME = r"^-\d|^-\.\d"


class OneLineErrorParser(argparse.ArgumentParser):
    """A parser whose usage errors are one line on stderr, exit 2 (argparse prints the usage too),
    and that reads a relative TIME (`--from -15m`) as a value rather than an unknown option."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # argparse takes a word starting with "-" for an option unless it looks like a negative
        # number, which it decides with this (undocumented) pattern: widen it to relative times.
        self._negative_number_matcher = re.compile(NEGATIVE_NUMBER_OR_RELATIVE_TIME)

    def error(self, message: str) -> NoReturn:
        one_line_error(self, message)


def one_line_error(parser: argparse.ArgumentParser, message: str) -> NoReturn:
    parser.exit(2, f"{parser.prog}: {message} (see {parser.prog} --help)\n")


def add_events_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`hph events ...` under `commands`, the subparsers of `hph`."""
    common = OneLineErrorParser(add_help=False)
    common.add_argument("--data-dir", type=Path, help="embedded state folder (default .hph-data, env HPH_DATA_DIR)")
    common.add_argument("--profile", help="engine defaults: embedded or local-cluster (env HPH_PROFILE)")

    events = commands.add_parser(
        "events",
        help="inspect the event log: topics, tail, lag, dead letters, replay",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # `hph events` alone is a usage error of this parser, which `hph`'s subparsers built as a plain one.
    events.error = types.MethodType(one_line_error, events)  # type: ignore[method-assign]
    actions = events.add_subparsers(
        dest="events_command", required=True, metavar="EVENTS_COMMAND", parser_class=OneLineErrorParser
    )

    topics = actions.add_parser(
        "topics",
        parents=[common],
        help="every topic, its partitions and the range of events each retains",
        description="Every topic with one line per partition: the first and last sequence number it "
        "retains, how many events that is, and when the last one was enqueued.",
    )
    topics.add_argument("--json", action="store_true", help="one JSON object per topic instead of a table")

    tail = actions.add_parser(
        "tail",
        parents=[common],
        help="print a topic's events, one line each (or follow new ones)",
        description="Prints a topic's events, one line each: partition:sequence, enqueued time, event "
        "type, partition key and event id; events of different partitions in enqueued-time order.",
    )
    tail.add_argument("topic", metavar="TOPIC", help="e.g. order-events (`hph events topics` lists them)")
    tail.add_argument("-f", "--follow", action="store_true", help="keep printing new events until interrupted")
    tail.add_argument(
        "--from",
        dest="start",
        metavar=TIME_ARGUMENT,
        help=f"where to start (default earliest; with --follow, latest); TIME is {TIME_HELP}",
    )
    tail.add_argument("--partition", type=_partition, metavar="N", help="only this partition")
    tail.add_argument(
        "--type",
        dest="types",
        action="append",
        metavar="EVENT_TYPE",
        help="only this event type, short (OrderPaid) or full (holidaypeak.events.v1.OrderPaid); repeatable",
    )
    tail.add_argument("--limit", type=_positive, metavar="N", help="stop after N events")
    tail.add_argument("--json", action="store_true", help="each event as one line of JSON: position + envelope")

    lag = actions.add_parser(
        "lag",
        parents=[common],
        help="how many events each consumer group still has to read, per partition",
        description="Each consumer group's lag per topic and partition: the events retained after its "
        "checkpoint. A group that has read everything shows 0 (caught up). On Redis Streams, OWNER "
        "names the consumer (host-pid-id) that holds each partition's lease.",
    )
    lag.add_argument("--group", help="only this consumer group")
    lag.add_argument("--topic", help="only this topic")
    lag.add_argument(
        "--exit-code",
        action="store_true",
        help=f"exit {BEHIND_EXIT_CODE} when any group has events left to read (for scripts)",
    )
    lag.add_argument("--json", action="store_true", help="one JSON object per group, topic and partition")

    _add_dlq_parser(actions, common)

    replay = actions.add_parser(
        "replay",
        parents=[common],
        help="reset a consumer group's checkpoints so it reads again from earliest or a time",
        description="Resets a consumer group's checkpoints on every topic it consumes (or one) so it "
        "reads again from the earliest retained event or from a time, e.g. to rebuild a projection. "
        "The group's idempotency ledger still applies: an event it already handled has no second "
        "effect. When a platform is running, shows its progress until the group has caught up.",
    )
    replay.add_argument("--group", required=True, help="the consumer group to rewind (`hph events lag` lists them)")
    replay.add_argument(
        "--from",
        dest="start",
        required=True,
        metavar="earliest|TIME",
        help=f"earliest, or {TIME_HELP}",
    )
    replay.add_argument("--topic", help="only this topic of the group's")
    replay.add_argument(
        "--no-wait", action="store_true", help="reset and return without watching the running consumers catch up"
    )
    replay.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        metavar="SECONDS",
        help="stop watching after this long (the replay goes on; default 600)",
    )


def _add_dlq_parser(actions: argparse._SubParsersAction[OneLineErrorParser], common: OneLineErrorParser) -> None:
    dlq = actions.add_parser(
        "dlq",
        help="the dead-letter store: events a consumer group gave up on",
        description="Events a consumer group gave up on after its bounded retries, with the failure "
        "reason, the attempt count and the event's original position; replay re-delivers them to "
        "that group once the cause is fixed. A dead letter's ID is GROUP/TOPIC.PARTITION.SEQUENCE "
        "(the group may be left out when only one group has a dead letter at that position).",
    )
    verbs = dlq.add_subparsers(
        dest="dlq_command", required=True, metavar="DLQ_COMMAND", parser_class=OneLineErrorParser
    )
    listing = verbs.add_parser(
        "list",
        parents=[common],
        help="dead letters, most recently failed first",
        description="Dead letters, most recently failed first: ID, status (parked, replay-requested, "
        "replayed), event type, attempts, when it last failed and why.",
    )
    listing.add_argument("--group", help="only this consumer group's")
    listing.add_argument("--status", choices=DLQ_STATUSES, help="only dead letters in this state")
    listing.add_argument("--limit", type=_positive, default=100, metavar="N", help="at most N (default 100)")
    listing.add_argument("--json", action="store_true", help="one JSON object per dead letter, envelope included")
    show = verbs.add_parser(
        "show", parents=[common], help="one dead letter in full: position, failure, attempts, envelope"
    )
    show.add_argument("id", metavar="ID", help="GROUP/TOPIC.PARTITION.SEQUENCE, as `hph events dlq list` prints it")
    show.add_argument("--json", action="store_true", help="as one JSON object")
    replay = verbs.add_parser(
        "replay",
        parents=[common],
        help="re-deliver dead letters to their group (one ID, or --all)",
        description="Hands dead-lettered events back to their consumer group: the consumer that owns "
        "the event's partition re-delivers it on its next poll (a running platform within moments, "
        "otherwise once it starts) and marks it replayed, or parks it again with the new failure. "
        "The group's idempotency ledger still applies, so the event has one effect at most.",
    )
    replay.add_argument(
        "id", metavar="ID", nargs="?", help="the dead letter to replay (GROUP/TOPIC.PARTITION.SEQUENCE)"
    )
    replay.add_argument("--all", action="store_true", help="every parked dead letter (of --group only, with it)")
    replay.add_argument("--group", help="only this consumer group's")
    replay.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait up to this long for the outcome: exit 0 once every one was handled, 1 if one failed "
        "again or time ran out (default 0: only ask)",
    )


def check(args: argparse.Namespace, *, clock: Clock = system_clock) -> None:
    """The checks argparse cannot make; ValueError (a usage error) naming the first problem.

    Leaves `args.start_at` as EARLIEST, LATEST or a datetime for `tail` and `replay`."""
    command = args.events_command
    if command == "tail":
        args.start_at = parse_start(args.start or (LATEST if args.follow else EARLIEST), clock=clock)
    elif command == "replay":
        start = parse_start(args.start, clock=clock)
        if start == LATEST:
            raise ValueError("replay --from takes earliest or a TIME (latest would skip every event)")
        if args.timeout <= 0:
            raise ValueError(f"--timeout must be above 0 seconds, not {args.timeout}")
        args.start_at = start
    elif command == "dlq" and args.dlq_command == "replay":
        if args.all == bool(args.id):
            raise ValueError("dlq replay takes one ID or --all")
        if args.wait < 0:
            raise ValueError(f"--wait must be 0 or more seconds, not {args.wait}")


def parse_start(text: str, *, clock: Clock = system_clock) -> str | datetime:
    """EARLIEST, LATEST, or the moment a TIME names; ValueError otherwise."""
    lowered = text.strip().lower()
    if lowered in (EARLIEST, LATEST):
        return lowered
    return parse_time(text, clock=clock)


def _partition(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a partition number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"partitions are numbered from 0, not {value}")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value
