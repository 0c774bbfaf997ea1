"""The service's one clock: naive UTC datetimes, movable by tests."""

from datetime import UTC, datetime

_offset = None


def now():
    """Current time as naive UTC (the form both databases store)."""
    current = datetime.now(UTC).replace(tzinfo=None)
    return current + _offset if _offset is not None else current


def set_offset(delta):
    """Move the clock by `delta` (tests only); None puts it back."""
    global _offset
    _offset = delta
