"""Stripe's test PaymentMethod tokens as the offline simulators know them, in one table.

The users service resolves a saved test token to the card it stands for (brand, last four) and the
payments simulator charges it with the outcome Stripe's test mode would give, so both read this table
rather than one service reading the other's code.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SimulatedCard:
    brand: str
    last4: str
    # What charging it does: "succeeds", or the Stripe decline code / next action it reproduces.
    outcome: str = "succeeds"


# Stripe's documented test PaymentMethods (https://docs.stripe.com/testing), with the card they stand for.
SIMULATED_CARDS: dict[str, SimulatedCard] = {
    "pm_card_visa": SimulatedCard("visa", "4242"),
    "pm_card_visa_debit": SimulatedCard("visa", "5556"),
    "pm_card_mastercard": SimulatedCard("mastercard", "4444"),
    "pm_card_mastercard_debit": SimulatedCard("mastercard", "8210"),
    "pm_card_mastercard_prepaid": SimulatedCard("mastercard", "5100"),
    "pm_card_amex": SimulatedCard("amex", "8431"),
    "pm_card_discover": SimulatedCard("discover", "9424"),
    "pm_card_diners": SimulatedCard("diners", "0004"),
    "pm_card_jcb": SimulatedCard("jcb", "0505"),
    "pm_card_unionpay": SimulatedCard("unionpay", "0005"),
    "pm_card_chargeDeclined": SimulatedCard("visa", "0002", "card_declined"),
    "pm_card_chargeDeclinedInsufficientFunds": SimulatedCard("visa", "9995", "insufficient_funds"),
    "pm_card_chargeDeclinedLostCard": SimulatedCard("visa", "9987", "lost_card"),
    "pm_card_chargeDeclinedStolenCard": SimulatedCard("visa", "9979", "stolen_card"),
    "pm_card_chargeDeclinedExpiredCard": SimulatedCard("visa", "0069", "expired_card"),
    "pm_card_chargeDeclinedIncorrectCvc": SimulatedCard("visa", "0127", "incorrect_cvc"),
    "pm_card_chargeDeclinedProcessingError": SimulatedCard("visa", "0119", "processing_error"),
    "pm_card_chargeDeclinedFraudulent": SimulatedCard("visa", "0019", "fraudulent"),
    "pm_card_authenticationRequired": SimulatedCard("visa", "3184", "authentication_required"),
}
