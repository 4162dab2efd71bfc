"""Agent consistency-validation: what is wrong or missing in product data, per product and over the
whole catalog, with a completeness score (docs/agents/consistency-validation.md)."""
