"""H2 family unity: one request's persons go to one room of one shelter, all or none."""

from __future__ import annotations

import numpy as np

from .base import Reason, Rule
from .h1_beds import bed_relaxation, beds_relaxed


def check(request, rooms) -> str | None:
    """Over rooms the group may enter (H5) where none has room for all (H1): the group would
    fit only by splitting it, which H2 forbids."""
    pooled = sum(room.free for room in rooms if room.kind != "family")
    return sentence(request) if request.size > 1 and pooled >= request.size else None


def over_shelters(table, request, rooms) -> np.ndarray:
    """`check` for every shelter at once, over the rooms `rooms` marks."""
    if request.size <= 1:
        return np.zeros(table.count, dtype=bool)
    pooled = np.bincount(table.shelter, minlength=table.count,
                         weights=table.free * (rooms & (table.kind != "family")))
    return pooled >= request.size


def sentence(request) -> str:
    return Reason("h2_together",
                  f"H2: no single room here can keep the group of {request.size} together",
                  size=request.size)


def twice(request_id) -> str:
    return f"H2: request {request_id!r} is assigned twice"


RULE = Rule(
    code="H2",
    says="a request's persons stay together in one room, all or none",
    scope="room",
    check=check,
    request_reads=("size",),
    room_reads=("kind", "beds", "occupants", "held"),
    relax=lambda instance, request, shelter_id: bed_relaxation(instance, request, shelter_id,
                                                               "H2"),
    relaxed=beds_relaxed,
    over_shelters=over_shelters,
)
