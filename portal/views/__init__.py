"""Thin blueprints, one per URL area."""
