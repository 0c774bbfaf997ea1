"""H1 capacity: occupied + held + newly placed persons never exceed a room's beds in service."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..types import Relaxation
from . import h5_rooms
from .base import Reason, Rule, any_room

_ROOM_WORDS = {"family": "a family room", "adult": "an adult room", "minor": "a minor room"}


def fits(request, room) -> bool:
    return request.size <= room.free


def shelter_sentence(request) -> str:
    return Reason("h1_beds", f"H1: not enough free beds here for a group of {request.size}",
                  size=request.size)


def check(request, rooms) -> str | None:
    return None if any(fits(request, room) for room in rooms) else shelter_sentence(request)


def room_check(table, request) -> np.ndarray:
    """`fits` for every room of the table at once."""
    return table.free >= request.size


def over_shelters(table, request, rooms) -> np.ndarray:
    """`check` for every shelter at once: no room among `rooms` has beds for the group."""
    return ~any_room(table, rooms & room_check(table, request))


def fill_check(room, requests) -> list[str]:
    newcomers = sum(r.size for r in requests)
    if len(room.occupants) + room.held + newcomers > room.beds:
        return [f"H1: room {room.id!r} is over its beds"]
    return []


def bed_relaxation(instance, request, shelter_id, rule: str):
    """The fewest beds to add to one room the request may enter (H5) for it to fit; shared by
    H1 and H2, whose exclusions both end when one room has room for the whole group."""
    shelter = instance.shelter(shelter_id)
    short = [(request.size - room.free, order, room) for order, room in enumerate(shelter.rooms)
             if h5_rooms.admits(request, room) and room.free < request.size]
    if not short:
        return None
    missing, _, room = min(short, key=lambda item: item[:2])
    return beds_added(rule, shelter_id, room, missing)


def bed_relaxation_rooms(table, request, admitted) -> np.ndarray:
    """`bed_relaxation`'s room for every shelter of a room table (`batch.RoomRules`) at once:
    per shelter the row of the room `admitted` marks with the fewest beds missing (the first
    such room on ties), or -1 where none is short."""
    rows = np.nonzero(admitted & (table.free < request.size))[0]
    # By shelter, then beds missing, then the room's place (rows are in the shelter's order).
    rows = rows[np.lexsort((rows, request.size - table.free[rows], table.shelter[rows]))]
    shelters = table.shelter[rows]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = shelters[1:] != shelters[:-1]
    found = np.full(table.count, -1, dtype=np.int64)
    found[shelters[first]] = rows[first]
    return found


def beds_added(rule: str, shelter_id, room, missing: int) -> Relaxation:
    """The relaxation that adds `missing` beds to the room."""
    beds = "one bed" if missing == 1 else f"{missing} beds"
    return Relaxation(
        rule, shelter_id, "beds", room.beds, room.beds + missing,
        f"{rule}: {beds} short in {_ROOM_WORDS[room.kind]} at shelter {shelter_id}", room=room.id)


def beds_relaxed(policy, shelter, relaxation):
    rooms = tuple(replace(r, beds=relaxation.relaxed) if r.id == relaxation.room else r
                  for r in shelter.rooms)
    return policy, replace(shelter, rooms=rooms)


RULE = Rule(
    code="H1",
    says="occupied + held + new persons never exceed a room's beds in service",
    scope="room",
    check=check,
    request_reads=("size",),
    room_reads=("beds", "occupants", "held"),
    relax=lambda instance, request, shelter_id: bed_relaxation(instance, request, shelter_id,
                                                               "H1"),
    relaxed=beds_relaxed,
    fill_check=fill_check,
    over_shelters=over_shelters,
    room_check=room_check,
)
