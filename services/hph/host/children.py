"""The child processes `hph up` runs beside its own server, each started the same way: with
`HPH_WORKERS` > 1, extra server workers (several workers use several cores), and with
`HPH_GATEWAY_COHOSTED=false`, the REST gateway as a process of its own that reaches the services
only over gRPC, like the Envoy sidecar it stands in for. A child reports that it is ready with one
line on stdout, which also says where it listens.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hph.runtime.settings import Settings

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
            sys.executable, "-m", "hph.host.cli", *args, stdout=asyncio.subprocess.PIPE, env={**os.environ, **env}
        )
        assert process.stdout is not None
        try:
            line = await asyncio.wait_for(process.stdout.readline(), START_TIMEOUT_SECONDS)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise OSError(f"the {what} did not start in time") from None
        match = ready.search(line.decode(errors="replace"))
        if match is None:
            await process.wait()
            raise OSError(f"the {what} failed to start (exit code {process.returncode}); see the log above")
        return cls(process, match)

    async def stop(self, grace_seconds: float) -> None:
        """SIGTERM (the child drains its calls), then SIGKILL if it outlives the grace."""
        if self.process.returncode is not None:
            return
        self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), grace_seconds + 5)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            await self.process.wait()


async def start_gateway(settings: Settings, *, grpc_target: str) -> tuple[ChildProcess, int]:
    """The REST gateway in front of `grpc_target`, and the HTTP port it listens on."""
    child = await ChildProcess.start(
        ["gateway", "--grpc-target", grpc_target, "--host", settings.http_host, "--port", str(settings.http_port)],
        ready=GATEWAY_READY,
        what="REST gateway",
        env={"HPH_DATA_DIR": str(settings.data_dir), "HPH_WORKERS": str(settings.workers)},
    )
    return child, int(child.ready.group("port"))


async def start_worker(settings: Settings, services: Sequence[str], *, rest: bool = False) -> ChildProcess:
    """One more server process hosting `services` on the (already bound, shared) gRPC port and, with
    `rest`, serving their REST surface on the (already bound, shared) HTTP port."""
    return await ChildProcess.start(
        [
            "serve",
            "--worker",
            "--services",
            ",".join(services),
            "--data-dir",
            str(settings.data_dir),
            "--host",
            settings.grpc_host,
            "--grpc-port",
            str(settings.grpc_port),
            "--workers",  # how many share the ports (the REST rate limits are shared when several do)
            str(settings.workers),
            *(["--rest", "--http-port", str(settings.http_port)] if rest else []),
        ],
        ready=WORKER_READY,
        what="server worker",
        env={},
    )
