"""The retail agents (see docs/agents.md): each a gRPC service hosted like the commerce services, with
a deterministic decision core over live platform data and projections of the event log."""
