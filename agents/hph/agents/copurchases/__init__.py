"""Co-purchases: which products are bought together, counted from order events.

A durable projection (consumer group "copurchases", container "copurchases") shared by
product-detail-enrichment ("frequently bought together") and cart-intelligence (cross-sell).
Stable API:

    copurchases = await CoPurchases.open(deps.store)
    copurchases.follow(deps.bus)                       # declare the shared group (idempotent)
    rules = await copurchases.frequently_bought_with(["SKU-1"], exclude=in_cart, limit=6)
    rules[0].product_id, rules[0].support, rules[0].confidence, rules[0].lift

An agent lists `CONTAINER` in its CONTAINERS so the host creates it.
"""

from hph.agents.copurchases.associations import (
    MAX_BASKET_PRODUCTS,
    MIN_CO_OCCURRENCES,
    MIN_CONFIDENCE,
    MIN_LIFT,
    MIN_SUPPORT,
    Association,
    associate,
    rank,
)
from hph.agents.copurchases.projection import CONTAINER, GROUP, SOURCE, TOPIC, CoPurchases

__all__ = [
    "CONTAINER",
    "GROUP",
    "MAX_BASKET_PRODUCTS",
    "MIN_CONFIDENCE",
    "MIN_CO_OCCURRENCES",
    "MIN_LIFT",
    "MIN_SUPPORT",
    "SOURCE",
    "TOPIC",
    "Association",
    "CoPurchases",
    "associate",
    "rank",
]
