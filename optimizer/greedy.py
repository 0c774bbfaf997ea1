"""The baseline: place requests one by one, most important and most constrained first.

It is also the safety net of the exact solver: its answer is the hint of the first model and the
answer returned when the solver runs out of time before finding anything better.
"""

from __future__ import annotations

from .prepare import Prepared
from .types import Assignment


class RoomState:
    """Beds still free and genders present in each usable room, as placements are made."""

    def __init__(self, prepared: Prepared):
        self.prepared = prepared
        self.free: dict[tuple, int] = {}
        self.genders: dict[tuple, set] = {}
        for c in prepared.classes:
            for room in c.rooms:
                key = (c.shelter, room)
                self.free[key] = c.free
                shelter = prepared.instance.shelters[c.shelter]
                occupants = next(r for r in shelter.rooms if r.id == room).occupants
                self.genders[key] = {o.gender for o in occupants}

    def pick(self, request, shelter: int, classes) -> object | None:
        """The room to use at this shelter: the tightest non-family room, else a family room."""
        best = None
        for c_index in classes:
            c = self.prepared.classes[c_index]
            for room in c.rooms:
                key = (shelter, room)
                free = self.free[key]
                if c.family:
                    usable = free == c.free  # still empty
                else:
                    usable = free >= request.size and self.genders[key] <= {request.gender}
                if usable and (best is None or (c.family, free) < best[0]):
                    best = ((c.family, free), room)
        return None if best is None else best[1]

    def place(self, request, shelter: int, room) -> None:
        key = (shelter, room)
        self.free[key] -= request.size
        self.genders[key].update(p.gender for p in request.persons)


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
