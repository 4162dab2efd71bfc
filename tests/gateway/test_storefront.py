"""The storefront on the gateway: its files with the right types and caching, deep links answered
with index.html, the API's 404s still JSON, a page that says how to build when there is no build,
and the dev sign-in (`/auth/config`, `/dev/token`) only while the local issuer is the one trusted."""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from hph.gateway.server import start_gateway
from hph.host.cohosted import demo_identities
from hph.runtime.auth.verifier import build_verifier
from hph.runtime.settings import Settings

pytestmark = pytest.mark.integration

INDEX = b'<!doctype html><html lang="en"><script type="module" src="/assets/app-1a2b3c.js"></script></html>'
BIG_SCRIPT = b"console.log('storefront');\n" * 200
# What a browser sends when it navigates to a page.
BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def built_app(root: Path) -> Path:
    dist = root / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_bytes(INDEX)
    (dist / "assets" / "app-1a2b3c.js").write_bytes(BIG_SCRIPT)
    (dist / "assets" / "app-1a2b3c.css").write_bytes(b"body{}")
    (dist / "favicon.svg").write_bytes(b"<svg/>")
    return dist


@asynccontextmanager
async def gateway(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    # Nothing listens on the gRPC target: none of these requests may need a service.
    host = await start_gateway(replace(settings, http_port=0), grpc_target="127.0.0.1:9", demo_users=demo_identities())
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{host.port}", timeout=10) as http:
            yield http
    finally:
        await host.stop()


def settings_for(tmp_path: Path, **changes: object) -> Settings:
    return replace(Settings(), data_dir=tmp_path / "data", **changes)  # type: ignore[arg-type]


async def test_the_built_app_is_served_with_types_caching_and_deep_links(tmp_path: Path) -> None:
    dist = built_app(tmp_path)
    async with gateway(settings_for(tmp_path, web_dir=str(dist))) as http:
        home = await http.get("/")
        assert home.status_code == 200 and home.content == INDEX
        assert home.headers["content-type"] == "text/html; charset=utf-8"
        assert home.headers["cache-control"] == "no-cache"  # a new build shows on the next load

        script = await http.get("/assets/app-1a2b3c.js")
        assert script.content == BIG_SCRIPT
        assert script.headers["content-type"] == "text/javascript; charset=utf-8"
        assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
        css = await http.get("/assets/app-1a2b3c.css")
        assert css.headers["content-type"] == "text/css; charset=utf-8"
        # Text is sent gzipped to whoever accepts it (computed once, when the build is read).
        big = await http.get("/assets/app-1a2b3c.js", headers={"accept-encoding": "gzip"})
        assert big.headers["content-encoding"] == "gzip" and big.headers["vary"] == "accept-encoding"
        assert big.content == BIG_SCRIPT and int(big.headers["content-length"]) < len(BIG_SCRIPT) // 4
        for refusing in ("identity", "gzip;q=0, identity", "br"):
            plain = await http.get("/assets/app-1a2b3c.js", headers={"accept-encoding": refusing})
            assert "content-encoding" not in plain.headers and plain.content == BIG_SCRIPT, refusing
        weighted = await http.get("/assets/app-1a2b3c.js", headers={"accept-encoding": "br;q=1.0, gzip;q=0.8"})
        assert weighted.headers["content-encoding"] == "gzip"
        svg = await http.get("/favicon.svg")
        assert svg.headers["content-type"] == "image/svg+xml" and svg.headers["cache-control"] == "no-cache"

        # Pages of the app are index.html, for its router to show, when a browser navigates there.
        for deep in ("/products/ORN-0923", "/orders/ord_1/tracking", "/search", "/index.html", "/products/GIFT-1.5"):
            page = await http.get(deep, headers=BROWSER)
            assert page.status_code == 200 and page.content == INDEX, deep
        head = await http.head("/products/ORN-0923", headers=BROWSER)
        assert head.status_code == 200 and head.headers["content-length"] == str(len(INDEX)) and head.content == b""
        # Any other client keeps the JSON 404 of a path nothing serves.
        api_client = await http.get("/products/ORN-0923", headers={"accept": "application/json"})
        assert api_client.status_code == 404 and api_client.json()["code"] == 5

        # A missing file is not a page; the API and the fixed endpoints keep their own answers.
        missing = await http.get("/assets/gone-123.js", headers=BROWSER)
        assert missing.status_code == 404 and missing.json()["code"] == 5
        unknown_api = await http.get("/api/no-such-thing", headers=BROWSER)
        assert unknown_api.status_code == 404
        assert unknown_api.headers["content-type"] == "application/json" and unknown_api.json()["code"] == 5
        assert (await http.get("/api")).headers["content-type"] == "application/json"
        assert (await http.get("/health")).json() == {"status": "ok"}
        assert (await http.get("/openapi.json")).json()["openapi"].startswith("3.1")
        assert (await http.get("/docs")).headers["content-type"].startswith("text/html")
        posted = await http.post("/products/ORN-0923", json={}, headers=BROWSER)
        assert posted.status_code == 404 and posted.json()["code"] == 5  # only GET/HEAD read pages


async def test_without_a_build_the_page_says_how_to_build_it(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    async with gateway(settings_for(tmp_path, web_dir=str(dist))) as http:
        page = await http.get("/")
        assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
        assert "not built" in page.text and "bash .ci/setup" in page.text and "vite build" in page.text
        assert (await http.get("/products/ORN-0923", headers=BROWSER)).text == page.text
        assert (await http.get("/assets/app.js", headers=BROWSER)).status_code == 404
        # Built while the platform runs: the next load serves it; and a new build replaces it.
        built_app(tmp_path)
        assert (await http.get("/")).content == INDEX
        rebuilt = INDEX.replace(b"app-1a2b3c", b"app-4d5e6f")
        (dist / "assets" / "app-4d5e6f.js").write_bytes(b"console.log('rebuilt')")
        (dist / "index.html").write_bytes(rebuilt)
        os.utime(dist / "index.html", ns=(time.time_ns() + 10**9,) * 2)  # a coarse clock cannot hide it
        assert (await http.get("/cart", headers=BROWSER)).content == rebuilt
        assert (await http.get("/assets/app-4d5e6f.js")).content == b"console.log('rebuilt')"


async def test_dev_sign_in_mints_a_token_the_platform_trusts_for_a_demo_user(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, web_dir=str(tmp_path / "none"))
    async with gateway(settings) as http:
        config = (await http.get("/auth/config")).json()
        assert config["mode"] == "dev" and config["token_path"] == "/dev/token"
        roles = {user["sub"]: user["role"] for user in config["demo_users"]}
        assert roles["customer-ava"] == "customer" and roles["staff-sam"] == "staff" and roles["admin-ada"] == "admin"

        minted = await http.post("/dev/token", json={"sub": "staff-sam"})
        assert minted.status_code == 200, minted.text
        assert minted.headers["cache-control"] == "no-store"
        body = minted.json()
        assert body["token_type"] == "Bearer" and body["role"] == "staff" and body["expires_in"] == 3600
        principal = await build_verifier(settings, is_revoked=None).verify(body["access_token"])
        assert principal.subject == "staff-sam" and principal.name == "Sam Rivera"

        # Refusals name the field, as every API error does.
        for request, field in (({"sub": "mallory"}, "sub"), ({}, "sub"), ([1], "body")):
            refused = await http.post("/dev/token", json=request)
            assert refused.status_code == 400 and refused.json()["code"] == 3, refused.text
            violations = [d for d in refused.json()["details"] if d["@type"].endswith("BadRequest")]
            assert violations[0]["field_violations"][0]["field"] == field
        not_json = await http.post("/dev/token", content=b"{", headers={"content-type": "application/json"})
        assert not_json.status_code == 400
        assert (await http.get("/dev/token", headers=BROWSER)).headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("changes", "mode"),
    [
        ({"entra_tenant_id": "11111111-2222-3333-4444-555555555555", "entra_client_id": "app-123"}, "entra"),
        ({"dev_issuer_enabled": False}, "none"),
    ],
)
async def test_no_dev_tokens_once_the_local_issuer_is_not_the_one_trusted(
    tmp_path: Path, changes: dict[str, object], mode: str
) -> None:
    async with gateway(settings_for(tmp_path, **changes)) as http:
        config = (await http.get("/auth/config")).json()
        assert config["mode"] == mode and "demo_users" not in config
        if mode == "entra":
            assert config["client_id"] == "app-123"
            assert config["authority"] == "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555"
        refused = await http.post("/dev/token", json={"sub": "admin-ada"})
        assert refused.status_code == 404 and refused.json()["code"] == 5
        assert "access_token" not in refused.text
    assert not (tmp_path / "data" / "auth").exists()  # no signing key was even made
