"""H5 rooms: adult rooms take adults, minor rooms minors, a non-family room one gender, and a
family room one group at a time."""

from __future__ import annotations

import numpy as np

from ..vocabulary import ADULT_AGE, GENDERS, is_adult
from .base import Reason, Rule, any_room


def room_genders(room) -> frozenset[str]:
    """Genders a non-family room may still take, counting its occupants and its holds.

    A non-family room holds one gender. Occupants fix it; an `any` room with held beds and no
    occupants is closed, because the gender of whoever holds those beds is not in the instance.
    """
    if room.kind == "family":
        return frozenset()
    present = {o.gender for o in room.occupants}
    allowed = {"female", "male"} if room.gender == "any" else {room.gender}
    if present:
        allowed &= present if len(present) == 1 else set()
    elif room.gender == "any" and room.held:
        allowed = set()
    return frozenset(allowed)


def family_room_free(room) -> bool:
    """A family room takes a group only when nobody occupies or holds any of its beds."""
    return room.kind == "family" and not room.occupants and room.held == 0


def takes(kind: str, genders: frozenset[str], family_free: bool, request) -> bool:
    """Whether a room of this kind, open to these genders, may take the request on its own
    (shared with the model's room classes, which group rooms by exactly these)."""
    if kind == "family":
        return family_free
    return not request.needs_family_room and kind == request.age_kind and \
        request.gender in genders


def admits(request, room) -> bool:
    return takes(room.kind, room_genders(room), family_room_free(room), request)


def columns(rooms) -> dict:
    """What `room_check` reads of each room, as arrays for `batch.RoomRules`."""
    genders = [room_genders(room) for room in rooms]
    return {"family_free": np.array([family_room_free(r) for r in rooms], dtype=bool),
            "takes": {g: np.array([g in gs for gs in genders], dtype=bool) for g in GENDERS}}


def room_check(table, request) -> np.ndarray:
    """`admits` for every room of the table at once (`takes`, vectorised)."""
    ok = (table.kind == "family") & table.family_free
    if not request.needs_family_room:
        ok = ok | ((table.kind == request.age_kind) & table.takes[request.gender])
    return ok


def over_shelters(table, request, rooms) -> np.ndarray:
    """`check` for every shelter at once: no room among `rooms` admits the request."""
    return ~any_room(table, rooms & room_check(table, request))


def room_sentence(request, room) -> str | None:
    """Why one room cannot take the request (for one room), or None."""
    if admits(request, room):
        return None
    if room.kind == "family":
        return Reason("h5_family_in_use",
                      "H5: a family room takes one group at a time and this one is in use")
    if request.needs_family_room:
        return Reason("h5_needs_family", "H5: this group needs a family room to itself")
    if room.kind != request.age_kind:
        return Reason("h5_age_kind", f"H5: this group needs a {request.age_kind} room or an "
                      "empty family room", room_kind=request.age_kind)
    return Reason("h5_two_genders", "H5: a room other than a family room never holds two genders")


def shelter_sentence(request) -> str:
    """Why no room of a shelter can take the request."""
    if request.needs_family_room:
        return Reason("h5_no_family_free",
                      "H5: this group needs an empty family room and none is free here")
    return Reason("h5_no_room", f"H5: no {request.age_kind} room for this group's gender and no "
                  "empty family room here", room_kind=request.age_kind)


def check(request, rooms) -> str | None:
    return None if any(admits(request, room) for room in rooms) else shelter_sentence(request)


def fill_check(room, requests) -> list[str]:
    """Breaches when these requests enter the room together (the validator's view)."""
    label = f"room {room.id!r}"
    problems = []
    if room.kind == "family":
        if len(requests) > 1:
            problems.append(f"H5: family {label} takes more than one group")
        if room.occupants or room.held:
            problems.append(f"H5: family {label} is in use")
        return problems
    for request in requests:
        if request.needs_family_room:
            problems.append(f"H5: request {request.id!r} needs a family room, not {label}")
        elif room.kind != request.age_kind:
            problems.append(f"H5: request {request.id!r} cannot take {room.kind} {label}")
    genders = {o.gender for o in room.occupants}
    genders.update(p.gender for r in requests for p in r.persons)
    if room.gender != "any" and genders - {room.gender}:
        problems.append(f"H5: {room.gender} {label} gets another gender")
    if len(genders) > 1:
        problems.append(f"H5: {label} would hold two genders")
    if room.gender == "any" and room.held and not room.occupants:
        problems.append(f"H5: {label} has holds of unknown gender")
    return problems


def walk_in_problem(room, label: str, gender: str, age: int, group) -> tuple | None:
    """H5 for one person recorded in a room outside any request (a walk-in resident): None, or
    (field at fault, short word, sentence). `room` is the optimizer's view of the room."""
    adult = is_adult(age)
    if room.kind == "minor" and adult:
        return "age", "too old", f"age: a minor room takes persons under {ADULT_AGE}"
    if room.kind == "adult" and not adult:
        return "age", "too young for adult room", "age: a child goes to a family or minor room"
    if room.gender not in ("any", gender):
        return "gender", "room gender", f"gender: {label} is for {room.gender} persons"
    if room.kind == "family":
        # One group at a time: a family room with a held bed is promised to another family.
        if room.held or {o.group for o in room.occupants} - {group}:
            return "group", "family room taken", \
                f"group: family {label} is taken by another group"
        return None
    if {o.gender for o in room.occupants} - {gender}:
        return "gender", "other gender", f"gender: {label} already holds persons of another gender"
    if room.gender == "any" and room.held:
        # Whoever the held beds wait for may be of the other gender.
        return "gender", "room held", (f"gender: {label} has beds held for a placement; "
                                       "record the resident in another room")
    return None


RULE = Rule(
    code="H5",
    says="adult rooms take adults, minor rooms minors (under 18), a non-family room one gender, "
         "a family room one group",
    scope="room",
    check=check,
    request_reads=("needs_family_room", "age_kind", "gender"),
    room_reads=("kind", "gender", "occupants", "held"),
    fill_check=fill_check,
    over_shelters=over_shelters,
    room_check=room_check,
)
