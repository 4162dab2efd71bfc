"""The child processes `hph up` runs beside its own server, each started the same way: with
`HPH_WORKERS` > 1, extra server workers (several workers use several cores), and with
`HPH_GATEWAY_COHOSTED=false`, the REST gateway as a process of its own that reaches the services
only over gRPC, like the Envoy sidecar it stands in for; and unless `HPH_AGENTS_BACKGROUND_COHOSTED`,
the process running the agents' consumer groups and periodic jobs. A child reports that it is ready with one
line on stdout, which also says where it listens.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import signal
import socket
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hph.runtime.settings import Settings

log = logging.getLogger("hph.host")

# Set in a child's environment to the pid of the `hph` that started it (see `follow_parent`).
PARENT_PID_ENV = "HPH_PARENT_PID"
_PR_SET_PDEATHSIG = 1

GATEWAY_READY = re.compile(r"REST gateway listening on http://(?P<host>[^:]+):(?P<port>\d+)")
WORKER_READY = re.compile(r"worker (?P<pid>\d+) serving gRPC on (?P<address>\S+)")
START_TIMEOUT_SECONDS = 30.0


@dataclass
class ChildProcess:
    """A started `hph` subcommand and the ready line it printed."""

    process: asyncio.subprocess.Process
    ready: re.Match[str]

    @classmethod
    async def start(
        cls, args: Sequence[str], *, ready: re.Pattern[str], what: str, env: Mapping[str, str]
    ) -> ChildProcess:
        """Runs `hph <args>` and waits for its ready line; OSError naming `what` if it never comes."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "hph.host.cli",
            *args,
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, **env, PARENT_PID_ENV: str(os.getpid())},
        )
        assert process.stdout is not None
        try:
            line = await asyncio.wait_for(process.stdout.readline(), START_TIMEOUT_SECONDS)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise OSError(f"the {what} did not start in time") from None
        except asyncio.CancelledError:
            # The caller gave up on a child still starting (the platform is stopping): it must not
            # outlive the platform, so it is stopped and reaped before the cancellation goes on.
            await _stop(process, grace_seconds=START_TIMEOUT_SECONDS)
            raise
        match = ready.search(line.decode(errors="replace"))
        if match is None:
            await process.wait()
            raise OSError(f"the {what} failed to start (exit code {process.returncode}); see the log above")
        return cls(process, match)

    async def stop(self, grace_seconds: float) -> None:
        """SIGTERM (the child drains its calls), then SIGKILL if it outlives the grace."""
        await _stop(self.process, grace_seconds)


async def _stop(process: asyncio.subprocess.Process, grace_seconds: float) -> None:
    """SIGTERM `process`, SIGKILL it if it outlives `grace_seconds` (and five more), and reap it."""
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    try:
        await asyncio.wait_for(process.wait(), grace_seconds + 5)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()


async def start_gateway(settings: Settings, *, grpc_target: str) -> tuple[ChildProcess, int]:
    """The REST gateway in front of `grpc_target`, and the HTTP port it listens on."""
    child = await ChildProcess.start(
        [
            "gateway",
            "--grpc-target",
            grpc_target,
            "--http-host",
            settings.http_host,
            "--http-port",
            str(settings.http_port),
        ],
        ready=GATEWAY_READY,
        what="REST gateway",
        env={"HPH_DATA_DIR": str(settings.data_dir), "HPH_WORKERS": str(settings.workers), **_profile_env(settings)},
    )
    return child, int(child.ready.group("port"))


async def start_worker(
    settings: Settings, services: Sequence[str], *, rest: bool = False, agents_address: str = ""
) -> ChildProcess:
    """One more server process hosting `services` on the (already bound, shared) gRPC port and, with
    `rest`, serving their REST surface on the (already bound, shared) HTTP port; with
    `agents_address`, forwarding the replica agents' calls to the agents' process there."""
    return await ChildProcess.start(
        [
            "serve",
            "--worker",
            "--services",
            ",".join(services),
            "--data-dir",
            str(settings.data_dir),
            "--grpc-host",
            settings.grpc_host,
            "--grpc-port",
            str(settings.grpc_port),
            "--workers",  # how many share the ports (the REST rate limits are shared when several do)
            str(settings.workers),
            *(["--rest", "--http-host", settings.http_host, "--http-port", str(settings.http_port)] if rest else []),
            *(["--agents-address", agents_address] if agents_address else []),
        ],
        ready=WORKER_READY,
        what="server worker",
        env=_profile_env(settings),
    )


