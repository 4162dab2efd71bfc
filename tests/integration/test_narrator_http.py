"""The narrator against a local fake chat-completions endpoint (a real HTTP server on a free port):
prose kept or dropped by the numbers check, the deadline, failures of every kind turned into "no
narration", the API key and Entra ID headers, and the OpenAI and Azure OpenAI URL forms."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from azure.core.credentials import AccessToken

from holidaypeak.commerce.v1 import analytics_pb2
from hph.runtime.narrator import (
    COGNITIVE_SERVICES_SCOPE,
    EntraTokens,
    Narrator,
    NarratorConfig,
    default_azure_tokens,
    open_narrator,
)
from hph.runtime.settings import Settings
from tests.support.fake_chat import FakeChat, Reply, fake_chat_server
from tests.support.ports import refused_address

pytestmark = pytest.mark.integration

ANSWER: dict[str, Any] = {
    "results": [
        {"id": "TOY-0042", "name": "Christmas lights", "price": 12.5, "price_minor": 1250, "in_stock": True},
        {"id": "TOY-0043", "name": "Tree topper", "price": 24.99, "price_minor": 2499, "in_stock": False},
    ],
    "total_size": "2",
    "explanation": {"drivers": [{"name": "in_stock_boost", "weight": 0.3}]},
}


@pytest.fixture
async def fake() -> AsyncIterator[FakeChat]:
    async with fake_chat_server() as server:
        yield server


def config(fake: FakeChat, **overrides: Any) -> NarratorConfig:
    values: dict[str, Any] = {
        "url": f"{fake.url}/v1",
        "model": "summary-model",
        "api_key": "sk-test-123",
        "deadline_seconds": 2.0,
        "max_chars": 300,
    }
    values.update(overrides)
    return NarratorConfig(**values)


async def narrate_once(narrator_config: NarratorConfig, answer: Any = ANSWER, **kwargs: Any) -> Any:
    narrator = Narrator(narrator_config, **kwargs)
    try:
        return await narrator.narrate(answer, subject="xmas lights")
    finally:
        await narrator.close()


async def test_prose_citing_only_the_answers_numbers_is_kept(fake: FakeChat) -> None:
    fake.reply = Reply("2 matches: Christmas lights at $12.50 are in stock; the tree topper ($24.99) is not.")

    narration = await narrate_once(config(fake))

    assert narration.outcome == "kept"
    assert narration.prose == fake.reply.content
    [request] = fake.requests
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    assert request.headers["authorization"] == "Bearer sk-test-123"
    assert request.body["model"] == "summary-model"
    system, user = request.body["messages"]
    assert system["role"] == "system" and "never compute, estimate or invent a number" in system["content"]
    assert user["role"] == "user" and "xmas lights" in user["content"]
    assert json.loads(user["content"].split("Answer JSON: ", 1)[1]) == ANSWER


async def test_prose_citing_a_number_the_answer_lacks_is_dropped(fake: FakeChat) -> None:
    fake.reply = Reply("Christmas lights cost $12.50 and 42 shoppers bought them today.")
    narration = await narrate_once(config(fake))
    assert (narration.prose, narration.outcome, narration.detail) == (None, "unsupported_number", "42")


async def test_a_percentage_is_checked_against_the_answers_ratios(fake: FakeChat) -> None:
    fake.reply = Reply("In-stock items get a 30% boost.")
    assert (await narrate_once(config(fake))).outcome == "kept"
    fake.reply = Reply("In-stock items get a 35% boost.")
    assert (await narrate_once(config(fake))).outcome == "unsupported_number"


async def test_a_proto_answer_is_checked_against_its_proto3_json(fake: FakeChat) -> None:
    point = analytics_pb2.SalesPoint(revenue=1234.5, orders=17, units=40)  # refunds: 0, printed anyway
    fake.reply = Reply("17 orders brought $1,234.50 for 40 units, with 0 refunds.")
    narration = await narrate_once(config(fake), point)
    assert narration.outcome == "kept"
    sent = json.loads(fake.requests[0].body["messages"][1]["content"].split("Answer JSON: ", 1)[1])
    assert sent["orders"] == "17" and sent["refunds"] == 0  # int64 as a string; defaults printed


async def test_a_slow_model_costs_at_most_the_deadline(fake: FakeChat) -> None:
    fake.reply = Reply("Too late.", delay=10.0)
    started = time.monotonic()
    narration = await narrate_once(config(fake, deadline_seconds=0.3))
    elapsed = time.monotonic() - started
    assert (narration.prose, narration.outcome) == (None, "deadline")
    assert elapsed < 2.0  # the deadline is 0.3 s; the model would have taken 10 s


@pytest.mark.parametrize(
    ("reply", "outcome"),
    [
        (Reply("fine", status=500), "http_status"),
        (Reply("fine", status=429), "http_status"),
        (Reply(raw=b"<html>bad gateway</html>"), "bad_response"),
        (Reply(raw=b'{"choices": []}'), "bad_response"),
        (Reply(raw=b'{"choices": [{"message": {"content": null}}]}'), "bad_response"),
        (Reply("   "), "empty"),
        (Reply("x" * 301), "too_long"),
    ],
)
async def test_a_failing_model_gives_no_narration_and_no_exception(fake: FakeChat, reply: Reply, outcome: str) -> None:
    fake.reply = reply
    narration = await narrate_once(config(fake))
    assert (narration.prose, narration.outcome) == (None, outcome)


async def test_an_unreachable_endpoint_gives_no_narration(caplog: pytest.LogCaptureFixture) -> None:
    with refused_address() as address:
        narrator_config = NarratorConfig(url=f"http://{address}/v1", model="m", deadline_seconds=2.0)
        narration = await narrate_once(narrator_config)
    assert (narration.prose, narration.outcome) == (None, "unavailable")
    [line] = [r for r in caplog.records if r.getMessage() == "narration dropped"]
    assert line.outcome == "unavailable"  # type: ignore[attr-defined]


async def test_the_azure_openai_url_form_and_api_key_header(fake: FakeChat) -> None:
    fake.reply = Reply("2 results.")
    narration = await narrate_once(
        config(fake, url=fake.url, api_style="azure", model="gpt-summary", api_version="2024-10-21", api_key="az-key")
    )
    assert narration.outcome == "kept"
    [request] = fake.requests
    assert request.path == "/openai/deployments/gpt-summary/chat/completions"
    assert request.query == {"api-version": ["2024-10-21"]}
    assert request.headers["api-key"] == "az-key"
    assert "authorization" not in request.headers
    assert "model" not in request.body


class FakeCredential:
    """Stands in for azure-identity's DefaultAzureCredential at the SDK boundary (get_token)."""

    def __init__(self, token: str = "entra-token-1", lifetime: float = 3600.0) -> None:
        self.token = token
        self.lifetime = lifetime
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **_kwargs: Any) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken(self.token, int(time.time() + self.lifetime))


