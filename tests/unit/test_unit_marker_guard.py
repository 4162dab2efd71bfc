"""The guard behind `pytest -m unit` (tests/support/markers.py): a unit test that starts a server or a
process fails, naming the marker to use instead."""

from __future__ import annotations

import asyncio
import multiprocessing
import socket
import subprocess
import sys

import grpc
import pytest

from tests.support.markers import UnitTestLeftTheProcess


def test_this_module_is_marked_unit(request: pytest.FixtureRequest) -> None:
    assert request.node.get_closest_marker("unit") is not None
    assert request.node.get_closest_marker("integration") is None


def test_listening_on_a_socket_is_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        with pytest.raises(UnitTestLeftTheProcess, match=r"listens on a socket; mark it @pytest.mark.integration"):
            probe.listen()


async def test_an_asyncio_server_is_refused() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    with pytest.raises(UnitTestLeftTheProcess):
        await asyncio.start_server(serve, "127.0.0.1", 0)


def test_a_grpc_server_is_refused() -> None:
    with pytest.raises(UnitTestLeftTheProcess, match="starts a gRPC server"):
        grpc.aio.server()


def test_subprocesses_and_processes_are_refused() -> None:
    with pytest.raises(UnitTestLeftTheProcess, match="starts a subprocess"):
        subprocess.run([sys.executable, "-c", "pass"], check=False)
    with pytest.raises(UnitTestLeftTheProcess, match="starts a process"):
        multiprocessing.get_context("spawn").Process(target=print).start()


def test_clients_and_in_process_sockets_are_allowed() -> None:
    left, right = socket.socketpair()
    with left, right:
        left.sendall(b"x")
        assert right.recv(1) == b"x"
    grpc.insecure_channel("127.0.0.1:1").close()
