"""The baseline: place requests one by one, most important and most constrained first.

It is also the safety net of the exact solver: its answer is the hint of the first model and the
answer returned when the solver runs out of time before finding anything better.
"""

from __future__ import annotations

from dataclasses import replace

from .prepare import Prepared
from .registry import room_takes
from .types import Assignment, Occupant, Room


class RoomState:
    """Each usable room as it stands while placements are made, judged by the registry's room
    rules (`registry.room_takes`: H5 admits, H1 fits) as a placement changes it."""

    def __init__(self, prepared: Prepared):
        self.prepared = prepared
        self.rooms: dict[tuple, Room] = {}
        for c in prepared.classes:
            shelter = prepared.instance.shelters[c.shelter]
            for room in shelter.rooms:
                if room.id in c.rooms:
                    self.rooms[(c.shelter, room.id)] = room

    def pick(self, request, shelter: int, classes) -> object | None:
        """The room to use at this shelter: the tightest non-family room, else a family room."""
        best = None
        for c_index in classes:
            c = self.prepared.classes[c_index]
            for room_id in c.rooms:
                room = self.rooms[(shelter, room_id)]
                if room_takes(request, room) and (best is None or (c.family, room.free) < best[0]):
                    best = ((c.family, room.free), room_id)
        return None if best is None else best[1]

    def place(self, request, shelter: int, room_id) -> None:
        room = self.rooms[(shelter, room_id)]
        newcomers = tuple(Occupant(p.gender, p.age, request.id) for p in request.persons)
        self.rooms[(shelter, room_id)] = replace(room, occupants=room.occupants + newcomers)


def greedy_order(prepared: Prepared) -> list[int]:
    """Highest priority first; among equals, the request with fewest options first."""
    return sorted(range(len(prepared.instance.requests)),
                  key=lambda i: (-prepared.priorities[i], len(prepared.candidates[i].shelters), i))


def greedy_assign(prepared: Prepared, order: list[int] | None = None,
                  placed: dict[int, tuple[int, object]] | None = None) -> list[Assignment]:
    """Each request in turn takes its best shelter (L2, then L3) that still has a room for it.

    `placed` (request index -> (shelter, room)) are kept first; the rest are added greedily.
    """
    instance = prepared.instance
    state = RoomState(prepared)
    where: dict[int, tuple[int, object]] = {}
    for i, (shelter, room) in sorted((placed or {}).items()):
        state.place(instance.requests[i], shelter, room)
        where[i] = (shelter, room)
    dead: set[tuple] = set()
    partners = _partner_indices(prepared)
    for i in order if order is not None else greedy_order(prepared):
        if i in where:
            continue
        request = instance.requests[i]
        cands = prepared.candidates[i]
        taken = {where[p][0] for p in partners[i] if p in where}
        for shelter in cands.shelters:
            if (shelter, cands.admit_key) in dead or shelter in taken:
                continue
            room = state.pick(request, shelter, prepared.classes_for(i, shelter))
            if room is None:
                dead.add((shelter, cands.admit_key))  # capacity only shrinks: never again
                continue
            state.place(request, shelter, room)
            where[i] = (shelter, room)
            break
    return [Assignment(instance.requests[i].id, instance.shelters[s].id, room)
            for i, (s, room) in sorted(where.items())]


def _partner_indices(prepared: Prepared) -> list[list[int]]:
    instance = prepared.instance
    return [[instance.request_index[p] for p in sorted(instance.keep_apart[r.id], key=repr)]
            for r in instance.requests]
