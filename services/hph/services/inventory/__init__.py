"""Inventory: owns stock per SKU (on hand, reserved, available, thresholds, health) and the
reservations that hold stock for unpaid orders.

Storage (Cosmos-shaped: a transactional batch covers one partition of one container):

- container "inventory", partition key /sku: per SKU one partition holding the stock record
  (id = sku), one hold per reservation that touched the SKU (id "hold-<reservation id>"),
  adjustment receipts (idempotency of staff updates) and the SKU's outbox records. Every change of
  one SKU is a single batch there: stock record (if_match on its etag) + hold + events.
- container "reservations", partition key /id: one document per order's reservation, recording
  its lines and lifecycle; a multi-SKU reservation is a saga over SKU partitions (see
  `reservations`), with the sweeper (see `sweeper`) as the backstop that returns stale holds.

Modules: `rules` (pure arithmetic, transitions, validation), `ledger` (one SKU's atomic changes),
`reservations` (the saga), `stock_events` (event payloads), `messages` (documents -> protos),
`catalog_client` (does a product exist?), `servicer` (gRPC), `sweeper` (expiry loop).
"""
