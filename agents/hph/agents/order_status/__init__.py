"""Agent order-status: one timeline per order from order, payment, shipment and return events
(`timeline`, pure), kept durably (`projection`), with the ETA asked of logistics-eta-computation
(`servicer`)."""
