"""Fetching issuer documents over HTTP: JSON fetch and the OpenID Connect metadata of an issuer.

urllib runs in a worker thread so the event loop never blocks on the network; every failure
(unreachable, non-2xx, oversized, not a JSON object, missing fields) is an `AuthConfigError`.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from hph.runtime.auth.errors import AuthConfigError

# Metadata and key sets are a few KiB; the cap stops a misbehaving endpoint from exhausting memory.
MAX_DOCUMENT_BYTES = 1 << 20


async def fetch_json(url: str, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
    """GETs `url` (http or https) and returns its JSON object body.

    `timeout` is the socket timeout of the worker thread: asyncio.timeout could not stop the thread.
    """
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in {"http", "https"}:
        raise AuthConfigError(f"refusing to fetch {url!r}: only http and https URLs are allowed")
    return await asyncio.to_thread(_fetch_json_blocking, url, timeout)


def _fetch_json_blocking(url: str, timeout: float) -> dict[str, Any]:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body: bytes = response.read(MAX_DOCUMENT_BYTES + 1)
    except (OSError, http.client.HTTPException, ValueError) as exc:  # URLError is an OSError
        raise AuthConfigError(f"cannot fetch {url}: {exc}") from exc
    if len(body) > MAX_DOCUMENT_BYTES:
        raise AuthConfigError(f"{url} returned more than {MAX_DOCUMENT_BYTES} bytes")
    try:
        document = json.loads(body)
    except ValueError as exc:  # also UnicodeDecodeError
        raise AuthConfigError(f"{url} did not return JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise AuthConfigError(f"{url} did not return a JSON object")
    return document


@dataclass(frozen=True)
class OpenIdMetadata:
    """The two fields of an OpenID provider configuration that token verification needs."""

    issuer: str
    jwks_uri: str

    @classmethod
    def from_document(cls, document: dict[str, Any], source: str = "metadata") -> OpenIdMetadata:
        issuer = document.get("issuer")
        jwks_uri = document.get("jwks_uri")
        if not isinstance(issuer, str) or not issuer:
            raise AuthConfigError(f"{source} has no issuer")
        if not isinstance(jwks_uri, str) or urllib.parse.urlsplit(jwks_uri).scheme not in {"http", "https"}:
            raise AuthConfigError(f"{source} has no http(s) jwks_uri")
        return cls(issuer=issuer, jwks_uri=jwks_uri)

    @classmethod
    async def load(cls, url: str, timeout: float = 5.0) -> OpenIdMetadata:  # noqa: ASYNC109
        """Fetches and parses the OpenID configuration document at `url`."""
        return cls.from_document(await fetch_json(url, timeout), source=url)
