"""Agent 1, catalog-search: BM25 product search over an index built from the catalog, inventory and
review services and kept current from product, inventory and order events (docs/search.md)."""
