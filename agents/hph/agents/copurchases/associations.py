"""Association-rule arithmetic of co-purchases: plain numbers in, ranked associations out.

For a product A the shopper looks at (or has in the cart) and a candidate B, over the N orders
counted (placed and not cancelled):

- support(A, B)      = orders with both A and B / N                  (how common the pair is)
- confidence(A -> B) = orders with both A and B / orders with A      (P(B | A))
- lift(A -> B)       = confidence(A -> B) / P(B), P(B) = orders with B / N
                       (> 1: bought together more often than chance; 1: independent)

An association is shown only when it clears every minimum below (all inclusive except lift, which
must exceed MIN_LIFT): a pair seen in one order is an anecdote, and a pair whose lift is at most 1
is only two popular products. Candidates are ranked by confidence, then lift, then co-occurrences,
then product id (deterministic).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

# Orders that must hold both products: one order is an anecdote.
MIN_CO_OCCURRENCES: Final = 2
# support = orders with both / all orders; 0.05% keeps the long tail of a large history.
MIN_SUPPORT: Final = 0.0005
# confidence = orders with both / orders with A.
MIN_CONFIDENCE: Final = 0.05
# lift must be strictly above this: above 1 means more often together than chance.
MIN_LIFT: Final = 1.0
# An order with more distinct products than this counts in the totals and per-product counts but adds
# no pairs: bulk baskets say little about affinity, and their pairs (n(n-1)/2) would not fit one batch.
MAX_BASKET_PRODUCTS: Final = 12


@dataclass(frozen=True)
class Association:
    """The rule antecedent -> product_id with its counts and measures (see the module docstring)."""

    product_id: str
    antecedent: str
    co_occurrences: int
    antecedent_orders: int
    product_orders: int
    orders_considered: int
    support: float
    confidence: float
    lift: float

    def clears_minimums(self) -> bool:
        return (
            self.co_occurrences >= MIN_CO_OCCURRENCES
            and self.support >= MIN_SUPPORT
            and self.confidence >= MIN_CONFIDENCE
            and self.lift > MIN_LIFT
        )

    @property
    def rank_key(self) -> tuple[float, float, int, str, str]:
        return (-self.confidence, -self.lift, -self.co_occurrences, self.product_id, self.antecedent)


def associate(antecedent: str, product_id: str, *, both: int, with_a: int, with_b: int, orders: int) -> Association:
    """The measures of antecedent -> product_id from the four counts (zeros give zero measures)."""
    support = both / orders if orders else 0.0
    confidence = both / with_a if with_a else 0.0
    p_b = with_b / orders if orders else 0.0
    lift = confidence / p_b if p_b else 0.0
    return Association(
        product_id=product_id,
        antecedent=antecedent,
        co_occurrences=both,
        antecedent_orders=with_a,
        product_orders=with_b,
        orders_considered=orders,
        support=support,
        confidence=confidence,
        lift=lift,
    )


def basket(product_ids: Iterable[str]) -> list[str]:
    """The distinct products of an order, sorted (a product on two lines counts once)."""
    return sorted(set(product_ids))


def pairs(products: list[str]) -> list[tuple[str, str]]:
    """Every unordered pair of a sorted basket as (smaller, larger); none for a bulk basket."""
    if len(products) > MAX_BASKET_PRODUCTS:
        return []
    return [(a, b) for i, a in enumerate(products) for b in products[i + 1 :]]


def rank(
    antecedents: Iterable[str],
    pair_counts: Mapping[tuple[str, str], int],
    product_counts: Mapping[str, int],
    orders: int,
    *,
    exclude: Iterable[str] = (),
    limit: int,
) -> list[Association]:
    """The strongest rules from any of `antecedents` to other products, one per product (its best
    antecedent by the rank order), clearing the minimums, excluding the antecedents and `exclude`.

    `pair_counts` holds co-occurrences keyed by the sorted pair; `product_counts` orders per product.
    """
    sources = set(antecedents)
    skip = sources | set(exclude)
    best: dict[str, Association] = {}
    for (a, b), both in pair_counts.items():
        for antecedent, candidate in ((a, b), (b, a)):
            if antecedent not in sources or candidate in skip:
                continue
            rule = associate(
                antecedent,
                candidate,
                both=both,
                with_a=product_counts.get(antecedent, 0),
                with_b=product_counts.get(candidate, 0),
                orders=orders,
            )
            if not rule.clears_minimums():
                continue
            held = best.get(candidate)
            if held is None or rule.rank_key < held.rank_key:
                best[candidate] = rule
    return sorted(best.values(), key=lambda rule: rule.rank_key)[: max(limit, 0)]
