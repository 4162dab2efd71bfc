"""The narrator's rules without a network: which numbers prose cites, which the answer holds, when
one matches the other (rounding, percentages, money), the configuration, and Entra ID tokens at
azure-identity's boundary (get_token, AccessToken)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from azure.core.credentials import AccessToken

from hph.runtime.narrator import (
    COGNITIVE_SERVICES_SCOPE,
    EntraTokens,
    NarratorConfig,
    answer_numbers,
    narrator_config,
    prose_numbers,
    unsupported,
)
from hph.runtime.narrator.credentials import REFRESH_MARGIN_SECONDS
from hph.runtime.narrator.numbers import matches
from hph.runtime.settings import Settings
from tests.support.clocks import ManualClock


def cited(text: str) -> list[tuple[str, str, str]]:
    return [(c.text, str(c.value), c.kind) for c in prose_numbers(text)]


def test_prose_numbers_include_separators_decimals_money_percentages_and_spelled_numbers() -> None:
    assert cited("1,299 units at $12.50 (15% off), 0.5 kg, .75 l, 3 percent, €4") == [
        ("1,299", "1299", "plain"),
        ("$12.50", "12.50", "money"),
        ("15%", "15", "percent"),
        ("0.5", "0.5", "plain"),
        (".75", "0.75", "plain"),
        ("3 percent", "3", "percent"),
        ("€4", "4", "money"),
    ]
    assert cited("twelve left, twenty-five sold, the cheapest one") == [
        ("twelve", "12", "plain"),
        ("twenty-five", "25", "plain"),
    ]


def test_digits_inside_identifiers_are_not_numbers() -> None:
    assert cited("TOY-0042, p1, v1.2, SKU_12 and x42") == []
    assert cited("costs 12.") == [("12", "12", "plain")]  # the full stop ends the sentence


def test_answer_numbers_come_from_numbers_numeric_strings_and_text() -> None:
    numbers = answer_numbers(
        {
            "price": 19.99,
            "price_minor": 1999,
            "total_orders": "2",  # int64 in proto3 JSON
            "in_stock": True,  # not a number
            "id": "TOY-0042",  # not a number
            "reasons": [{"line": "stock 5 is below the threshold of 10"}],
            "delta": -3,
        }
    )
    assert numbers.values == {Decimal("19.99"), Decimal(1999), Decimal(2), Decimal(5), Decimal(10), Decimal(3)}
    assert numbers.minor_units == {Decimal(1999)}


def test_a_timestamp_gives_its_date_and_hour_not_the_minutes_it_was_computed_at() -> None:
    answer = answer_numbers({"computedAt": "2026-12-03T09:40:12.517Z", "etaDate": "2026-12-11T19:00:00+00:00"})
    assert answer.values == {Decimal(2026), Decimal(12), Decimal(3), Decimal(9), Decimal(11), Decimal(19)}
    assert unsupported("It arrives on December 11, 2026.", answer) == []
    assert unsupported("40 more arrive on Friday.", answer) == ["40"]


@pytest.mark.parametrize(
    ("prose", "value", "kept"),
    [
        ("12.5", 12.5, True),
        ("12.50", 12.5, True),
        ("12", 12.4, True),  # rounded to the written precision, within 5%
        ("13", 12.5, True),  # half rounds either way
        ("12", 12.6, False),  # not a rounding of 12.6
        ("1", 0.87, False),  # a rounding, but 15% off
        ("0.87", 0.8731, True),
        ("0.9", 0.8731, True),
        ("2", 2.4, False),  # 2.4 -> 2 is 17% off
        ("0", 0, True),
        ("1,000", 1000, True),
        ("999", 1000, False),
    ],
)
def test_a_plain_number_matches_a_rounding_of_an_answer_number(prose: str, value: float, kept: bool) -> None:
    assert (unsupported(f"about {prose} of them", answer_numbers({"x": value})) == []) is kept


@pytest.mark.parametrize(
    ("prose", "answer", "kept"),
    [
        ("87.3%", {"hit_ratio": 0.8731}, True),  # a ratio shown as a percentage
        ("87%", {"hit_ratio": 0.8731}, True),
        ("88%", {"hit_ratio": 0.8731}, False),
        ("15%", {"discount_percent": 15}, True),  # a percentage shown as one
        ("87", {"hit_ratio": 0.8731}, False),  # a plain number is never a ratio times 100
        ("$12.50", {"price_minor": 1250}, True),  # money from its exact minor-units twin
        ("$12.51", {"price_minor": 1250}, False),
        ("12.50", {"price_minor": 1250}, False),  # without a currency sign it is not money
        ("$12.50", {"units": 1250}, False),  # minor units only from *_minor fields
        ("$12.50", {"price": 12.5}, True),
    ],
)
def test_percentages_and_money(prose: str, answer: dict[str, Any], kept: bool) -> None:
    assert (unsupported(f"it was {prose}", answer_numbers(answer)) == []) is kept


def test_unsupported_names_each_invented_number() -> None:
    answer = answer_numbers({"total": 3, "price": 9.99})
    assert unsupported("3 items from $9.99, 40 sold, seven returned", answer) == ["40", "seven"]


def test_signs_are_ignored() -> None:
    assert unsupported("stock fell by 3", answer_numbers({"delta": -3})) == []


def test_matches_states_the_tolerance() -> None:
    assert matches(Decimal("12.3"), 1, Decimal("12.25"))  # 0.05 off at one decimal: a rounding
    assert not matches(Decimal("12.3"), 1, Decimal("12.24"))


# --- configuration ------------------------------------------------------------------------------


def test_the_narrator_is_off_by_default() -> None:
    assert narrator_config(Settings()) is None


def test_settings_map_to_the_config_and_bad_ones_stop_the_start() -> None:
    config = narrator_config(
        Settings(
            narrator_url="https://res.openai.azure.com",
            narrator_api_style="azure",
            narrator_model="gpt-summary",
            narrator_deadline_ms=800,
            narrator_max_chars=200,
        )
    )
    assert config is not None
    assert config.endpoint() == (
        "https://res.openai.azure.com/openai/deployments/gpt-summary/chat/completions?api-version=2024-10-21"
    )
    assert (config.deadline_seconds, config.max_chars) == (0.8, 200)
    with pytest.raises(ValueError, match="model"):
        narrator_config(Settings(narrator_url="https://api.example/v1"))
    with pytest.raises(ValueError, match="openai or azure"):
        narrator_config(Settings(narrator_url="https://x", narrator_model="m", narrator_api_style="bedrock"))
    with pytest.raises(ValueError, match="not both"):
        narrator_config(
            Settings(narrator_url="https://x", narrator_model="m", narrator_api_key="k", narrator_azure_identity=True)
        )
    with pytest.raises(ValueError, match="http"):
        NarratorConfig(url="ftp://x", model="m")


def test_the_openai_form_appends_chat_completions_to_the_base_url() -> None:
    assert (
        NarratorConfig(url="https://api.example/v1/", model="m").endpoint() == "https://api.example/v1/chat/completions"
    )


# --- Entra ID tokens at the azure-identity boundary --------------------------------------------


class CountingCredential:
    """Implements azure-core's TokenCredential.get_token, as DefaultAzureCredential does."""

    def __init__(self, clock: ManualClock[float], lifetime: float = 3600.0) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self.calls: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **_kwargs: Any) -> AccessToken:
        self.calls.append(scopes)
        return AccessToken(f"token-{len(self.calls)}", int(self.clock() + self.lifetime))


