"""`hph events`: runs a parsed command and turns its outcome into the exit codes every `hph` command
uses (0 done, 1 a failure while running, 2 a usage error; `lag --exit-code` adds 3 for "behind"),
each failure one line on stderr."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from typing import TextIO

from hph.host.events_cli import commands
from hph.host.events_cli.arguments import check
from hph.host.events_cli.errors import CommandFailed, UsageError
from hph.host.events_cli.source import EventsSource, open_source
from hph.runtime.eventlog import EventLogError, UnknownTopicError
from hph.runtime.settings import Settings

PROG = "hph events"
Command = Callable[[EventsSource, argparse.Namespace, TextIO], Awaitable[int]]
_INTERRUPTED = 130  # the shell's code for a command stopped by Ctrl-C


def main(args: argparse.Namespace) -> int:
    try:
        check(args)
        settings = Settings.from_env(data_dir=args.data_dir, profile=args.profile)
    except ValueError as exc:
        return _fail(2, exc)
    try:
        return asyncio.run(_run(settings, args))
    except UsageError as exc:
        return _fail(2, exc)
    except BrokenPipeError:
        # The reader went away (`hph events tail ... | head`): not a failure. Python would report
        # the pipe once more when it flushes stdout at exit, so stdout goes to /dev/null first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (CommandFailed, EventLogError, OSError) as exc:
        return _fail(1, exc)
    except KeyboardInterrupt:
        return _INTERRUPTED


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    command = _command(args)
    source = await open_source(settings)
    try:
        return await command(source, args, sys.stdout)
    except UnknownTopicError as exc:
        raise UsageError(str(exc)) from exc
    finally:
        await source.close()


def _command(args: argparse.Namespace) -> Command:
    name = args.events_command
    if name == "topics":
        return commands.topics
    if name == "tail":
        return commands.tail
    if name == "lag":
        return commands.lag
    if name == "replay":
        return commands.replay
    return {"list": commands.dlq_list, "show": commands.dlq_show, "replay": commands.dlq_replay}[args.dlq_command]


def _fail(code: int, failure: Exception) -> int:
    text = " ".join(str(failure).split())  # one line, whatever the message held
    if isinstance(failure, OSError) and failure.strerror:
        text = f"{failure.strerror}: {failure.filename}" if failure.filename else failure.strerror
    print(f"{PROG}: {text}", file=sys.stderr)
    return code
