"""Returns and refunds: customers send delivered items back, staff approve, receive, restock, refund."""
