"""Shared test set-up: the clock always goes back to real time after a test."""

import pytest

from placement import clock


@pytest.fixture(autouse=True)
def _real_clock():
    yield
    clock.set_offset(None)
