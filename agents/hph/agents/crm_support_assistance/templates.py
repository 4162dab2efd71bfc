"""Reply templates of the support brief. A template is sentences with `{placeholders}`; a sentence
whose placeholders the brief cannot fill is left out rather than guessed, so a draft only ever states
what the data says. The templates themselves hold no numbers, dates or ids."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

_PLACEHOLDER: Final = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Template:
    template_id: str
    sentences: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


GREETING: Final = "Hi {name},"
APOLOGY: Final = "I'm sorry for the trouble, and thank you for your patience."
SIGN_OFF: Final = "Best regards,\nHoliday Peak Hub support"

PARCEL_PROBLEM: Final = Template(
    "parcel_problem",
    (
        "I've looked into order {order_id}.",
        "The parcel with {carrier} is {parcel_status} and has not arrived when it should have.",
        "Its tracking number is {tracking_number}.",
        "I've asked {carrier} to trace it and will write again as soon as they answer.",
        "If it cannot be found, we will make it right.",
    ),
)
DELIVERED_LATE: Final = Template(
    "delivered_late",
    (
        "I've looked into order {order_id}.",
        "The parcel with {carrier} was delivered later than we promised, and I'm sorry it was.",
        "I'll check what we can do about the shipping charge and let you know.",
    ),
)
PARCEL_MOVING: Final = Template(
    "parcel_moving",
    (
        "Order {order_id} is on its way with {carrier}: the parcel is {parcel_status}.",
        "Its tracking number is {tracking_number}.",
        "The current estimate is {estimate}.",
    ),
)
RETURN_IN_PROGRESS: Final = Template(
    "return_in_progress",
    (
        "Your return {return_id} for order {order_id} is {return_status}.",
        "We'll let you know as soon as it moves on.",
    ),
)
PAYMENT: Final = Template(
    "payment",
    (
        "I'm checking the payments on order {order_id} (total {order_total}) now.",
        "If you were charged more than that, we will refund the difference.",
    ),
)
ORDER_STATUS: Final = Template(
    "order_status",
    (
        "Order {order_id} is {order_status}.",
        "Let me know if there is anything else I can do for you.",
    ),
)
GENERAL: Final = Template(
    "general",
    ("Thank you for getting in touch.", "I'm looking into your question and will get back to you shortly."),
)
TEMPLATES: Final = (PARCEL_PROBLEM, DELIVERED_LATE, PARCEL_MOVING, RETURN_IN_PROGRESS, PAYMENT, ORDER_STATUS, GENERAL)


def placeholders(sentence: str) -> set[str]:
    return set(_PLACEHOLDER.findall(sentence))


def render(template: Template, facts: dict[str, str], *, apologise: bool) -> tuple[str, dict[str, str]]:
    """The draft (greeting, an apology for an unhappy customer, every sentence whose placeholders are
    all known, filled, then the sign-off) and the facts it used, by placeholder."""
    kept = [sentence for sentence in template.sentences if placeholders(sentence) <= facts.keys()]
    used = {name: facts[name] for name in sorted(placeholders(GREETING).union(*map(placeholders, kept)))}
    opening = [GREETING.format_map(facts)]
    if apologise:
        opening.append(APOLOGY)
    body = " ".join(sentence.format_map(facts) for sentence in kept)
    return "\n\n".join([" ".join(opening), body, SIGN_OFF]), used
