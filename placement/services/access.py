"""Scopes: which shelters, rooms and beds a user may see or change. Out of scope reads as absent.

One rule for reads and writes: a write may name only a shelter its caller can read (a hold, a room,
a bed, a resident, a confirmation), so nothing can be learnt or changed by writing that a read
would hide. Every path that takes a shelter from its caller goes through `sees_shelter`.
"""

import sqlalchemy as sa

from placement.errors import Forbidden, NotFound
from placement.extensions import db
from placement.models import Bed, Room, Shelter, user_shelters

READ_ALL = ("case_manager", "national_coordinator", "admin")
CAPACITY_WRITERS = ("shelter_manager", "admin")
DETAIL_READERS = ("shelter_manager", "regional_coordinator", "national_coordinator", "admin")
# Who may read a region-level shelter's municipality (within their scope): the people who run it
# (a shelter manager sees only their own shelters) and the administrator who records it. Nobody
# else needs it: coordinators' maps, travel and H6 all work from the public area, and a named
# municipality would narrow the 35 km area to one town.
HIDDEN_MUNICIPALITY_READERS = ("shelter_manager", "admin")


def shelter_filter(user):
    """A WHERE clause selecting the shelters `user` may see."""
    if user.role in READ_ALL:
        return sa.true()
    if user.role == "regional_coordinator":
        return Shelter.region_code == user.region_code
    if user.role == "shelter_manager":
        return Shelter.id.in_(
            sa.select(user_shelters.c.shelter_id).where(user_shelters.c.user_id == user.id)
        )
    return sa.false()


def sees_shelter(user, shelter_id):
    """Whether shelter `shelter_id` exists and is in `user`'s scope."""
    return _scoped(user, shelter_id) is not None


def _scoped(user, shelter_id):
    return db.session.scalar(
        sa.select(Shelter).where(Shelter.id == shelter_id, shelter_filter(user))
    )


def visible_shelter(user, shelter_id):
    shelter = _scoped(user, shelter_id)
    if shelter is None:
        raise NotFound(f"no shelter {shelter_id}")
    return shelter


def shelter_for_detail(user, shelter_id):
    """Rooms and beds: everyone in the shelter's scope but case managers."""
    if user.role not in DETAIL_READERS:
        raise Forbidden("case managers see free beds by room kind, not rooms and beds")
    return visible_shelter(user, shelter_id)


def shelter_for_capacity(user, shelter_id):
    """A shelter whose rooms and beds `user` may change: their own, or any for the admin."""
    shelter = visible_shelter(user, shelter_id)
    if user.role not in CAPACITY_WRITERS:
        raise Forbidden(f"the role {user.role} may not change capacity")
    return shelter


def room_for_capacity(user, room_id):
    room = db.session.get(Room, room_id)
    if room is None or room.removed_at is not None:
        raise NotFound(f"no room {room_id}")
    try:
        shelter_for_capacity(user, room.shelter_id)
    except NotFound:
        raise NotFound(f"no room {room_id}") from None
    return room


def bed_for_capacity(user, bed_id):
    bed = db.session.get(Bed, bed_id)
    if bed is None or bed.removed_at is not None:
        raise NotFound(f"no bed {bed_id}")
    try:
        shelter_for_capacity(user, bed.room.shelter_id)
    except NotFound:
        raise NotFound(f"no bed {bed_id}") from None
    return bed
