"""Agent 14, inventory-health-check: every SKU's stock health (healthy / low / out / overstocked),
days of cover from its demand, and stock anomalies, most urgent first
(docs/agents/inventory-health-check.md).

Modules: `rules` (thresholds, as data), `core` (the pure assessment of one SKU and the catalog-wide
ordering), `servicer` (gRPC, and the factory the host calls). Live stock comes from InventoryService
(as the platform); demand, holds and movements from the shared projection
`hph.agents.inventory_signals`.
"""
