"""A Node client of the platform over gRPC: `clients/ts/interop/checkout-journey.ts` (the generated
TypeScript stubs on Connect's gRPC transport, run by tsx) drives a shopper's whole checkout against
`hph up` and reads the google.rpc error details. The program checks each answer itself; this test
starts the platform, mints its tokens and fails with the program's output.

Without node or the TypeScript client's packages (`.ci/setup` installs them with npm) the test
skips, except in CI (CI=true) or where .ci/test says setup installed them (HPH_TEST_REQUIRE_NODE=1):
there it fails instead."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.hph_process import grpc_address, hph_running, hph_token, rest_url

pytestmark = pytest.mark.integration

CLIENT = Path(__file__).resolve().parents[2] / "clients" / "ts"
TSX = CLIENT / "node_modules" / ".bin" / "tsx"
PROGRAM = "interop/checkout-journey.ts"
# Generous: the program's calls each have a 30 s deadline of their own on a loaded 2-core machine.
PROGRAM_TIMEOUT_SECONDS = 240


def node_unavailable() -> str | None:
    """Why the Node program cannot run here, or None."""
    if shutil.which("node") is None:
        return "node is not installed (the Node gRPC interop test needs Node 20)"
    if not TSX.exists():
        return f"{TSX.relative_to(CLIENT.parents[1])} is missing: run `bash .ci/setup` (installs clients/ts with npm)"
    return None


@pytest.mark.timeout(PROGRAM_TIMEOUT_SECONDS + 120)
def test_a_node_client_checks_out_over_grpc_and_reads_error_details(tmp_path: Path) -> None:
    reason = node_unavailable()
    if reason is not None:
        if os.environ.get("CI") == "true" or os.environ.get("HPH_TEST_REQUIRE_NODE") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    data_dir = tmp_path / "data"
    with hph_running(data_dir) as (_, banner):
        env = {
            **os.environ,
            "HPH_GRPC": grpc_address(banner),
            "HPH_REST": rest_url(banner),
            "HPH_CUSTOMER_TOKEN": hph_token(data_dir, "node-nora"),
            "HPH_STAFF_TOKEN": hph_token(data_dir, "staff-sam", role="staff"),
        }
        result = subprocess.run(
            [str(TSX), PROGRAM],
            cwd=CLIENT,
            env=env,
            capture_output=True,
            text=True,
            timeout=PROGRAM_TIMEOUT_SECONDS,
        )
    output = f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert result.returncode == 0, f"the Node program failed (exit {result.returncode}):\n{output}"
    assert "all steps passed" in result.stdout, output
