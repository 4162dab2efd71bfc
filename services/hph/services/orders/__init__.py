"""Orders: placing orders from the cart with stock reserved, their lifecycle, payment and cancellation."""
