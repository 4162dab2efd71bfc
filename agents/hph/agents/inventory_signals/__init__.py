"""What the three stock agents (inventory-health-check, inventory-jit-replenishment,
inventory-alerts-triggers) learn from inventory events, kept once for all of them.

Modules: `state` (the pure fold of one SKU's events: daily demand, open holds, unexplained
movements, the last level), `demand` (the seasonal-index demand model and the reorder point, pure),
`supply` (supplier lead times and the retail calendar, as data), `projection` (the durable
projection: consumer group "inventory-signals" of "inventory-events", one document per SKU).
"""
