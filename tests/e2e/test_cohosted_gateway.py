"""The gateway co-hosted with services (HPH_GATEWAY_COHOSTED): it calls the services of its own
process in-process and every other RPC over gRPC to its target, with the same answers either way."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import httpx

from hph.gateway.server import start_gateway
from hph.runtime.rpc.local import LocalChannel
from tests.support.platform_harness import running_hub


async def test_hosted_services_are_called_in_process_and_the_rest_over_grpc(tmp_path: Path) -> None:
    # The gateway sits in a process hosting only the catalog, with no products; its gRPC target is a
    # seeded platform of every service. Which one answered shows in the products listed.
    async with (
        running_hub(tmp_path / "catalog", services=["catalog"], seed=False) as beside,
        running_hub(tmp_path / "all", seed=True) as target,
    ):
        settings = replace(beside.settings, http_port=0)
        gateway = await start_gateway(
            settings, grpc_target=target.address, local=LocalChannel(beside.platform.grpc.local)
        )
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.port}", timeout=10) as http:
                products = await http.get("/api/products", params={"limit": 5})
                assert products.status_code == 200 and products.json()["products"] == []  # in-process
                # Not hosted beside the gateway: the target's users service answers (it knows no
                # profile for this user), where the catalog's process would say UNIMPLEMENTED (501).
                me = await http.get("/api/users/me", headers={"authorization": target.auth("customer", "ava")[0][1]})
                assert me.status_code == 404 and me.json()["code"] == 5, me.text
                # Refusals made in-process read as they do over gRPC: status, code and field violations.
                bad = await http.get("/api/products", params={"limit": -1})
                assert bad.status_code == 400 and bad.json()["code"] == 3
                assert any(d["@type"].endswith("BadRequest") for d in bad.json()["details"]), bad.text
        finally:
            await gateway.stop()

        over_grpc = await start_gateway(settings, grpc_target=target.address)
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{over_grpc.port}", timeout=10) as http:
                assert len((await http.get("/api/products", params={"limit": 5})).json()["products"]) == 5
        finally:
            await over_grpc.stop()
