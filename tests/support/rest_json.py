"""REST tests' JSON: reading an answer that must have a given status, and the address customers save."""

from __future__ import annotations

from typing import Any

import httpx

Json = dict[str, Any]
Headers = dict[str, str]

# A US address every field of which the address rules accept as given.
ADDRESS: Json = {
    "name": "Ava Reyes",
    "line1": "500 Howard St",
    "city": "San Francisco",
    "region": "CA",
    "postal_code": "94105",
    "country_code": "US",
    "phone": "+14155550100",
}


def answer(response: httpx.Response, status: int = 200) -> Json:
    """The JSON object a response with `status` carries; else the assertion names the call and what came back."""
    request = response.request
    assert response.status_code == status, (
        f"{request.method} {request.url}: expected {status}, got {response.status_code}: {response.text}"
    )
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, dict)
    return body


def ok(response: httpx.Response) -> Json:
    """The JSON object of a 200 answer."""
    return answer(response)
