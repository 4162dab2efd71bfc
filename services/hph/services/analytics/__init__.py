"""Sales analytics: a projection of order and payment events, and the staff reports read from it."""
