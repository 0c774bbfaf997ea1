"""Shared test set-up: the clock always goes back to real time after a test."""

import pytest

from placement import clock


@pytest.fixture(autouse=True)
def _real_clock():
    yield
    clock.set_offset(None)


@pytest.fixture(autouse=True, scope="session")
def _dumps_as_marshmallow_makes_them():
    """Every dump the suite makes through a ContractSchema is made twice, by its plan and by
    marshmallow's own loop, and must come out the same, key order and types included."""
    from marshmallow import Schema

    from placement.contract import ContractSchema

    planned = ContractSchema._serialize
    state = {"depth": 0}

    def checked(self, obj, *, many=False):
        if state["depth"]:  # inside one being checked: the outer call compares the whole
            return (planned if state["depth"] > 0 else Schema._serialize)(self, obj, many=many)
        state["depth"] = 1
        try:
            found = planned(self, obj, many=many)
        finally:
            state["depth"] = 0
        state["depth"] = -1
        try:
            expected = Schema._serialize(self, obj, many=many)
        finally:
            state["depth"] = 0
        assert _same(found, expected), (type(self).__name__, found, expected)
        return found

    ContractSchema._serialize = checked
    yield
    ContractSchema._serialize = planned


def _same(found, expected):
    if type(found) is not type(expected):
        return False
    if isinstance(found, dict):
        return list(found) == list(expected) and all(_same(found[k], expected[k]) for k in found)
    if isinstance(found, list | tuple):
        return len(found) == len(expected) and all(map(_same, found, expected))
    return found == expected
