"""Agent 17, inventory-alerts-triggers: stock alerts (low stock, stock-out, reservation pressure,
demand spike) raised as events, one per (SKU, kind) episode, with cool-downs, in a staff list to
acknowledge (docs/agents/inventory-alerts-triggers.md).

Modules: `rules` (thresholds and cool-downs, as data), `core` (the pure conditions of one SKU),
`alerts` (the alert documents and their events: raise once, update, resolve, acknowledge),
`servicer` (gRPC, the periodic evaluation, and the factory the host calls). Live stock comes from
InventoryService (as the platform); demand from the shared projection `hph.agents.inventory_signals`.
"""