class AgentsProcess:
    """The agents' process of the platform hosting `services` (`Duties` in hph.host.app): it runs the
    agents' shared consumer groups (their projections) and periodic jobs, and keeps the replicas of
    the agents that answer from one (search). It builds the same services and agents, so what their
    handlers call runs in-process there too, and serves gRPC on a loopback port (`address`) that
    only the serving workers are told of: they forward the replica agents' calls there; every other
    call to an agent stays in the serving worker, where it costs no network hop and no deadline
    risk. Should it die while the platform runs, it is started again on the same port; its
    consumers resume from their checkpoints and its replicas are built again."""

    RESTART_PAUSE_SECONDS = 1.0

    def __init__(self, settings: Settings, services: Sequence[str], child: ChildProcess) -> None:
        self._settings = settings
        self._services = list(services)
        self._child = child
        self.address = child.ready.group("address")
        self._stopping = False
        self._watch = asyncio.create_task(self._keep_running(), name="hph-agents-process")

    @classmethod
    async def start(cls, settings: Settings, services: Sequence[str]) -> AgentsProcess:
        return cls(settings, services, await cls._start_child(settings, services, port=0))

    @staticmethod
    async def _start_child(settings: Settings, services: Sequence[str], *, port: int) -> ChildProcess:
        return await ChildProcess.start(
            [
                "serve",
                "--agents-background",
                "--services",
                ",".join(services),
                "--data-dir",
                str(settings.data_dir),
                "--grpc-host",
                "127.0.0.1",
                "--grpc-port",
                str(port),
            ],
            ready=WORKER_READY,
            what="agents' process",
            env=_profile_env(settings),
        )

    async def _keep_running(self) -> None:
        port = int(self.address.rsplit(":", 1)[1])
        while True:
            code = await self._child.process.wait()
            if self._stopping:
                return
            log.error("the agents' process exited; starting it again", extra={"exit_code": code})
            await asyncio.sleep(self.RESTART_PAUSE_SECONDS)
            try:
                self._child = await self._start_child(self._settings, self._services, port=port)
            except OSError:
                log.exception("the agents' process could not be started again; retrying")

    async def stop(self, grace_seconds: float) -> None:
        self._stopping = True
        self._watch.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._watch
        await self._child.stop(grace_seconds)

    @property
    def pid(self) -> int:
        return self._child.process.pid


def _profile_env(settings: Settings) -> dict[str, str]:
    """The profile the parent was given (perhaps by flag): a child resolves the same settings."""
    return {"HPH_PROFILE": settings.profile} if settings.profile else {}


def follow_parent() -> None:
    """In a child started by `ChildProcess.start`: be sent SIGTERM when the parent dies, however it
    dies (SIGKILL included), so no orphaned worker keeps serving on the shared ports. Linux only
    (prctl); elsewhere a no-op."""
    expected = os.environ.get(PARENT_PID_ENV)
    if not expected or not sys.platform.startswith("linux"):
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        return
    if os.getppid() != int(expected):  # it died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


def refuse_if_taken(host: str, port: int, what: str) -> None:
    """OSError if another process listens on `host:port`. Workers share their ports through
    SO_REUSEPORT, which would just as quietly let them share one with another platform (a second
    `hph up --workers N` on the same ports), splitting its traffic at random; so the first worker
    binds once without it before binding for sharing. Port 0 always gets a free port."""
    if port == 0:
        return
    for family, kind, protocol, _, address in socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    ):
        with socket.socket(family, kind, protocol) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT leftovers are fine
            try:
                probe.bind(address)
            except OSError as exc:
                raise OSError(exc.errno, f"the {what} port {host}:{port} is already in use") from None
