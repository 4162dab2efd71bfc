"""Cart: owns each signed-in shopper's basket (lines, price snapshots) and re-checks it against the
catalog's current prices and inventory's availability on every read."""
