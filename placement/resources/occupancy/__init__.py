"""Occupancy now and over time, unmet need, and their exports (coordinators first)."""
