"""The offline payment-token resolver: Stripe test tokens to card details; card numbers refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hph.commerce.simulated_cards import SIMULATED_CARDS
from hph.runtime.errors import InvalidArgument
from hph.services.users.payment_tokens import SIMULATOR, SimulatedCardTokens, looks_like_card_number


def resolver(year: int = 2026) -> SimulatedCardTokens:
    return SimulatedCardTokens(lambda: datetime(year, 3, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("token", "brand", "last4"),
    [
        ("pm_card_visa", "visa", "4242"),
        ("pm_card_visa_debit", "visa", "5556"),
        ("pm_card_mastercard", "mastercard", "4444"),
        ("pm_card_amex", "amex", "8431"),
        ("pm_card_discover", "discover", "9424"),
        ("pm_card_chargeDeclined", "visa", "0002"),
        ("pm_card_chargeDeclinedInsufficientFunds", "visa", "9995"),
        ("pm_card_authenticationRequired", "visa", "3184"),
    ],
)
async def test_stripe_test_tokens_resolve_to_display_details(token: str, brand: str, last4: str) -> None:
    card = await resolver(2026).resolve(token)
    assert (card.brand, card.last4, card.exp_month, card.exp_year) == (brand, last4, 12, 2029)
    assert card.provider == SIMULATOR and card.provider_payment_method_id == token


def test_declining_cards_say_what_charging_them_does() -> None:
    assert SIMULATED_CARDS["pm_card_visa"].outcome == "succeeds"
    assert SIMULATED_CARDS["pm_card_chargeDeclined"].outcome == "card_declined"
    assert all(len(card.last4) == 4 and card.last4.isdigit() for card in SIMULATED_CARDS.values())


@pytest.mark.parametrize(
    "number", ["4242424242424242", "4242 4242 4242 4242", "4242-4242-4242-4242", "378282246310005", "6011111111111117"]
)
async def test_card_numbers_are_refused_on_field_token(number: str) -> None:
    assert looks_like_card_number(number)
    with pytest.raises(InvalidArgument) as caught:
        await resolver().resolve(number)
    assert [v.field for v in caught.value.violations] == ["token"]
    assert "never send card numbers" in caught.value.violations[0].description


@pytest.mark.parametrize("token", ["pm_card_unknown", "tok_visa", "123456789012", "pm card visa", "", "x" * 300])
async def test_unknown_or_malformed_tokens_are_refused_on_field_token(token: str) -> None:
    assert not looks_like_card_number(token)
    with pytest.raises(InvalidArgument) as caught:
        await resolver().resolve(token)
    assert [v.field for v in caught.value.violations] == ["token"]
