"""The storefront's sign-in with Entra ID configured, up to Microsoft's redirect: the gateway (with
an Entra tenant and client id, so no dev tokens) serves the built app, and `web/e2e/entra-redirect.mjs`
in chromium checks that the page offers Microsoft's sign-in only and sends the browser to the
tenant's authorize endpoint with this app's client id, redirect, PKCE and scope (MSAL's redirect
flow). Microsoft's own endpoints are answered inside the browser by the script: nothing here may
reach the internet. Skips or fails like the other browser test (tests/support/browser.py)."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from pathlib import Path

import pytest

from hph.gateway.server import start_gateway
from hph.runtime.settings import Settings
from tests.support.browser import WEB, require_browser

pytestmark = pytest.mark.integration

TENANT = "4f1c2b7e-0d9a-4c55-9e61-2a7b8c9d0e1f"
CLIENT_ID = "6a2d4c8e-1b3f-4e5a-8c7d-9e0f1a2b3c4d"


@pytest.mark.timeout(180)
async def test_entra_sign_in_redirects_to_the_tenant_with_pkce(tmp_path: Path) -> None:
    chromium = require_browser()
    settings = replace(
        Settings(),
        data_dir=tmp_path / "data",
        http_port=0,
        web_dir=str(WEB / "dist"),
        entra_tenant_id=TENANT,
        entra_client_id=CLIENT_ID,
    )
    # Nothing listens on the gRPC target: sign-in needs no service.
    host = await start_gateway(settings, grpc_target="127.0.0.1:9")
    try:
        base = f"http://127.0.0.1:{host.port}"
        program = await asyncio.create_subprocess_exec(
            "node",
            str(WEB / "e2e" / "entra-redirect.mjs"),
            cwd=WEB,
            env={
                **os.environ,
                "HPH_REST": base,
                "HPH_TENANT": TENANT,
                "HPH_CLIENT_ID": CLIENT_ID,
                "HPH_CHROMIUM": chromium,
            },
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(program.communicate(), 150)
    finally:
        await host.stop()
    output = f"stdout:\n{out.decode()}\nstderr:\n{err.decode()}"
    assert program.returncode == 0, output
    assert "all steps passed" in out.decode(), output
