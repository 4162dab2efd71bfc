"""The 0/1 knapsack that picks the assortment (pure): maximise the total score of the kept products
with at most `max_count` of them and their cost (integer minor units) within `budget`.

- Only a size limit: the `max_count` best scores, which is optimal (exact).
- A budget (with or without a size limit): depth-first branch-and-bound, starting from the greedy
  choice, taking an item before leaving it. A branch is cut when even its upper bound cannot beat
  the best choice found: the smaller of the sum of the best remaining scores the size limit still
  allows and a Lagrangian bound, each remaining slot priced at p >= 0 (p x slots + the budget's
  linear relaxation of what each item earns above p). Any p bounds every choice from above, so no
  cut loses an optimal choice and the answer is exact; p is chosen once, at the root, where it
  makes the bound tightest (p = 0 without a binding size limit: the plain linear relaxation), and
  the items are branched on in order of what they earn above p per unit of cost.
- Beyond MAX_EXACT_ITEMS items, or when the search would visit more than MAX_NODES branches, the
  greedy by score per unit of cost answers instead, with `exact=False`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

MAX_EXACT_ITEMS = 400
MAX_NODES = 200_000  # about a second of search at worst
EPSILON = 1e-12
PRICE_SEARCH_STEPS = 60


@dataclass(frozen=True)
class Item:
    value: float  # >= 0
    cost: int  # >= 0, minor units


@dataclass(frozen=True)
class Selection:
    chosen: frozenset[int]  # indices into the items
    value: float
    cost: int
    exact: bool


class _NodeBudgetSpent(Exception):
    pass


def solve(items: Sequence[Item], *, budget: int | None = None, max_count: int | None = None) -> Selection:
    """The best selection under the constraints (None: unconstrained)."""
    count_limit = len(items) if max_count is None else min(max_count, len(items))
    if budget is None:
        ranked = sorted(range(len(items)), key=lambda i: (-items[i].value, i))[:count_limit]
        return _selection(items, ranked, exact=True)
    if len(items) <= MAX_EXACT_ITEMS:
        try:
            return _branch_and_bound(items, budget, count_limit)
        except _NodeBudgetSpent:
            pass
    return greedy(items, budget=budget, max_count=count_limit)


def greedy(items: Sequence[Item], *, budget: int, max_count: int) -> Selection:
    """Items by score per unit of cost while they fit (not optimal in general: exact=False)."""
    chosen: list[int] = []
    spent = 0
    for i in _by_density(items):
        if len(chosen) >= max_count:
            break
        if items[i].value > 0 and spent + items[i].cost <= budget:
            chosen.append(i)
            spent += items[i].cost
    return _selection(items, chosen, exact=False)


def _by_density(items: Sequence[Item]) -> list[int]:
    return sorted(
        range(len(items)),
        key=lambda i: (-(items[i].value / items[i].cost) if items[i].cost else -float("inf"), -items[i].value, i),
    )


def _branch_and_bound(items: Sequence[Item], budget: int, max_count: int) -> Selection:
    candidates = [i for i in range(len(items)) if items[i].value > 0 and items[i].cost <= budget]
    price = _slot_price(items, candidates, budget, max_count) if max_count < len(candidates) else 0.0
    # Branch in order of what an item earns above the slot's price per unit of cost.
    order = sorted(candidates, key=lambda i: (-_ratio(items[i].value - price, items[i].cost), -items[i].value, i))
    values = [items[i].value for i in order]
    costs = [items[i].cost for i in order]
    n = len(order)
    # best_k[j][k]: the sum of the k best values among order[j:] (the size limit's relaxation).
    best_k: list[list[float]] = []
    for j in range(n):
        sums = [0.0]
        for value in sorted(values[j:], reverse=True):
            sums.append(sums[-1] + value)
        best_k.append(sums)
    start = greedy(items, budget=budget, max_count=max_count)  # a good first incumbent prunes early
    best_value = start.value
    best_set: list[int] | None = None
    taken: list[int] = []
    nodes = 0

    def bound(j: int, room: int, slots: int) -> float:
        """The most order[j:] can add: the smaller of the size limit's relaxation and the
        Lagrangian one (each slot priced at `price`, then the budget's linear relaxation)."""
        if j >= n or slots <= 0:
            return 0.0
        priced = price * slots
        left = room
        for t in range(j, n):
            gain = values[t] - price
            if gain <= 0:
                break
            if costs[t] <= left:
                priced += gain
                left -= costs[t]
            else:
                priced += gain * left / costs[t]
                break
        return min(priced, best_k[j][min(slots, n - j)])

    def search(j: int, value: float, room: int, slots: int) -> None:
        nonlocal best_value, best_set, nodes
        nodes += 1
        if nodes > MAX_NODES:
            raise _NodeBudgetSpent
        if value > best_value + EPSILON:
            best_value, best_set = value, list(taken)
        if j >= n or slots == 0 or value + bound(j, room, slots) <= best_value + EPSILON:
            return
        if costs[j] <= room:
            taken.append(j)
            search(j + 1, value + values[j], room - costs[j], slots - 1)
            taken.pop()
        search(j + 1, value, room, slots)

    search(0, 0.0, budget, max_count)  # at most MAX_EXACT_ITEMS deep: within Python's recursion limit
    if best_set is None:  # nothing beat the greedy start: it is optimal
        return dataclasses.replace(start, exact=True)
    return _selection(items, [order[j] for j in best_set], exact=True)


def _ratio(gain: float, cost: int) -> float:
    if cost:
        return gain / cost
    return math.inf if gain > 0 else -math.inf


def _slot_price(items: Sequence[Item], candidates: Sequence[int], budget: int, max_count: int) -> float:
    """The price of a slot of the size limit that makes the Lagrangian bound tightest at the root:
    the minimum over price >= 0 of price x max_count + the budget's linear relaxation of what each
    item earns above it (convex in the price, so a ternary search finds it)."""

    def relaxed(price: float) -> float:
        gains = sorted(
            ((items[i].value - price, items[i].cost) for i in candidates if items[i].value > price),
            key=lambda g: -_ratio(g[0], g[1]),
        )
        total, left = price * max_count, budget
        for gain, cost in gains:
            if cost <= left:
                total += gain
                left -= cost
            else:
                total += gain * left / cost
                break
        return total

    low, high = 0.0, max((items[i].value for i in candidates), default=0.0)
    for _ in range(PRICE_SEARCH_STEPS):
        a, b = low + (high - low) / 3, high - (high - low) / 3
        if relaxed(a) <= relaxed(b):
            high = b
        else:
            low = a
    return (low + high) / 2


def _selection(items: Sequence[Item], chosen: Sequence[int], *, exact: bool) -> Selection:
    return Selection(
        frozenset(chosen),
        sum(items[i].value for i in chosen),
        sum(items[i].cost for i in chosen),
        exact,
    )
