"""Agent 16, inventory-reservation-validation: the policy check CreateOrder consults before it holds
stock (docs/agents/inventory-reservation-validation.md).

Modules: `policy` (the policy data and the peak window), `decisions` (the pure decision core),
`purchases` (the projection of order events the peak limits count against), `servicer` (gRPC and
the factory the host calls). It reads live stock from InventoryService as the platform; it never
holds stock itself, so inventory's atomic reservation stays the only authority on what is sold.
"""
