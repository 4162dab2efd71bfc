"""logistics-carrier-selection: the cheapest label that meets the promised date, weighted by each
carrier's on-time rate from shipment events (docs/agents/logistics-carrier-selection.md)."""
