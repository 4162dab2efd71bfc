"""The suite's markers, and the promise behind `pytest -m unit`: a fast loop that starts no server
and no process (a pytest plugin, loaded by tests/conftest.py).

Every test is `unit` or `integration`. Tests under tests/integration and tests/e2e are integration
tests (the e2e ones are marked `e2e` too); elsewhere a test is a unit test unless it (or its module)
is marked `integration`. While a unit test runs, including the set-up of the fixtures it asks for,
listening on a socket, starting a gRPC server, a subprocess or another process fails it with a
message that says to mark it `integration`."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Callable, Generator
from contextlib import ExitStack
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import NoReturn
from unittest import mock

import grpc
import pytest

TESTS = Path(__file__).resolve().parents[1]
INTEGRATION_FOLDERS = {"integration", "e2e"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = item.path.resolve()
        folder = path.relative_to(TESTS).parts[0] if path.is_relative_to(TESTS) else ""
        if folder == "e2e":
            item.add_marker(pytest.mark.e2e)
        if folder in INTEGRATION_FOLDERS and item.get_closest_marker("integration") is None:
            item.add_marker(pytest.mark.integration)
        if item.get_closest_marker("integration") is None:
            item.add_marker(pytest.mark.unit)


class UnitTestLeftTheProcess(AssertionError):
    """A `unit` test started a server or a process."""


def _refusal(item: pytest.Item, what: str) -> Callable[..., NoReturn]:
    def refuse(*_args: object, **_kwargs: object) -> NoReturn:
        raise UnitTestLeftTheProcess(
            f"{item.nodeid} is a unit test but {what}; mark it @pytest.mark.integration "
            "(unit tests start no server and no process, so `pytest -m unit` stays fast)"
        )

    return refuse


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, object, object]:
    if item.get_closest_marker("unit") is None:
        return (yield)
    with ExitStack() as guards:
        for owner, name, what in (
            (socket.socket, "listen", "listens on a socket"),
            (grpc, "server", "starts a gRPC server"),
            (grpc.aio, "server", "starts a gRPC server"),
            (subprocess.Popen, "_execute_child", "starts a subprocess"),
            (os, "fork", "forks"),
            (os, "posix_spawn", "spawns a process"),
            (BaseProcess, "start", "starts a process"),
        ):
            guards.enter_context(mock.patch.object(owner, name, _refusal(item, what)))
        return (yield)
