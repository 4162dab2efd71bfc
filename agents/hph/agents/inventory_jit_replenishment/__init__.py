"""Agent 15, inventory-jit-replenishment: per SKU, the demand forecast over the supplier's lead
time, the reorder point, the order quantity and the day to order by
(docs/agents/inventory-jit-replenishment.md).

Modules: `rules` (defaults, as data), `core` (the pure plan of one SKU), `backtest` (the plan and
the forecast replayed over a history: forecast error and stock-outs avoided, for `hph eval stock`),
`servicer` (gRPC and the factory the host calls). Live stock from InventoryService, prices from the
catalog, demand from the shared projection `hph.agents.inventory_signals`, lead times and order
costs from its `data/supply.json`.
"""
