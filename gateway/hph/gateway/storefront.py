"""The storefront's files and its sign-in endpoints, served by the gateway beside the REST surface.

`StaticSite` serves the built single-page app (`web/dist`, made by `vite build` in `.ci/setup`) at
`/`: files as they are (gzipped, once at load, for clients that accept it), hashed assets
(`/assets/...`) cached for a year, everything else (index.html above all) revalidated on every load
so a new build is picked up at once. A path that names no file and does not look like one (no
ending such as .js or .png) is a page of the app (`/products/ORN-0923`) and gets index.html, whose
router shows it, when a browser asks for a page (Accept: text/html). `/api/...`, the routes of the
contracts and the gateway's fixed endpoints never reach this module, and a client that is not
navigating gets the JSON 404 of an unknown path as before. Without a build, `/` says how to make
one.

`SignIn` answers what the app needs before it has a token:
- `GET /auth/config`: which sign-in the page offers: `dev` (the local issuer, with the demo users),
  `entra` (the tenant and client id an MSAL sign-in needs) or `none`.
- `POST /dev/token`: a token from the local dev issuer for one demo user (`{"sub": "customer-ava"}`).
  It exists only while the dev issuer is trusted and no Entra tenant is configured; otherwise it
  answers 404 like any unknown path, so a deployment with real identities cannot mint tokens here.
"""

from __future__ import annotations

import gzip
import json
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

from hph.gateway import codec
from hph.runtime.auth.dev_issuer import DevIssuer
from hph.runtime.settings import Settings

__all__ = [
    "AUTH_CONFIG_PATH",
    "DEV_TOKEN_PATH",
    "DemoIdentity",
    "SignIn",
    "StaticSite",
    "default_web_dir",
    "is_app_path",
]

AUTH_CONFIG_PATH = "/auth/config"
DEV_TOKEN_PATH = "/dev/token"

HTML = b"text/html; charset=utf-8"
# Vite names every file under assets/ by a hash of its content: a changed file is a new URL.
LONG_CACHE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Types the app's build produces, where the platform's mimetypes table may be missing or different.
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".webp": "image/webp",
    ".woff2": "font/woff2",
    ".txt": "text/plain; charset=utf-8",
    ".webmanifest": "application/manifest+json",
}
# Types worth gzipping (images and fonts are compressed already).
_COMPRESSIBLE = ("text/", "application/json", "application/manifest+json", "image/svg+xml")

_NO_BUILD = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Holiday Peak Hub: storefront not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>The storefront is not built yet</h1>
<p>The platform is running, but there is no storefront build in <code>%s</code>.
Build it with <code>bash .ci/setup</code> (which runs <code>npm ci</code> and <code>vite build</code> in
<code>web/</code>; it needs Node 20), or point <code>HPH_WEB_DIR</code> at a build, then reload this page.</p>
<p>Meanwhile the REST surface answers under <code>/api</code>: see <a href="/docs">/docs</a>.</p>
</body></html>
"""


def default_web_dir() -> Path:
    """The checkout's `web/dist` (the project is installed editable, so the source tree is here)."""
    return Path(__file__).resolve().parents[3] / "web" / "dist"


@dataclass(frozen=True)
class Asset:
    content_type: bytes
    body: bytes
    cache_control: str
    # The body gzipped once at load, for clients that accept it; None where it would not shrink.
    gzipped: bytes | None = None

    def answer(self, accept_encoding: str) -> tuple[bytes, list[tuple[str, str]]]:
        """The body and headers for a client with this Accept-Encoding."""
        headers = [("cache-control", self.cache_control)]
        if self.gzipped is None:
            return self.body, headers
        headers.append(("vary", "accept-encoding"))
        if accepts_gzip(accept_encoding):
            return self.gzipped, [*headers, ("content-encoding", "gzip")]
        return self.body, headers


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding value takes gzip (named, or `*`, with a q above 0)."""
    for item in accept_encoding.lower().split(","):
        name, _, params = item.partition(";")
        if name.strip() not in ("gzip", "*"):
            continue
        weight = params.strip().removeprefix("q=")
        try:
            return not params.strip() or float(weight) > 0
        except ValueError:
            return False
    return False


# A missing path with one of these endings is a missing file (404), never a page of the app; any
# other ending (`/products/GIFT-1.5`) may be an id in a deep link.
_FILE_SUFFIXES = frozenset({*_TYPES, ".jpg", ".jpeg", ".gif", ".woff", ".ttf", ".wasm", ".xml", ".pdf", ".zip"})


def _looks_like_a_file(path: str) -> bool:
    last = path.rsplit("/", 1)[-1]
    return "." in last and "." + last.rsplit(".", 1)[-1].lower() in _FILE_SUFFIXES


def _gzipped(body: bytes, content_type: str) -> bytes | None:
    if not content_type.startswith(_COMPRESSIBLE) or len(body) < 1024:
        return None
    packed = gzip.compress(body, 9, mtime=0)
    return packed if len(packed) < len(body) else None


class StaticSite:
    """The built app, read into memory (a few hundred kB); read again when index.html changes (a new
    build), which is looked at on every page load."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.files: dict[str, Asset] = {}
        self._stamp: int | None = None
        self._load()

    def _index_stamp(self) -> int | None:
        try:
            return (self.directory / "index.html").stat().st_mtime_ns
        except OSError:
            return None

    def _load(self) -> None:
        files: dict[str, Asset] = {}
        self._stamp = self._index_stamp()
        if self._stamp is not None:
            for path in sorted(self.directory.rglob("*")):
                if not path.is_file():
                    continue
                rel = path.relative_to(self.directory).as_posix()
                suffix = path.suffix.lower()
                kind = _TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                cache = LONG_CACHE if rel.startswith("assets/") else REVALIDATE
                body = path.read_bytes()
                files["/" + rel] = Asset(kind.encode(), body, cache, _gzipped(body, kind))
        self.files = files

    @property
    def built(self) -> bool:
        return "/index.html" in self.files

    def lookup(self, path: str, wants_html: bool) -> tuple[int, Asset] | None:
        """The answer for a GET of `path`, or None when it is no page or file of the app.

        A file of the build is served to anyone; `/` is the app; any other path is a page of the
        app only for a browser navigating to it (`wants_html`: its Accept names text/html) and when
        it does not look like a file, so an API client's unknown path stays a JSON 404."""
        page = path in ("/", "/index.html") or (wants_html and not _looks_like_a_file(path))
        # On a page load one stat tells whether `vite build` ran (again) since the files were read.
        if page and self._index_stamp() != self._stamp:
            self._load()
        if not self.built:
            return (HTTPStatus.OK, Asset(HTML, _NO_BUILD % str(self.directory).encode(), REVALIDATE)) if page else None
        asset = self.files.get(path)
        if asset is not None and path != "/index.html":
            return HTTPStatus.OK, asset
        return (HTTPStatus.OK, self.files["/index.html"]) if page else None


