"""Agent 3, cart-intelligence: how likely a shopper's cart is to be abandoned and why, what to do
about it, and what else goes with it (docs/agents/cart-intelligence.md).

Modules: `risk` (the pure decision core: drivers, weights, actions), `history` (the projection of
order events into each shopper's paid and abandoned checkouts), `servicer` (gRPC and the factory the
host calls). It reads the cart from CartService and live stock from InventoryService as the
platform, after checking the caller may see that cart.
"""