async def test_entra_id_sends_a_bearer_token_for_the_cognitive_services_scope_fetched_once(fake: FakeChat) -> None:
    credential = FakeCredential()
    narrator = Narrator(config(fake, url=fake.url, api_style="azure", api_key=""), tokens=EntraTokens(credential))
    try:
        fake.reply = Reply("2 results.")
        first, second = await asyncio.gather(narrator.narrate(ANSWER), narrator.narrate(ANSWER))
    finally:
        await narrator.close()
    assert first.outcome == second.outcome == "kept"
    assert credential.scopes == [(COGNITIVE_SERVICES_SCOPE,)]
    assert [request.headers["authorization"] for request in fake.requests] == ["Bearer entra-token-1"] * 2
    assert all("api-key" not in request.headers for request in fake.requests)


async def test_a_failing_credential_gives_no_narration(fake: FakeChat) -> None:
    class Refusing:
        def get_token(self, *scopes: str, **_kwargs: Any) -> AccessToken:
            raise RuntimeError("no managed identity here")

    narration = await narrate_once(config(fake, api_key=""), tokens=EntraTokens(Refusing()))
    assert (narration.prose, narration.outcome) == (None, "credential")
    assert fake.requests == []


async def test_settings_build_the_narrator_and_it_is_off_by_default(fake: FakeChat) -> None:
    off = open_narrator(Settings())
    assert not off.enabled
    assert (await off.narrate(ANSWER)).outcome == "off"
    await off.close()

    settings = Settings(
        narrator_url=f"{fake.url}/v1", narrator_model="m", narrator_api_key="k", narrator_deadline_ms=1500
    )
    narrator = open_narrator(settings)
    try:
        fake.reply = Reply("2 results.")
        assert (await narrator.narrate(ANSWER)).prose == "2 results."
    finally:
        await narrator.close()
    assert fake.requests[0].headers["authorization"] == "Bearer k"


def test_default_azure_tokens_wrap_azure_identitys_default_credential() -> None:
    # Integration: building the credential runs `uname` (azure-core's user agent), no network call.
    from azure.identity import DefaultAzureCredential

    tokens = default_azure_tokens()
    assert isinstance(tokens._credential, DefaultAzureCredential)
