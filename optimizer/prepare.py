"""Batch preparation: eligible shelters per request and interchangeable room classes.

The rules are the registry's, evaluated for many pairs at once by `batch.py` (which agrees
exactly with the one-pair functions the validator uses).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .batch import Geometry, PersonRules
from .hard.h1_beds import fits
from .hard.h5_rooms import family_room_free, room_genders, takes
from .registry import room_key
from .types import Instance, Request


@dataclass(frozen=True)
class RoomClass:
    """Rooms of one shelter that are interchangeable: same kind, genders they may take, free beds.

    A family class holds only empty family rooms (one group each); a non-family class holds
    rooms that may each take one gender among `genders`.
    """

    shelter: int
    kind: str
    genders: frozenset[str]
    free: int
    rooms: tuple  # room ids, in the shelter's order

    @property
    def family(self) -> bool:
        return self.kind == "family"

    def admits(self, request: Request) -> bool:
        """Whether a request may enter one of these rooms on its own (H1, H5). A family class
        holds only free family rooms."""
        return fits(request, self) and takes(self.kind, self.genders, True, request)


@dataclass
class Candidates:
    """Shelters one request may go to, best first (fit desc, travel asc, shelter order).

    `shelters`, `fits` and `travels` are parallel lists; the classes the request may enter at a
    shelter are `Prepared.admitted[admit_key][shelter]`.
    """

    shelters: list[int]
    fits: list[int]
    travels: list[int]
    admit_key: tuple


@dataclass
class Prepared:
    """Everything the greedy and the models need, computed once per instance."""

    instance: Instance
    priorities: list[int]
    classes: list[RoomClass]
    shelter_classes: list[list[int]]
    candidates: list[Candidates] = field(default_factory=list)
    admitted: dict[tuple, list[tuple[int, ...]]] = field(default_factory=dict)

    def classes_for(self, request_index: int, shelter: int) -> tuple[int, ...]:
        return self.admitted[self.candidates[request_index].admit_key][shelter]


def room_classes(instance: Instance) -> tuple[list[RoomClass], list[list[int]]]:
    classes: list[RoomClass] = []
    per_shelter: list[list[int]] = []
    for s_index, shelter in enumerate(instance.shelters):
        groups: dict[tuple, list] = {}
        for room in shelter.rooms:
            if room.kind == "family":
                if not family_room_free(room) or room.beds == 0:
                    continue
                key = ("family", frozenset(), room.beds)
            else:
                genders = room_genders(room)
                if not genders or room.free <= 0:
                    continue
                key = (room.kind, genders, room.free)
            groups.setdefault(key, []).append(room.id)
        mine = []
        for (kind, genders, free), rooms in groups.items():
            mine.append(len(classes))
            classes.append(RoomClass(s_index, kind, genders, free, tuple(rooms)))
        per_shelter.append(mine)
    return classes, per_shelter


def prepare(instance: Instance) -> Prepared:
    """Eligible (request, shelter, classes) with fit and travel, best shelter first."""
    classes, per_shelter = room_classes(instance)
    policy = instance.policy
    prepared = Prepared(instance, [policy.priority(r) for r in instance.requests], classes,
                        per_shelter)
    geometry, people = Geometry(instance), PersonRules(instance)
    has_room: dict[tuple, np.ndarray] = {}
    for request in instance.requests:
        key = room_key(request)
        if key not in prepared.admitted:
            prepared.admitted[key] = [tuple(c for c in mine if classes[c].admits(request))
                                      for mine in per_shelter]
            has_room[key] = np.array([bool(e) for e in prepared.admitted[key]], dtype=bool)
        ok = people.allowed(request) & has_room[key] & geometry.place_ok(request)
        indices = np.nonzero(ok)[0]
        fit = people.fits(request)[indices]
        travel = geometry.travel(request, indices)
        order = np.lexsort((indices, travel, -fit))
        prepared.candidates.append(Candidates(
            indices[order].tolist(), fit[order].tolist(), travel[order].tolist(), key))
    return prepared
