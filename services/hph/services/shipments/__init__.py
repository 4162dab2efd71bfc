"""Shipments: parcels for paid orders, carrier tracking, and the order following them."""
