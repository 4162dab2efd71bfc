"""Runs the REST gateway as a child process of `hph up`, like the Envoy sidecar it stands in for.

A separate process gives the gateway its own core (JSON and HTTP work no longer competes with the
services for one interpreter) and keeps the topology honest: the gateway reaches the services only
over gRPC.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sys
from dataclasses import dataclass

from hph.runtime.settings import Settings

READY_LINE = re.compile(r"REST gateway listening on http://(?P<host>[^:]+):(?P<port>\d+)")
START_TIMEOUT_SECONDS = 30.0


@dataclass
class GatewayProcess:
    process: asyncio.subprocess.Process
    port: int

    @classmethod
    async def start(cls, settings: Settings, *, grpc_target: str) -> GatewayProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "hph.host.cli",
            "gateway",
            "--grpc-target",
            grpc_target,
            "--host",
            settings.http_host,
            "--port",
            str(settings.http_port),
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, "HPH_DATA_DIR": str(settings.data_dir)},
        )
        assert process.stdout is not None
        try:
            line = await asyncio.wait_for(process.stdout.readline(), START_TIMEOUT_SECONDS)
        except TimeoutError:
            process.kill()
            raise OSError("the REST gateway did not start in time") from None
        match = READY_LINE.search(line.decode(errors="replace"))
        if match is None:
            await process.wait()
            raise OSError(f"the REST gateway failed to start (exit code {process.returncode}); see the log above")
        return cls(process, int(match.group("port")))

    async def stop(self, grace_seconds: float) -> None:
        if self.process.returncode is not None:
            return
        self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), grace_seconds + 5)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            await self.process.wait()
