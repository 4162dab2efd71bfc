"""Consumer groups declared from outside the hosted services (HPH_CONSUMER_EXTENSIONS).

Each entry is `module:function`; the host imports the module and awaits (or calls)
`function(deps)` once while the platform starts, after the services have declared their groups and
before the groups start, so the function declares its own on `deps.bus` exactly as a service does
(`deps.bus.declare(ConsumerGroup(...))`). A projection or an operator's tool shipped as its own
package runs this way without a change to the platform, and tests run probe groups (a handler that
fails on purpose, or records what it handled) in a real `hph up` without shipping them.

A name that cannot be imported, or that is no callable, stops the start with a ValueError naming
it: a group silently missing would only show as events nobody handles.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any

from hph.runtime.deps import Dependencies


def parse_extensions(spec: str) -> list[tuple[str, str]]:
    """(module, function) of each comma-separated `module:function`; ValueError for a malformed one."""
    entries = []
    for raw in spec.split(","):
        entry = raw.strip()
        if not entry:
            continue
        module, _, function = entry.partition(":")
        if not module or not function or not all(part.isidentifier() for part in [*module.split("."), function]):
            raise ValueError(f"HPH_CONSUMER_EXTENSIONS entry {entry!r} is not module:function")
        entries.append((module, function))
    return entries


def _resolve(module_name: str, function_name: str) -> Callable[[Dependencies], Any]:
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"HPH_CONSUMER_EXTENSIONS: cannot import {module_name!r}: {exc}") from exc
    function = getattr(module, function_name, None)
    if not callable(function):
        raise ValueError(f"HPH_CONSUMER_EXTENSIONS: {module_name} has no function {function_name!r}")
    declare: Callable[[Dependencies], Any] = function
    return declare


async def declare_extension_groups(spec: str, deps: Dependencies) -> None:
    """Runs every extension's declaration function with `deps` (see the module docstring)."""
    for module_name, function_name in parse_extensions(spec):
        outcome = _resolve(module_name, function_name)(deps)
        if inspect.isawaitable(outcome):
            await outcome
