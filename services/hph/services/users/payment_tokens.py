"""Payment-provider tokens -> the card details we may keep (brand, last four, expiry), never numbers.

`PaymentTokenResolver` is the port: `await resolver.resolve(token) -> CardDetails`, raising
InvalidArgument on field "token" when the provider does not know the token, and `detach(details)`
when the card is deleted. `SimulatedCardTokens`
is the offline adapter used on embedded defaults: it knows Stripe's test PaymentMethod tokens
("pm_card_visa", "pm_card_chargeDeclined", ...), answers like Stripe's test mode would, and keeps
the token itself as the provider's payment-method id (Stripe test mode charges these tokens
directly). A Stripe adapter (attach the token to a Customer, read `card.brand/last4/exp_*`) plugs
in behind the same port.

The test tokens it knows are `hph.commerce.simulated_cards.SIMULATED_CARDS`, the table the payments
simulator charges by, so a saved card and its charge outcome come from one table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from hph.commerce.simulated_cards import SIMULATED_CARDS
from hph.runtime.clock import Clock, system_clock
from hph.runtime.errors import Violations

SIMULATOR = "simulator"
TOKEN_FIELD = "token"
TOKEN_MAX_LENGTH = 255
EXPIRY_MONTH = 12
EXPIRY_YEARS_AHEAD = 3

# 13..19 digits once the usual separators are removed: a primary account number.
_CARD_NUMBER = re.compile(r"[0-9]{13,19}")
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_]+")


@dataclass(frozen=True)
class CardDetails:
    """What the provider reports for display; nothing here can charge the card by itself."""

    provider: str  # "simulator" or "stripe"
    provider_payment_method_id: str
    brand: str  # lower case, as the provider names it: visa, mastercard, amex, ...
    last4: str
    exp_month: int
    exp_year: int


class PaymentTokenResolver(Protocol):
    """The payment provider as the users service sees it: saving and forgetting cards."""

    async def resolve(self, token: str) -> CardDetails:
        """The card behind a provider token; InvalidArgument on field "token" when refused."""
        ...

    async def detach(self, details: CardDetails) -> None:
        """Tells the provider the card is no longer saved (best effort; unknown cards are fine)."""
        ...


def looks_like_card_number(token: str) -> bool:
    return bool(_CARD_NUMBER.fullmatch(re.sub(r"[\s\-]", "", token)))


def check_token(violations: Violations, token: str) -> bool:
    """Shape checks every resolver shares; a card number is refused before anything else."""
    if not violations.check(bool(token.strip()), TOKEN_FIELD, "is required"):
        return False
    if looks_like_card_number(token):
        violations.add(
            TOKEN_FIELD,
            "looks like a card number; never send card numbers: tokenize the card with the payment "
            "provider (e.g. Stripe.js) and send its token",
        )
        return False
    ok = len(token) <= TOKEN_MAX_LENGTH and bool(_TOKEN_SHAPE.fullmatch(token))
    return violations.check(ok, TOKEN_FIELD, "is not a payment-provider token (letters, digits and '_')")


class SimulatedCardTokens:
    """Offline resolver of Stripe's test tokens; expiry is December, three years from now."""

    def __init__(self, clock: Clock = system_clock) -> None:
        self._clock = clock

    async def resolve(self, token: str) -> CardDetails:
        violations = Violations()
        if check_token(violations, token) and token not in SIMULATED_CARDS:
            violations.add(
                TOKEN_FIELD,
                "unknown payment token; the simulator accepts Stripe test tokens "
                "such as pm_card_visa or pm_card_mastercard",
            )
        violations.raise_if_any()
        card = SIMULATED_CARDS[token]
        return CardDetails(
            provider=SIMULATOR,
            provider_payment_method_id=token,
            brand=card.brand,
            last4=card.last4,
            exp_month=EXPIRY_MONTH,
            exp_year=self._clock().year + EXPIRY_YEARS_AHEAD,
        )

    async def detach(self, details: CardDetails) -> None:
        return None  # test tokens are not attached to anything