async def test_a_token_is_reused_until_shortly_before_it_expires() -> None:
    clock = ManualClock(1_800_000_000.0)
    credential = CountingCredential(clock)
    tokens = EntraTokens(credential, now=clock)

    assert await tokens.bearer() == "token-1"
    clock.advance(3600 - REFRESH_MARGIN_SECONDS - 1)
    assert await tokens.bearer() == "token-1"
    clock.advance(2)
    assert await tokens.bearer() == "token-2"
    assert credential.calls == [(COGNITIVE_SERVICES_SCOPE,)] * 2


async def test_concurrent_callers_share_one_fetch() -> None:
    clock = ManualClock(1_800_000_000.0)
    credential = CountingCredential(clock)
    tokens = EntraTokens(credential, now=clock)
    assert await asyncio.gather(*(tokens.bearer() for _ in range(5))) == ["token-1"] * 5
    assert len(credential.calls) == 1


async def test_an_async_credential_is_awaited() -> None:
    class AsyncCredential:
        def __init__(self) -> None:
            self.closed = False

        async def get_token(self, *scopes: str, **_kwargs: Any) -> AccessToken:
            assert scopes == (COGNITIVE_SERVICES_SCOPE,)
            return AccessToken("async-token", 4_000_000_000)

        async def close(self) -> None:
            self.closed = True

    credential = AsyncCredential()
    tokens = EntraTokens(credential)
    assert await tokens.bearer() == "async-token"
    await tokens.close()
    assert credential.closed
