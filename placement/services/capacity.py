"""Rooms, beds and residents: every bed change is one guarded UPDATE plus one history row.

Counts are never stored: they are derived from bed rows (`counts_by_room_kind`). A bed changes
state only through `move_beds`, a conditional UPDATE that names the states it may leave, so two
concurrent writers can never both take the same bed on either database.
"""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from optimizer.hard import h5_rooms
from optimizer.types import Occupant
from optimizer.types import Room as OptimizerRoom
from placement import clock
from placement.errors import Conflict, RuleViolation
from placement.extensions import db
from placement.models import Bed, BedEvent, Room, Shelter
from placement.services import audit

FRESH_HOURS = 2
STALE_HOURS = 8


def record_event(bed_id, from_status, to_status, reason, actor, occupant=None):
    db.session.add(BedEvent(**_event(bed_id, from_status, to_status, reason, actor, occupant)))


def _event(bed_id, from_status, to_status, reason, actor, occupant=None):
    """One bed's history row, as column values."""
    occupant = occupant or {}
    return {
        "bed_id": bed_id,
        "at": clock.now(),
        "actor_id": actor.id if actor else None,
        "from_status": from_status,
        "to_status": to_status,
        "reason": reason,
        "occupant_gender": occupant.get("gender"),
        "occupant_age": occupant.get("age"),
        "occupant_group": occupant.get("group"),
    }


