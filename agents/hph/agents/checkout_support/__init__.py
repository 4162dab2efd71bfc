"""Agent checkout-support: what blocks a cart (CheckoutService's own checks) and the fraud risk of an
order about to be placed (`risk`, over the `orders` projection of order events)."""
