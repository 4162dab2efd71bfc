"""The two ways an `hph events` command fails, as for every `hph` command: a usage error (exit 2:
what the user typed names nothing there is, or is malformed) and a failure while running (exit 1:
the log cannot be opened or answered wrongly). Both are one line on stderr."""

from __future__ import annotations


class UsageError(ValueError):
    """The input is not valid: a malformed flag, or a topic, group, partition or dead letter that
    does not exist (the message names what does)."""


class CommandFailed(RuntimeError):
    """The command could not do its work (no event log where it looked, a store that failed)."""
