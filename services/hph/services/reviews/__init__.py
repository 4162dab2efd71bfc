"""Reviews: owns shoppers' product reviews (reading for everyone, one review per user per product)."""
