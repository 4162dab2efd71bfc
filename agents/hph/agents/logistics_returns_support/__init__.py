"""Agent logistics-returns-support: what of an order can be returned and what the shopper gets back.

`policy` loads the rules shipped as data (data/returns_policy.json), `decisions` is the pure
decision core, `sources` reads the order, its shipments, prior returns and products over gRPC, and
`servicer` answers CheckReturnEligibility. docs/agents/logistics-returns-support.md."""