def is_app_path(path: str) -> bool:
    """Whether a path may be a page or file of the app: everything but the API and MCP."""
    return not (path == "/api" or path.startswith("/api/") or path == "/mcp")


@dataclass(frozen=True)
class DemoIdentity:
    """A demo user the dev sign-in offers (the host passes the demo data's fixed identities: the
    gateway knows no commerce data of its own)."""

    sub: str
    name: str
    email: str
    role: str


class SignIn:
    """`/auth/config` and `/dev/token` (see the module docstring)."""

    def __init__(self, settings: Settings, demo_users: Sequence[DemoIdentity] = ()) -> None:
        self.dev_enabled = settings.dev_issuer_enabled and not settings.entra_enabled
        self.settings = settings
        self._issuer: DevIssuer | None = DevIssuer.from_settings(settings) if self.dev_enabled else None
        self._users = {user.sub: user for user in demo_users} if self.dev_enabled else {}
        self.config = json.dumps(self._config()).encode()

    def _config(self) -> dict[str, Any]:
        if self.dev_enabled:
            users = [{"sub": u.sub, "name": u.name, "email": u.email, "role": u.role} for u in self._users.values()]
            return {"mode": "dev", "demo_users": users, "token_path": DEV_TOKEN_PATH}
        if self.settings.entra_enabled:
            tenant = self.settings.entra_tenant_id
            return {
                "mode": "entra",
                "tenant_id": tenant,
                "client_id": self.settings.entra_client_id,
                "authority": f"https://login.microsoftonline.com/{tenant}",
            }
        return {"mode": "none"}

    def dev_token(self, body: bytes) -> tuple[int, bytes]:
        """Mints a token for the demo user named in the JSON body; 404 when dev sign-in is off."""
        if not self.dev_enabled:
            message = (
                "dev sign-in is off: tokens come from Entra ID"
                if self.settings.entra_enabled
                else "dev sign-in is off (HPH_DEV_ISSUER_ENABLED=false)"
            )
            return HTTPStatus.NOT_FOUND, codec.client_error_body(HTTPStatus.NOT_FOUND, message)
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return _bad("body", 'the body must be a JSON object such as {"sub": "customer-ava"}')
        if not isinstance(request, dict):
            return _bad("body", 'the body must be a JSON object such as {"sub": "customer-ava"}')
        sub = request.get("sub")
        if not isinstance(sub, str) or not sub:
            return _bad("sub", "sub is required: the id of a demo user (GET /auth/config lists them)")
        user = self._users.get(sub)
        if user is None:
            return _bad("sub", f"{sub!r} is not a demo user; GET /auth/config lists them")
        assert self._issuer is not None
        ttl = self.settings.dev_token_ttl_seconds
        token = self._issuer.issue(user.sub, user.role, email=user.email, name=user.name, ttl_seconds=ttl)
        answer = {"access_token": token, "token_type": "Bearer", "expires_in": ttl, "role": user.role}
        return HTTPStatus.OK, json.dumps(answer).encode()


def _bad(field: str, message: str) -> tuple[int, bytes]:
    return HTTPStatus.BAD_REQUEST, codec.client_error_body(HTTPStatus.BAD_REQUEST, message, field)
