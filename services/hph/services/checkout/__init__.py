"""Checkout: validates and prices a cart (shipping options, tax, totals) before it becomes an order."""
