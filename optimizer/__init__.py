"""Streha's placement engine: a pure library (no Flask, no SQLAlchemy, no placement imports)."""
