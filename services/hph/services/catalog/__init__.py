"""Catalog: owns products and categories (browsing for everyone, management for staff)."""