def touch_shelter(shelter_id, confirmed):
    """Bump the shelter's version (its ETag); a manager's change also counts as a confirmation."""
    moment = clock.now()
    values = {"changed_at": moment, "version": Shelter.version + 1}
    if confirmed:
        values["confirmed_at"] = moment
    db.session.execute(
        sa.update(Shelter)
        .where(Shelter.id == shelter_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    expire_loaded(Shelter, shelter_id)


def expire_loaded(model, ident):
    """Expire the session's copy of a row changed by a Core UPDATE, if it has one: a copy not
    loaded is left unloaded (session.get would read it, one SELECT per row, for nothing)."""
    loaded = db.session.identity_map.get(db.session.identity_key(model, ident))
    if loaded is not None:
        db.session.expire(loaded)


def move_beds(bed_ids, allowed_from, to_status, reason, actor, occupants=None, **values):
    """Move every bed in `bed_ids` from one of `allowed_from` to `to_status`, all or none.

    The rows are locked in id order (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises),
    checked, then each changed by an UPDATE that repeats the guard: a bed another writer took
    first raises Conflict naming its state, and the caller's transaction rolls back whole.
    `occupants`, when given, pairs one occupant profile with each bed, in order.
    """
    ids = list(bed_ids)
    current = dict(
        db.session.execute(
            sa.select(Bed.id, Bed.status)
            .where(Bed.id.in_(ids), Bed.removed_at.is_(None))
            .order_by(Bed.id)
            .with_for_update()
        ).all()
    )
    blocked = {i: current.get(i, "removed") for i in ids if current.get(i) not in allowed_from}
    if blocked:
        described = ", ".join(f"bed {i} is {state}" for i, state in sorted(blocked.items()))
        raise Conflict(
            f"{described}; it must be {' or '.join(allowed_from)}",
            {"beds": {str(i): state for i, state in blocked.items()}},
        )
    removing = "removed_at" in values
    changed = []
    for index, bed_id in enumerate(ids):
        occupant = occupants[index] if occupants else {}
        result = db.session.execute(
            sa.update(Bed)
            .where(Bed.id == bed_id, Bed.status.in_(allowed_from), Bed.removed_at.is_(None))
            .values(
                status=current[bed_id] if removing else to_status,
                status_reason=reason,
                occupant_gender=occupant.get("gender"),
                occupant_age=occupant.get("age"),
                occupant_group=occupant.get("group"),
                **values,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise Conflict(f"bed {bed_id} changed while it was being updated")
        changed.append((bed_id, occupant))
    if not changed:  # no bed to move (an executemany of no rows would INSERT DEFAULT VALUES)
        return
    # The history rows in one statement after the UPDATEs, not one INSERT per bed.
    to_event = "removed" if removing else to_status
    db.session.execute(sa.insert(BedEvent), [
        _event(bed_id, current[bed_id], to_event, reason, actor, occupant)
        for bed_id, occupant in changed])
    for bed_id, _occupant in changed:
        audit.record("bed.remove" if removing else "bed.update", "bed", bed_id, actor=actor,
                     detail=f"{current[bed_id]}>{to_event}")
        expire_loaded(Bed, bed_id)


def _transition(bed, allowed_from, to_status, reason, actor, occupant=None, **extra):
    """Move one bed; see move_beds."""
    move_beds([bed.id], allowed_from, to_status, reason, actor,
              occupants=[occupant] if occupant else None, **extra)


def add_beds(room, count, actor, reason="bed added"):
    """Add `count` available beds to a room, coded after the room's existing ones."""
    lock_shelter(room.shelter_id)
    taken = set(db.session.scalars(sa.select(Bed.code).where(Bed.room_id == room.id)))
    added, n = [], 1
    while len(added) < count:
        code = f"{room.code}-{n}"
        n += 1
        if code in taken:
            continue
        bed = Bed(room_id=room.id, code=code, status="available")
        db.session.add(bed)
        added.append(bed)
    db.session.flush()
    for bed in added:
        record_event(bed.id, None, "available", reason, actor)
        audit.record("bed.add", "bed", bed.id, actor=actor)
    return added


def add_room(shelter, code, kind, gender, beds, actor):
    duplicate = db.session.scalar(
        sa.select(Room.id).where(
            Room.shelter_id == shelter.id, Room.code == code, Room.removed_at.is_(None)
        )
    )
    if duplicate:
        raise Conflict(f"code: shelter already has a room {code!r}", {"code": ["taken"]})
    room = Room(shelter_id=shelter.id, code=code, kind=kind, gender=gender)
    db.session.add(room)
    db.session.flush()
    audit.record("room.add", "room", room.id, actor=actor, detail=f"shelter:{shelter.id}")
    add_beds(room, beds, actor, reason="room added")
    # A manager's own change counts as "still current"; the network loader's does not.
    touch_shelter(shelter.id, confirmed=actor is not None)
    return room


def remove_bed(bed, actor, reason="bed removed"):
    lock_shelter(bed.room.shelter_id)
    _transition(bed, ("available", "out_of_service"), None, reason, actor, removed_at=clock.now())


def remove_room(room, actor):
    busy = [bed.code for bed in room.beds if bed.status in ("held", "occupied")]
    if busy:
        raise Conflict(
            f"room {room.code} has beds that are occupied or held ({', '.join(busy)});"
            " it cannot be removed",
            {"beds": busy},
        )
    for bed in list(room.beds):
        remove_bed(bed, actor, reason="room removed")
    room.removed_at = clock.now()
    audit.record("room.remove", "room", room.id, actor=actor, detail=f"shelter:{room.shelter_id}")
    touch_shelter(room.shelter_id, confirmed=actor is not None)


def remove_free_beds(room, count, actor):
    """Remove `count` beds, out-of-service ones first; refuse if too few are free."""
    free = sorted(
        (b for b in room.beds if b.status in ("available", "out_of_service")),
        key=lambda b: (b.status != "out_of_service", b.code),
    )
    if len(free) < count:
        busy = len(room.beds) - len(free)
        raise Conflict(
            f"room {room.code}: {busy} of its {len(room.beds)} beds are occupied or held;"
            f" cannot remove {count}",
        )
    for bed in free[:count]:
        remove_bed(bed, actor)


def set_bed_status(bed, status, reason, actor):
    """Take a bed out of service or put it back; occupied and held beds are not for this."""
    allowed_from = {"out_of_service": ("available",), "available": ("out_of_service",)}[status]
    lock_shelter(bed.room.shelter_id)
    if bed.status == status:
        return bed
    _transition(bed, allowed_from, status, reason, actor)
    touch_shelter(bed.room.shelter_id, confirmed=True)
    return bed


def check_room_takes(room, occupant):
    """A walk-in resident respects the room's kind and gender: the optimizer's H5 decides, on
    the room as the optimizer sees it (SPEC section 3)."""
    problem = h5_rooms.walk_in_problem(_room_view(room), f"room {room.code}", occupant["gender"],
                                       occupant["age"], occupant.get("group"))
    if problem:
        field, word, sentence = problem
        raise RuleViolation(sentence, {field: [word]})


def _room_view(room):
    """The room's beds in service, occupants and held beds, as an instance's room."""
    beds = [b for b in room.beds if b.status != "out_of_service"]
    occupants = tuple(Occupant(b.occupant_gender, b.occupant_age, b.occupant_group)
                      for b in beds if b.status == "occupied")
    held = sum(b.status == "held" for b in beds)
    return OptimizerRoom(room.id, room.kind, room.gender, len(beds), occupants, held)


def lock_shelter(shelter_id):
    """Serialise writers of one shelter's beds: a PostgreSQL row lock (SQLite's BEGIN IMMEDIATE
    already serialises). Every writer takes it before touching beds, so lock order is always
    placement request, then shelter, then beds, and no two writers can deadlock."""
    lock_shelters([shelter_id])


def lock_shelters(shelter_ids):
    """Several shelters at once, always in id order: a writer that touches more than one
    shelter (an acceptance releasing other holds, a transfer, closing a case) takes them all
    first, so two such writers can never wait on each other. Re-locking is free."""
    db.session.execute(
        sa.select(Shelter.id).where(Shelter.id.in_(sorted(set(shelter_ids))))
        .order_by(Shelter.id).with_for_update()
    )


def admit_resident(bed, occupant, reason, actor):
    """Record a resident who arrived outside the system on an available bed."""
    lock_shelter(bed.room.shelter_id)
    db.session.refresh(bed)
    if bed.status != "available":  # the bed's own state first (409), before any room rule
        raise Conflict(f"bed {bed.id} is {bed.status}; it must be available",
                       {"beds": {str(bed.id): bed.status}})
    check_room_takes(bed.room, occupant)
    _transition(bed, ("available",), "occupied", reason, actor, occupant=occupant)
    touch_shelter(bed.room.shelter_id, confirmed=True)
    return bed


def record_departure(bed, reason, actor):
    lock_shelter(bed.room.shelter_id)
    if bed.placement_id is not None:
        raise Conflict(
            f"bed {bed.id} belongs to placement {bed.placement_id}; discharge the placement",
            {"placement": bed.placement_id},
        )
    _transition(bed, ("occupied",), "available", reason, actor)
    touch_shelter(bed.room.shelter_id, confirmed=True)
    return bed


def confirm(shelter, actor=None):
    touch_shelter(shelter.id, confirmed=True)
    audit.record("shelter.confirm", "shelter", shelter.id, actor=actor)


@dataclass(frozen=True)
class Counts:
    total: int = 0
    occupied: int = 0
    held: int = 0
    out_of_service: int = 0

    @property
    def in_service(self):
        return self.total - self.out_of_service

    @property
    def available(self):
        return self.in_service - self.occupied - self.held

    def __add__(self, other):
        return Counts(
            self.total + other.total,
            self.occupied + other.occupied,
            self.held + other.held,
            self.out_of_service + other.out_of_service,
        )

    def as_dict(self):
        return {
            "total": self.total,
            "in_service": self.in_service,
            "occupied": self.occupied,
            "held": self.held,
            "out_of_service": self.out_of_service,
            "available": self.available,
        }


def counts_by_room_kind(shelter_ids):
    """{shelter_id: {room_kind: Counts}} from the bed rows, in one query."""
    status_count = {
        status: sa.func.sum(sa.case((Bed.status == status, 1), else_=0))
        for status in ("occupied", "held", "out_of_service")
    }
    rows = db.session.execute(
        sa.select(
            Room.shelter_id,
            Room.kind,
            sa.func.count(Bed.id),
            status_count["occupied"],
            status_count["held"],
            status_count["out_of_service"],
        )
        .join(Bed, Bed.room_id == Room.id)
        .where(
            Room.shelter_id.in_(shelter_ids), Room.removed_at.is_(None), Bed.removed_at.is_(None),
            # Said twice on purpose: naming the rooms on the beds' side lets PostgreSQL read just
            # these shelters' beds by index; otherwise it scans every bed of the network (13 ms
            # instead of under 1 ms for a page of 50 shelters among 2,500).
            Bed.room_id.in_(sa.select(Room.id).where(Room.shelter_id.in_(shelter_ids))),
        )
        .group_by(Room.shelter_id, Room.kind)
    )
    result = {shelter_id: {} for shelter_id in shelter_ids}
    for shelter_id, kind, total, occupied, held, out in rows:
        result[shelter_id][kind] = Counts(total, int(occupied), int(held), int(out))
    return result


def shelter_totals(by_kind):
    return sum(by_kind.values(), Counts())


def freshness(shelter, moment=None):
    """fresh under 2 h since the last confirmation or change, aging to 8 h, stale after."""
    if shelter.confirmed_at is None:
        return "stale"
    age = (moment or clock.now()) - shelter.confirmed_at
    if age < timedelta(hours=FRESH_HOURS):
        return "fresh"
    return "aging" if age <= timedelta(hours=STALE_HOURS) else "stale"


def freshness_sql(moment):
    """The same rule as `freshness`, as a SQL expression on Shelter.confirmed_at, so that a
    query can count, filter and order shelters by freshness without loading them."""
    confirmed = Shelter.confirmed_at
    return sa.case((confirmed.is_(None), "stale"),
                   (confirmed > moment - timedelta(hours=FRESH_HOURS), "fresh"),
                   (confirmed >= moment - timedelta(hours=STALE_HOURS), "aging"),
                   else_="stale")
