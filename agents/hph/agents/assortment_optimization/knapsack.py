"""The 0/1 knapsack that picks the assortment (pure): maximise the total score of the kept products
with at most `max_count` of them and their cost (integer minor units) within `budget`.

- Only a size limit: the `max_count` best scores, which is optimal (exact).
- A budget (with or without a size limit): depth-first branch-and-bound over the items in order of
  score per unit of cost, taking an item before leaving it. A branch is cut when even its upper bound
  cannot beat the best choice found: the smallest of the fractional (linear) relaxation of the budget
  alone, the sum of the best remaining scores the size limit still allows, and, with both limits,
  the Lagrangian bound pricing the budget at the score per unit of cost where it runs out; each
  bounds every choice from above, so none cuts an optimal choice and the answer is exact.
- Beyond MAX_EXACT_ITEMS items, or when the search would visit more than MAX_NODES branches, the
  greedy by score per unit of cost answers instead, with `exact=False`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MAX_EXACT_ITEMS = 400
MAX_NODES = 20_000  # about a second of search at worst
EPSILON = 1e-12


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
    order = [i for i in _by_density(items) if items[i].value > 0 and items[i].cost <= budget]
    values = [items[i].value for i in order]
    costs = [items[i].cost for i in order]
    n = len(order)
    # best_k[j][k]: the sum of the k best values among order[j:] (the size limit's relaxation).
    best_k: list[list[float]] = []
    for j in range(n):
        ranked = sorted(values[j:], reverse=True)
        sums = [0.0]
        for value in ranked:
            sums.append(sums[-1] + value)
        best_k.append(sums)
    best_value = 0.0
    best_set: list[int] = []
    taken: list[int] = []
    nodes = 0

    def bound(j: int, room: int, slots: int) -> float:
        if j >= n or slots <= 0:
            return 0.0
        relaxed = 0.0
        left = room
        critical = 0.0  # the score per unit of cost where the budget runs out
        for t in range(j, n):
            if costs[t] <= left:
                relaxed += values[t]
                left -= costs[t]
            else:
                relaxed += values[t] * left / costs[t]
                critical = values[t] / costs[t]
                break
        top = best_k[j][min(slots, n - j)]
        if critical <= 0 or slots >= n - j:
            return min(relaxed, top)
        # Both limits at once: the Lagrangian bound with the budget priced at `critical` (any price
        # >= 0 gives an upper bound: room x price + the best `slots` of what each item earns above
        # its priced cost).
        earned = sorted((values[t] - critical * costs[t] for t in range(j, n)), reverse=True)[:slots]
        priced = critical * room + sum(e for e in earned if e > 0)
        return min(relaxed, top, priced)

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
    return _selection(items, [order[j] for j in best_set], exact=True)


def _selection(items: Sequence[Item], chosen: Sequence[int], *, exact: bool) -> Selection:
    return Selection(
        frozenset(chosen),
        sum(items[i].value for i in chosen),
        sum(items[i].cost for i in chosen),
        exact,
    )
