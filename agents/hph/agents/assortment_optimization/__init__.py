"""Agent 9, assortment-optimization: which products to keep, drop or promote.

Modules: `core` (each product's factors and score, with drivers; the keep/drop/promote plan; pure),
`knapsack` (the 0/1 knapsack under a size limit and/or an inventory-cost budget, exact by
branch-and-bound, greedy beyond its stated size; pure), `servicer` (RecommendAssortment over the
catalog, live stock, review ratings, the shared stock signals projection and the supplier price
list in `hph.agents.inventory_signals`'s supply.json).
"""
